package dev.clusterdns.dns.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.dns.DnsClient;
import dev.clusterdns.dns.DnsServer;
import dev.clusterdns.dns.pipeline.Pipeline;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * The DNS server's UDP port is its own: it shares it between its sockets (SO_REUSEPORT, one per
 * event loop) but refuses to start next to anyone who holds it, and nobody can join it afterwards,
 * not even a process of the same user that sets SO_REUSEPORT (as dig does for its client sockets).
 */
class PortSharingTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private static DnsServer start(int port, int sockets) throws IOException {
        return DnsServer.start(new DnsServer.Config(List.of(new InetSocketAddress(LOOPBACK, port)), sockets,
                DnsServer.Config.DEFAULT_EDNS_SIZE, DnsServer.Config.DEFAULT_TCP_IDLE), new Pipeline(List.of()),
                DnsMetrics.unregistered());
    }

    @Test
    void anotherProcessSharingThePortWithReusePortIsRefusedWithItsPid() throws Exception {
        Path source = Path.of("src/test/resources/transport/ReusePortEcho.java").toAbsolutePath();
        Process echo = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                source.toString(), "127.0.0.1", "0").redirectErrorStream(true).start();
        try {
            String line = new BufferedReader(new InputStreamReader(echo.getInputStream(), StandardCharsets.UTF_8)).readLine();
            int port = Integer.parseInt(line.trim());
            BindException e = assertThrows(BindException.class, () -> start(port, 4));
            assertEquals("DNS listen 127.0.0.1:" + port + "/udp: address already in use (another process holds it: pid "
                    + echo.pid() + " java)", e.getMessage());
            // Nothing stays bound: the TCP listener that came first was closed again.
            try (ServerSocket tcp = new ServerSocket(port, 1, LOOPBACK)) {
                assertEquals(port, tcp.getLocalPort());
            }
        } finally {
            echo.destroyForcibly().waitFor();
        }
    }

    @Test
    void aPortHeldInThisProcessIsNamedSo() throws Exception {
        try (DatagramChannel udp = reusePortSocket()) {
            udp.bind(new InetSocketAddress(LOOPBACK, 0));
            int port = ((InetSocketAddress) udp.getLocalAddress()).getPort();
            BindException e = assertThrows(BindException.class, () -> start(port, 2));
            assertEquals("DNS listen 127.0.0.1:" + port + "/udp: address already in use (this process holds it (pid "
                    + ProcessHandle.current().pid() + "))", e.getMessage());
        }
        try (ServerSocket tcp = new ServerSocket(0, 1, LOOPBACK)) {
            BindException e = assertThrows(BindException.class, () -> start(tcp.getLocalPort(), 2));
            assertTrue(e.getMessage().startsWith("DNS listen 127.0.0.1:" + tcp.getLocalPort()
                    + "/tcp: address already in use ("), e.getMessage());
        }
    }

    @Test
    void aSecondServerOnTheSamePortIsRefused() throws Exception {
        try (DnsServer first = start(0, 4)) {
            int port = first.addresses().get(0).getPort();
            BindException e = assertThrows(BindException.class, () -> start(port, 4));
            assertTrue(e.getMessage().startsWith("DNS listen 127.0.0.1:" + port + "/"), e.getMessage());
            assertTrue(e.getMessage().contains(": address already in use (this process holds it"), e.getMessage());
            assertEquals(Rcode.REFUSED, new DnsClient(first.addresses().get(0)).udp("example.org.", Type.A).getRcode(),
                    "the first server still answers");
        }
    }

    @Test
    void noReusePortSocketJoinsARunningServer() throws Exception {
        try (DnsServer server = start(0, 4)) {
            int port = server.addresses().get(0).getPort();
            // The same address, and the wildcard as dig's client socket binds it (SO_REUSEPORT, 0.0.0.0).
            for (String host : List.of("127.0.0.1", "0.0.0.0", "::ffff:127.0.0.1", "::")) {
                try (DatagramChannel outsider = reusePortSocket()) {
                    assertThrows(BindException.class, () -> outsider.bind(new InetSocketAddress(host, port)), host);
                }
            }
        }
    }

    /**
     * The kernel hands an ephemeral source port to a client socket with SO_REUSEPORT even when a
     * server's SO_REUSEPORT group listens on it; connected there, the client receives its own query
     * (dig: "query response not set", its own cookie echoed). With the group sealed it never does.
     */
    @Test
    void noClientGetsTheServersPortAsItsEphemeralPort() throws Exception {
        try (DnsServer server = start(0, 2)) {
            int port = server.addresses().get(0).getPort();
            int[] range = ephemeralRange();
            org.junit.jupiter.api.Assumptions.assumeTrue(port >= range[0] && port <= range[1],
                    "port " + port + " is outside the ephemeral range " + range[0] + "-" + range[1]);
            // About 3.5 hits per 100000 binds are expected without the seal (one port in ~28000).
            for (int i = 0; i < 100_000; i++) {
                try (DatagramChannel client = reusePortSocket()) {
                    client.bind(new InetSocketAddress("0.0.0.0", 0));
                    assertNotEquals(port, ((InetSocketAddress) client.getLocalAddress()).getPort(), "bind " + i);
                }
            }
        }
    }

    @Test
    void everySocketOfTheGroupServesAndTheSealsTakeNoQuery() throws Exception {
        try (DnsServer server = start(0, 4)) {
            InetSocketAddress at = server.addresses().get(0);
            // 4 serving sockets and the 2 seals, all on the address (kernel's table).
            assertEquals(6, udpSockets(at.getPort()));
            DnsClient client = new DnsClient(at);
            // Each query from its own source port: the kernel hashes them over the group; a query
            // given to a seal would go unanswered (a timeout here).
            for (int i = 0; i < 64; i++) {
                assertEquals(Rcode.REFUSED, client.udp("q" + i + ".example.org.", Type.A).getRcode());
            }
            assertEquals(Rcode.REFUSED, client.tcp(DnsClient.query("example.org.", Type.A)).getRcode());
        }
        // Closed: the port is free again for anyone, seals included.
        try (DatagramChannel again = DatagramChannel.open()) {
            again.bind(new InetSocketAddress(LOOPBACK, 0));
        }
    }

    @Test
    void oneSocketPerAddressWorksToo() throws Exception {
        try (DnsServer server = start(0, 1)) {
            assertEquals(3, udpSockets(server.addresses().get(0).getPort()));
            assertEquals(Rcode.REFUSED, new DnsClient(server.addresses().get(0)).udp("example.org.", Type.A).getRcode());
        }
    }

    private static DatagramChannel reusePortSocket() throws IOException {
        DatagramChannel c = DatagramChannel.open();
        c.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        return c;
    }

    /** UDP sockets whose local port is {@code port} (/proc/net/udp and udp6). */
    private static long udpSockets(int port) throws IOException {
        String suffix = String.format(Locale.ROOT, ":%04X", port);
        long n = 0;
        for (String table : List.of("/proc/net/udp", "/proc/net/udp6")) {
            n += Files.readAllLines(Path.of(table)).stream().skip(1)
                    .map(l -> l.trim().split("\\s+"))
                    .filter(f -> f.length > 1 && f[1].endsWith(suffix))
                    .count();
        }
        return n;
    }

    private static int[] ephemeralRange() throws IOException {
        String[] f = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+");
        return new int[] {Integer.parseInt(f[0]), Integer.parseInt(f[1])};
    }

}
