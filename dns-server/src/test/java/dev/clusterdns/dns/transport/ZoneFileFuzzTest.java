package dev.clusterdns.dns.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.clusterdns.dns.pipeline.Pipeline;
import dev.clusterdns.dns.pipeline.QueryProtocol;
import dev.clusterdns.dns.file.FileZone;
import dev.clusterdns.dns.file.ZoneDirectory;
import dev.clusterdns.dns.file.FileStage;
import dev.clusterdns.dns.file.ZoneSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.NameTooLongException;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * Fuzzes what a zone file controls: any bytes as a file in the zone directory are loaded or
 * reported (never an exception out of the scan), and a zone that loads answers a query for every
 * owner and type it holds (and ANY) with a well-formed response over UDP and TCP.
 *
 * <p>`mvn verify` replays the seeds in `ZoneFileFuzzTestInputs/`; `JAZZER_FUZZ=1` fuzzes (see the
 * root README).
 */
class ZoneFileFuzzTest {
    private static final Path DIR = tempDir();
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 5353);

    private static Path tempDir() {
        try {
            Path d = Files.createTempDirectory("zonefuzz");
            d.toFile().deleteOnExit();
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "10m")
    void loadAndServe(byte[] zoneFile) throws IOException {
        Path file = DIR.resolve("fuzz.zone");
        Files.write(file, zoneFile);
        try (ZoneDirectory dir = new ZoneDirectory(DIR)) {
            ZoneSet zones = dir.scan();
            if (zones.isEmpty()) {
                assertTrue(!dir.problems().isEmpty(), "a file that loads no zone is reported");
                return;
            }
            QueryHandler handler = new QueryHandler(new Pipeline(List.of(new FileStage(() -> zones))),
                    new ReplyEncoder(1232), DnsMetrics.unregistered().forServer("dns://fuzz"), new QueryLog(false));
            for (FileZone zone : zones.all()) {
                Set<Record> questions = new LinkedHashSet<>();
                int limit = 0;
                for (Record r : zone.records()) {
                    if (limit++ == 50) {
                        break;
                    }
                    questions.add(Record.newRecord(r.getName(), r.getType(), DClass.IN));
                    questions.add(Record.newRecord(r.getName(), Type.ANY, DClass.IN));
                }
                try {
                    Name missing = Name.concatenate(Name.fromConstantString("nonexistent-fuzz-label"), zone.origin());
                    questions.add(Record.newRecord(missing, Type.TXT, DClass.IN));
                } catch (NameTooLongException e) {
                    // the origin is already 255 bytes long
                }
                for (Record q : questions) {
                    for (QueryProtocol t : List.of(QueryProtocol.UDP, QueryProtocol.TCP)) {
                        Message query = Message.newQuery(q);
                        List<byte[]> replies = new ArrayList<>();
                        handler.handle(query.toWire(), CLIENT, t, new CollectedReplies(replies));
                        assertTrue(!replies.isEmpty(), "answered " + q);
                        for (byte[] wire : replies) {
                            Message m = new Message(wire);
                            assertEquals(query.getHeader().getID(), m.getHeader().getID());
                            assertTrue(m.getHeader().getFlag(Flags.QR));
                            assertTrue(t == QueryProtocol.TCP || wire.length <= 1232, "UDP size");
                        }
                    }
                }
            }
        }
    }
}
