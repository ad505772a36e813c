package dev.clusterdns.dns.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.net.Cidr;
import dev.clusterdns.agent.snapshot.SnapshotPublisher;
import dev.clusterdns.dns.DnsClient;
import dev.clusterdns.dns.DnsServer;
import dev.clusterdns.dns.TestCluster;
import dev.clusterdns.dns.cluster.ClusterOptions;
import dev.clusterdns.dns.cluster.ClusterStage;
import dev.clusterdns.dns.cluster.PodMode;
import dev.clusterdns.dns.pipeline.Pipeline;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** Per-client limits on real loopback sockets: UDP response rate limiting with slip, TCP connections per address. */
class ClientLimitsTest {

    static DnsServer start(DnsServer.Limits limits) throws Exception {
        SnapshotPublisher pub = new SnapshotPublisher();
        pub.publish(TestCluster.snapshot(1));
        ClusterOptions options = new ClusterOptions("cluster.local", 5, PodMode.INSECURE, Set.of(), false, false,
                List.of(Cidr.parse("10.96.0.0/12")), List.of(InetAddress.getLoopbackAddress()));
        return DnsServer.start(new DnsServer.Config(List.of(new InetSocketAddress("127.0.0.1", 0)), 1, 1232,
                        Duration.ofSeconds(30), false, limits),
                new Pipeline(List.of(new ClusterStage(pub, options))), DnsMetrics.unregistered());
    }

    /** Sends {@code count} queries from {@code from} back to back; returns [answered, truncated, silent]. */
    static int[] burst(InetSocketAddress server, String from, int count) throws IOException {
        int[] seen = new int[3];
        byte[] wire = DnsClient.query("web.shop.svc.cluster.local.", Type.A).toWire();
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(from, 0))) {
            for (int i = 0; i < count; i++) {
                s.send(new DatagramPacket(wire, wire.length, server));
            }
            s.setSoTimeout(2000);
            byte[] buf = new byte[4096];
            for (int i = 0; i < count; i++) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    s.receive(p);
                } catch (SocketTimeoutException e) {
                    break;
                }
                Message r = new Message(java.util.Arrays.copyOf(buf, p.getLength()));
                seen[r.getHeader().getFlag(Flags.TC) && r.getSection(Section.ANSWER).isEmpty() ? 1 : 0]++;
            }
        }
        seen[2] = count - seen[0] - seen[1];
        return seen;
    }

    @Test
    void udpRepliesBeyondTheRateAreDroppedOrSlippedPerNetwork() throws Exception {
        try (DnsServer server = start(new DnsServer.Limits(5, 2, 100))) {
            InetSocketAddress at = server.addresses().get(0);
            // Warm the query path up from a network of its own (class loading must not eat the window).
            for (int i = 0; i < 3 && burst(at, "127.0.2.1", 1)[0] == 0; i++) {
                Thread.sleep(200);
            }
            int[] flood = burst(at, "127.0.0.1", 200);
            assertTrue(flood[0] >= 5 && flood[0] < 100, "about the rate answered, not all 200: " + List.of(flood[0], flood[1], flood[2]));
            assertTrue(flood[1] > 0, "every 2nd limited reply slips out empty with TC=1: " + flood[1]);
            assertTrue(flood[2] > 0, "the others are dropped: " + flood[2]);
            // Another /24 has a budget of its own.
            int[] other = burst(at, "127.0.1.1", 3);
            assertEquals(3, other[0], "another network is not limited by the first one's flood");
            // TCP is never rate limited (it cannot be spoofed).
            Message tcp = new DnsClient(at).tcp(DnsClient.query("web.shop.svc.cluster.local.", Type.A));
            assertEquals(0, tcp.getRcode());
            assertTrue(!tcp.getSection(Section.ANSWER).isEmpty());
        }
    }

    @Test
    void withoutARateEveryReplyIsSent() throws Exception {
        try (DnsServer server = start(DnsServer.Limits.DEFAULTS)) {
            int[] seen = burst(server.addresses().get(0), "127.0.0.1", 50);
            assertEquals(0, seen[1], "no slips when --rrl-rate is off");
        }
    }

    @Test
    void tcpConnectionsPerClientAddressAreCapped() throws Exception {
        try (DnsServer server = start(new DnsServer.Limits(0, 2, 3))) {
            InetSocketAddress at = server.addresses().get(0);
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    held.add(connect(at, "127.0.0.1"));
                    assertTrue(answers(held.get(i)), "connection " + (i + 1) + " of 3 is served");
                }
                Socket fourth = connect(at, "127.0.0.1");
                held.add(fourth);
                assertTrue(!answers(fourth), "a 4th connection from the same address is closed");
                Socket elsewhere = connect(at, "127.0.0.2");
                held.add(elsewhere);
                assertTrue(answers(elsewhere), "another address is not affected");
                held.get(0).close();
                Socket again = null;
                for (int i = 0; i < 50 && again == null; i++) { // the server sees the close asynchronously
                    Socket s = connect(at, "127.0.0.1");
                    held.add(s);
                    if (answers(s)) {
                        again = s;
                    } else {
                        Thread.sleep(20);
                    }
                }
                assertTrue(again != null, "a closed connection frees its place");
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }

    private static Socket connect(InetSocketAddress at, String from) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(from, 0));
        s.connect(at, 2000);
        s.setSoTimeout(3000);
        return s;
    }

    /** One query over the connection; false when the server closed it instead of answering. */
    private static boolean answers(Socket s) throws IOException {
        byte[] q = DnsClient.query("web.shop.svc.cluster.local.", Type.A).toWire();
        try {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeShort(q.length);
            out.write(q);
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] r = new byte[in.readUnsignedShort()];
            in.readFully(r);
            return new Message(r).getRcode() == 0;
        } catch (EOFException | java.net.SocketException e) {
            return false;
        }
    }
}
