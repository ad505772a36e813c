package dev.clusterdns.dns.forward;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.xbill.DNS.Message;

/**
 * A tiny DNS server on loopback (UDP and TCP on one port) for socket-level forwarder tests. The
 * handler maps a query to a reply (null = no reply); every query received is recorded.
 */
final class TestUpstream implements AutoCloseable {
    final List<Message> udpQueries = new CopyOnWriteArrayList<>();
    final List<Message> tcpQueries = new CopyOnWriteArrayList<>();
    private DatagramSocket udp;
    private ServerSocket tcp;
    private volatile Function<Message, List<Message>> udpHandler;
    private volatile Function<Message, Message> tcpHandler;

    TestUpstream(Function<Message, List<Message>> udpHandler, Function<Message, Message> tcpHandler) throws IOException {
        this.udpHandler = udpHandler;
        this.tcpHandler = tcpHandler;
        IOException last = null;
        for (int i = 0; i < 20; i++) {
            DatagramSocket u = null;
            try {
                u = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                ServerSocket t = new ServerSocket(u.getLocalPort(), 50, InetAddress.getLoopbackAddress());
                this.udp = u;
                this.tcp = t;
                start();
                return;
            } catch (IOException e) {
                last = e;
                if (u != null) {
                    u.close();
                }
            }
        }
        throw last;
    }

    /** Replies to every query over UDP and TCP with {@code answer}. */
    static TestUpstream answering(Function<Message, Message> answer) throws IOException {
        return new TestUpstream(q -> List.of(answer.apply(q)), answer);
    }

    private void start() {
        Thread u = new Thread(this::serveUdp, "test-upstream-udp");
        u.setDaemon(true);
        u.start();
        Thread t = new Thread(this::serveTcp, "test-upstream-tcp");
        t.setDaemon(true);
        t.start();
    }

    /** UDP queries other than the forwarder's HINFO loop probes. */
    List<Message> clientQueries() {
        return udpQueries.stream().filter(m -> m.getQuestion().getType() != org.xbill.DNS.Type.HINFO).toList();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), udp.getLocalPort());
    }

    void onUdp(Function<Message, List<Message>> h) {
        this.udpHandler = h;
    }

    private void serveUdp() {
        byte[] buf = new byte[65535];
        while (!udp.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                udp.receive(p);
                Message q = new Message(java.util.Arrays.copyOf(p.getData(), p.getLength()));
                udpQueries.add(q);
                List<Message> replies = udpHandler.apply(q);
                if (replies == null) {
                    continue;
                }
                for (Message r : replies) {
                    byte[] wire = r.toWire();
                    udp.send(new DatagramPacket(wire, wire.length, p.getSocketAddress()));
                }
            } catch (IOException e) {
                // closed or bad packet
            }
        }
    }

    private void serveTcp() {
        while (!tcp.isClosed()) {
            try (Socket s = tcp.accept()) {
                DataInputStream in = new DataInputStream(s.getInputStream());
                byte[] wire = new byte[in.readUnsignedShort()];
                in.readFully(wire);
                Message q = new Message(wire);
                tcpQueries.add(q);
                Message r = tcpHandler.apply(q);
                if (r != null) {
                    byte[] out = r.toWire();
                    DataOutputStream o = new DataOutputStream(s.getOutputStream());
                    o.writeShort(out.length);
                    o.write(out);
                    o.flush();
                }
            } catch (IOException e) {
                // closed
            }
        }
    }

    @Override
    public void close() throws IOException {
        udp.close();
        tcp.close();
    }
}
