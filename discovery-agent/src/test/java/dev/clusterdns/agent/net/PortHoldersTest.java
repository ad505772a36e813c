package dev.clusterdns.agent.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.DatagramChannel;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Holders found through the kernel's socket tables, for real sockets of this process. */
class PortHoldersTest {
    private static final String SELF = "this process holds it (pid " + ProcessHandle.current().pid() + ")";

    @Test
    void aUdpSocketOnTheAddressOrTheWildcardHoldsIt() throws IOException {
        try (DatagramChannel held = DatagramChannel.open()) {
            held.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) held.getLocalAddress()).getPort();
            assertEquals(SELF, PortHolders.describe("udp", new InetSocketAddress("127.0.0.1", port)));
            assertEquals(SELF, PortHolders.describe("udp", new InetSocketAddress("0.0.0.0", port)));
            // Another loopback address on the same port is not held by it (nor is the port over TCP).
            assertEquals("another process holds it", PortHolders.describe("udp", new InetSocketAddress("127.0.0.2", port)));
            assertEquals("another process holds it", PortHolders.describe("tcp", new InetSocketAddress("127.0.0.1", port)));
        }
        try (DatagramChannel wildcard = DatagramChannel.open()) {
            wildcard.bind(new InetSocketAddress("0.0.0.0", 0));
            int port = ((InetSocketAddress) wildcard.getLocalAddress()).getPort();
            assertEquals(SELF, PortHolders.describe("udp", new InetSocketAddress("127.0.0.5", port)));
        }
    }

    @Test
    void anIpv6ListenerHoldsIt() throws IOException {
        ServerSocket v6 = new ServerSocket();
        try (v6) {
            try {
                v6.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            } catch (IOException e) {
                Assumptions.abort("no IPv6 loopback here: " + e.getMessage());
            }
            assertEquals(SELF, PortHolders.describe("tcp", new InetSocketAddress(InetAddress.getByName("::1"), v6.getLocalPort())));
        }
    }

    @Test
    void aTcpConnectionFromThePortHoldsNoListenAddress() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
             Socket accepted = server.accept()) {
            // The accepted connection's local port is the listener's: that one is the holder.
            assertEquals(SELF, PortHolders.describe("tcp", new InetSocketAddress("127.0.0.1", server.getLocalPort())));
            assertEquals("another process holds it", PortHolders.describe("tcp",
                    new InetSocketAddress("127.0.0.1", client.getLocalPort())));
        }
    }

    @Test
    void addressInUseIsFoundInTheCauses() {
        assertTrue(PortHolders.addressInUse(new IOException("bind", new BindException("Address already in use"))));
        assertFalse(PortHolders.addressInUse(new BindException("Permission denied")));
        assertEquals("[::1]:53/udp", PortHolders.socketName(new InetSocketAddress("::1", 53), "udp"));
        assertEquals("127.0.0.1:53/tcp", PortHolders.socketName(new InetSocketAddress("127.0.0.1", 53), "tcp"));
    }
}
