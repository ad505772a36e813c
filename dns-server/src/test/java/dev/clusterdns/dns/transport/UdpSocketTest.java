package dev.clusterdns.dns.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.dns.DnsClient;
import dev.clusterdns.dns.DnsServer;
import dev.clusterdns.dns.pipeline.Next;
import dev.clusterdns.dns.pipeline.Pipeline;
import dev.clusterdns.dns.pipeline.Query;
import dev.clusterdns.dns.pipeline.Reply;
import dev.clusterdns.dns.pipeline.Stage;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.nio.channels.DatagramChannel;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The UDP sockets' own serving threads ({@link UdpSocket}): replies made on the serving thread share
 * one reused buffer, replies completed later on another thread (as forwarded ones are) are sent from
 * there, and closing the server ends the threads and frees the port.
 */
class UdpSocketTest {

    /**
     * Answers names under {@code later.} from another thread a few milliseconds on, the rest at once
     * on the serving thread (three records, so the two kinds differ in size); both as pre-encoded
     * answers, which the transport writes into a buffer from the socket ({@link ReplySink#buffer}).
     * Each record's address is derived from the query's label.
     */
    private static final class SplitStage implements Stage {
        private final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();

        @Override
        public String name() {
            return "split";
        }

        @Override
        public CompletionStage<Reply> serve(Query query, Next next) {
            Message m = new Message();
            m.getHeader().setFlag(Flags.QR);
            m.getHeader().setFlag(Flags.AA);
            m.addRecord(org.xbill.DNS.Record.newRecord(query.name(), Type.A, DClass.IN), Section.QUESTION);
            int n = Integer.parseInt(query.name().getLabelString(0).substring(1));
            boolean deferred = query.name().getLabelString(1).equals("later");
            int records = deferred ? 1 : 3;
            for (int i = 0; i < records; i++) {
                m.addRecord(new ARecord(query.name(), DClass.IN, 5, address(n, i)), Section.ANSWER);
            }
            Reply reply = Reply.encoded(query, m.toWire());
            if (!deferred) {
                return CompletableFuture.completedFuture(reply);
            }
            CompletableFuture<Reply> done = new CompletableFuture<>();
            later.schedule(() -> done.complete(reply), 1 + n % 5, TimeUnit.MILLISECONDS);
            return done;
        }
    }

    private static InetAddress address(int n, int i) {
        try {
            return InetAddress.getByAddress(new byte[] {10, (byte) i, (byte) (n >> 8), (byte) n});
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** A server with one UDP socket (so one serving thread) on a loopback port, answering through {@code stage}. */
    private static DnsServer oneSocketServer(Stage stage) throws java.io.IOException {
        return DnsServer.start(new DnsServer.Config(List.of(new InetSocketAddress("127.0.0.1", 0)), 1, 1232,
                DnsServer.Config.DEFAULT_TCP_IDLE), new Pipeline(List.of(stage)), DnsMetrics.unregistered());
    }

    /** A client socket connected to {@code server}; a lost reply fails the test instead of hanging it. */
    private static DatagramSocket clientOf(DnsServer server) throws java.io.IOException {
        DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        client.connect(server.addresses().get(0));
        client.setSoTimeout(10_000);
        return client;
    }

    @Test
    void repliesFromTheServingThreadAndFromAnotherThreadInterleaveIntact() throws Exception {
        SplitStage stage = new SplitStage();
        try (DnsServer server = oneSocketServer(stage);
                DatagramSocket client = clientOf(server)) {
            int queries = 200;
            // All sent before any is read: deferred replies complete while the serving thread is
            // writing immediate ones into its reused buffer.
            for (int n = 0; n < queries; n++) {
                String name = "q" + n + "." + (n % 2 == 0 ? "later" : "now") + ".test.";
                Message q = DnsClient.query(name, Type.A);
                q.getHeader().setID(n);
                byte[] wire = q.toWire();
                client.send(new DatagramPacket(wire, wire.length));
            }
            Map<Integer, Message> replies = new HashMap<>();
            byte[] in = new byte[4096];
            while (replies.size() < queries) {
                DatagramPacket p = new DatagramPacket(in, in.length);
                client.receive(p);
                Message reply = new Message(java.util.Arrays.copyOf(in, p.getLength()));
                replies.put(reply.getHeader().getID(), reply);
            }
            for (int n = 0; n < queries; n++) {
                Message reply = replies.get(n);
                boolean deferred = n % 2 == 0;
                Name name = Name.fromString("q" + n + "." + (deferred ? "later" : "now") + ".test.");
                assertEquals(name, reply.getQuestion().getName(), "question of reply " + n);
                assertTrue(reply.getHeader().getFlag(Flags.QR) && reply.getHeader().getFlag(Flags.AA));
                List<org.xbill.DNS.Record> answers = reply.getSection(Section.ANSWER);
                assertEquals(deferred ? 1 : 3, answers.size(), "answers of reply " + n);
                for (int i = 0; i < answers.size(); i++) {
                    assertEquals(address(n, i), ((ARecord) answers.get(i)).getAddress(), "reply " + n + " record " + i);
                }
            }
        } finally {
            stage.later.shutdownNow();
        }
    }

    /**
     * Holds the queries under {@code held.} unanswered (their futures for the test to complete, on its
     * own thread) and answers the rest at once; it reads nothing of a held query before answering it.
     */
    private static final class HoldingStage implements Stage {
        final java.util.concurrent.BlockingQueue<Query> held = new java.util.concurrent.LinkedBlockingQueue<>();
        final Map<Query, CompletableFuture<Reply>> pending = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public String name() {
            return "holding";
        }

        @Override
        public CompletionStage<Reply> serve(Query query, Next next) {
            if (query.wire() != null && query.wire()[13] == 'h') { // the first label starts with "h": held.
                CompletableFuture<Reply> later = new CompletableFuture<>();
                pending.put(query, later);
                held.add(query);
                return later;
            }
            return CompletableFuture.completedFuture(answer(query));
        }

        /** One A record for the question, its address the name's length (read from the query now). */
        static Reply answer(Query query) {
            Message m = new Message();
            m.getHeader().setFlag(Flags.QR);
            m.addRecord(org.xbill.DNS.Record.newRecord(query.name(), Type.A, DClass.IN), Section.QUESTION);
            m.addRecord(new ARecord(query.name(), DClass.IN, 5, address(query.name().length(), 0)), Section.ANSWER);
            return Reply.encoded(query, m.toWire());
        }
    }

    /**
     * The serving thread reads every datagram into one reused array; a query that leaves the thread
     * unanswered must keep its own bytes: its name, ID and question are read only after the thread has
     * received (and answered) longer datagrams into the same array, and must still be the query's own.
     */
    @Test
    void aQueryAnsweredLaterKeepsItsBytesWhileTheServingThreadReceivesMore() throws Exception {
        HoldingStage stage = new HoldingStage();
        try (DnsServer server = oneSocketServer(stage);
                DatagramSocket client = clientOf(server)) {
            Message heldQuery = DnsClient.query("held.a.", Type.A);
            heldQuery.getHeader().setID(7);
            send(client, heldQuery);
            Query held = stage.held.poll(10, TimeUnit.SECONDS);
            assertTrue(held != null, "the held query reached the stage");
            // Longer names, other IDs: each overwrites the array where the held query was read.
            for (int n = 0; n < 20; n++) {
                Message q = DnsClient.query("now" + n + ".a-much-longer-name-than-the-held-one.test.", Type.A);
                q.getHeader().setID(100 + n);
                send(client, q);
                Message reply = receive(client);
                assertEquals(100 + n, reply.getHeader().getID());
                assertEquals(q.getQuestion().getName(), reply.getQuestion().getName());
            }
            stage.pending.get(held).complete(HoldingStage.answer(held)); // name parsed only now
            Message reply = receive(client);
            assertEquals(7, reply.getHeader().getID(), "the held query's ID");
            Name name = Name.fromString("held.a.");
            assertEquals(name, reply.getQuestion().getName(), "the held query's question");
            assertEquals(address(name.length(), 0), ((ARecord) reply.getSection(Section.ANSWER).get(0)).getAddress());
        }
    }

    private static void send(DatagramSocket client, Message query) throws java.io.IOException {
        byte[] wire = query.toWire();
        client.send(new DatagramPacket(wire, wire.length));
    }

    private static Message receive(DatagramSocket client) throws java.io.IOException {
        byte[] in = new byte[4096];
        DatagramPacket p = new DatagramPacket(in, in.length);
        client.receive(p);
        return new Message(java.util.Arrays.copyOf(in, p.getLength()));
    }

    @Test
    void closingTheServerEndsItsUdpThreadsAndFreesThePort() throws Exception {
        long before = udpThreads();
        DnsServer server = DnsServer.start(
                new DnsServer.Config(List.of(new InetSocketAddress("127.0.0.1", 0)), 3, 1232,
                        DnsServer.Config.DEFAULT_TCP_IDLE),
                new Pipeline(List.of(new SplitStage())), DnsMetrics.unregistered());
        InetSocketAddress at = server.addresses().get(0);
        assertEquals(Rcode.NOERROR, new DnsClient(at).udp("q1.now.test.", Type.A).getRcode());
        assertEquals(before + 3, udpThreads(), "one serving thread per socket");
        server.close();
        assertEquals(before, udpThreads(), "serving threads left after close");
        try (DatagramChannel again = DatagramChannel.open()) {
            again.bind(at); // without SO_REUSEPORT: fails while any socket of the group is open
        }
    }

    /** Live threads serving UDP in this JVM (the factory names them dns-udp-*). */
    private static long udpThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("dns-udp-"))
                .count();
    }
}
