package dev.clusterdns.proxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A real UDP endpoint: answers each datagram with `NAME:payload`, and remembers who sent them. */
final class UdpBackend implements AutoCloseable {
    final String name;
    private final DatagramSocket socket;
    final Set<InetSocketAddress> peers = ConcurrentHashMap.newKeySet();

    UdpBackend(String name, String ip, int port) {
        this.name = name;
        try {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(ip), port));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread t = new Thread(this::loop, "udp-backend-" + name);
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    String ip() {
        return socket.getLocalAddress().getHostAddress();
    }

    private void loop() {
        byte[] buf = new byte[65535];
        while (!socket.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                peers.add((InetSocketAddress) p.getSocketAddress());
                byte[] reply = (name + ":" + new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8))
                        .getBytes(StandardCharsets.UTF_8);
                socket.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
