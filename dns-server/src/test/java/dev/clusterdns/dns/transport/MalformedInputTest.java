package dev.clusterdns.dns.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.net.Cidr;
import dev.clusterdns.agent.snapshot.SnapshotPublisher;
import dev.clusterdns.dns.DnsClient;
import dev.clusterdns.dns.TestCluster;
import dev.clusterdns.dns.cluster.ClusterOptions;
import dev.clusterdns.dns.cluster.ClusterStage;
import dev.clusterdns.dns.cluster.PodMode;
import dev.clusterdns.dns.pipeline.Pipeline;
import dev.clusterdns.dns.pipeline.QueryProtocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Mutated queries (bit flips, cuts, junk, huge counts) through the real query handler: every input
 * is either dropped or answered with a well-formed message carrying the query's ID; nothing throws.
 */
class MalformedInputTest {

    @Test
    void mutatedQueriesNeverBreakTheHandler() throws Exception {
        SnapshotPublisher pub = new SnapshotPublisher();
        pub.publish(TestCluster.snapshot(1));
        ClusterOptions options = new ClusterOptions("cluster.local", 5, PodMode.INSECURE, Set.of(), false, false,
                List.of(Cidr.parse("10.96.0.0/12")), List.of(InetAddress.getLoopbackAddress()));
        QueryHandler handler = new QueryHandler(new Pipeline(List.of(new ClusterStage(pub, options))),
                new ReplyEncoder(1232), DnsMetrics.unregistered().forServer("dns://test"), new QueryLog(true));
        List<byte[]> seeds = new ArrayList<>();
        for (String name : List.of("web.shop.svc.cluster.local.", "_http._tcp.web.shop.svc.cluster.local.",
                "nosuch.shop.svc.cluster.local.", "50.0.96.10.in-addr.arpa.", "big.shop.svc.cluster.local.")) {
            Message q = DnsClient.query(name, Type.A);
            seeds.add(q.toWire());
            q.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
            seeds.add(q.toWire());
        }
        Random random = new Random(20261121L);
        InetSocketAddress client = new InetSocketAddress("127.0.0.1", 5353);
        int answered = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] in = mutate(seeds.get(random.nextInt(seeds.size())), random);
            List<byte[]> replies = new ArrayList<>();
            QueryProtocol transport = random.nextBoolean() ? QueryProtocol.UDP : QueryProtocol.TCP;
            boolean replied = handler.handle(in, client, transport, new CollectedReplies(replies));
            assertEquals(replied, !replies.isEmpty(), "return value matches what was written");
            for (byte[] r : replies) {
                Message m = new Message(r);
                assertEquals((in[0] & 0xff) << 8 | (in[1] & 0xff), m.getHeader().getID());
                assertTrue(transport == QueryProtocol.TCP || r.length <= 1232, "UDP size respected");
                answered++;
            }
        }
        assertTrue(answered > 1000, "most mutated queries still get some answer: " + answered);
    }

    private static byte[] mutate(byte[] seed, Random random) {
        byte[] b = seed.clone();
        switch (random.nextInt(5)) {
            case 0 -> {
                for (int k = 0; k < 1 + random.nextInt(4); k++) {
                    b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 1 -> b = java.util.Arrays.copyOf(b, 12 + random.nextInt(b.length - 11));
            case 2 -> {
                b = java.util.Arrays.copyOf(b, b.length + 1 + random.nextInt(40));
                for (int k = seed.length; k < b.length; k++) {
                    b[k] = (byte) random.nextInt(256);
                }
            }
            case 3 -> {
                int at = 4 + 2 * random.nextInt(4); // QD/AN/NS/AR count
                b[at] = (byte) random.nextInt(256);
                b[at + 1] = (byte) random.nextInt(256);
            }
            default -> {
                int at = 12 + random.nextInt(b.length - 12);
                b[at] = (byte) (0xc0 | random.nextInt(64)); // a compression pointer where a label was
            }
        }
        b[2] &= 0x7f; // keep QR clear so most inputs are treated as queries
        return b;
    }
}
