package dev.clusterdns.dns.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.clusterdns.agent.net.Cidr;
import dev.clusterdns.agent.snapshot.SnapshotPublisher;
import dev.clusterdns.dns.TestCluster;
import dev.clusterdns.dns.cluster.ClusterOptions;
import dev.clusterdns.dns.cluster.ClusterStage;
import dev.clusterdns.dns.cluster.PodMode;
import dev.clusterdns.dns.pipeline.Pipeline;
import dev.clusterdns.dns.pipeline.QueryProtocol;
import dev.clusterdns.dns.file.ZoneDirectory;
import dev.clusterdns.dns.file.FileStage;
import dev.clusterdns.dns.file.ZoneSet;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;

/**
 * Fuzzes what a DNS client controls: any bytes as a UDP or TCP query through {@code Query.parse},
 * the header checks, the pipeline (cluster zone, then the bundled zone file) and {@code ReplyEncoder}.
 * Every input is dropped or answered with a message that parses, is a response, echoes the ID and
 * fits the UDP size; nothing throws.
 *
 * <p>`mvn verify` replays the seeds in `QueryPathFuzzTestInputs/`; `JAZZER_FUZZ=1` fuzzes (see the
 * root README).
 */
class QueryPathFuzzTest {
    private static final int EDNS_SIZE = 1232;
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 5353);
    private static final QueryHandler HANDLER = handler();

    private static QueryHandler handler() {
        SnapshotPublisher pub = new SnapshotPublisher();
        pub.publish(TestCluster.snapshot(1));
        ClusterOptions options = new ClusterOptions("cluster.local", 5, PodMode.INSECURE, Set.of(), false, false,
                List.of(Cidr.parse("10.96.0.0/12")), List.of(InetAddress.getLoopbackAddress()));
        ZoneSet zones = new ZoneDirectory(Path.of("..", "zonefiles")).scan();
        return new QueryHandler(new Pipeline(List.of(new ClusterStage(pub, options), new FileStage(() -> zones))),
                new ReplyEncoder(EDNS_SIZE), DnsMetrics.unregistered().forServer("dns://fuzz"), new QueryLog(false));
    }

    @FuzzTest(maxDuration = "10m")
    void queryPath(byte[] input) throws IOException {
        if (input.length == 0) {
            return;
        }
        // The first byte picks the transport; the rest is the query as sent.
        QueryProtocol transport = (input[0] & 1) == 0 ? QueryProtocol.UDP : QueryProtocol.TCP;
        byte[] wire = java.util.Arrays.copyOfRange(input, 1, input.length);
        List<byte[]> replies = new ArrayList<>();
        boolean replied = HANDLER.handle(wire, CLIENT, transport, new CollectedReplies(replies));
        assertEquals(replied, !replies.isEmpty(), "the return value says whether a reply was written");
        for (byte[] r : replies) {
            Message m = new Message(r);
            assertEquals((wire[0] & 0xff) << 8 | (wire[1] & 0xff), m.getHeader().getID(), "ID echoed");
            assertTrue(m.getHeader().getFlag(Flags.QR), "a response");
            assertTrue(transport == QueryProtocol.TCP || r.length <= EDNS_SIZE, "UDP reply within " + EDNS_SIZE + " bytes");
        }
    }
}
