package dev.clusterdns.dns.file;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.clusterdns.dns.pipeline.Query;
import dev.clusterdns.dns.pipeline.Reply;
import dev.clusterdns.dns.pipeline.QueryProtocol;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Zone-file answers record for record against NSD (the reference authoritative server) for the same
 * files: exact names, CNAME chains, wildcards, ENTs, delegations, NXDOMAIN, NODATA.
 */
class ZoneFileNsdComparisonTest {
    static final Path EXAMPLE = Path.of("..", "zonefiles", "example.net.zone");
    static final Path EDGE = Path.of("src", "test", "resources", "zonefile", "edge.test.zone");
    static NsdServer nsd;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(NsdServer.available(), "nsd is not installed: skipping the NSD comparison");
        FileZone example = ZoneDirectory.parse(EXAMPLE);
        FileZone edge = ZoneDirectory.parse(EDGE);
        nsd = NsdServer.start(List.of(example.origin(), edge.origin()), List.of(EXAMPLE, EDGE));
    }

    @AfterAll
    static void stop() throws Exception {
        if (nsd != null) {
            nsd.close();
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "example.net., A", "example.net., NS", "example.net., MX", "example.net., SOA", "example.net., TXT",
        "example.net., AAAA", "www.example.net., A", "www.example.net., AAAA", "www.example.net., CNAME",
        "web.example.net., A", "web-1.example.net., A", "web-1.example.net., AAAA", "external.example.net., A",
        "_http._tcp.example.net., SRV", "x.apps.example.net., A", "a.x.apps.example.net., A",
        "x.apps.example.net., AAAA", "*.apps.example.net., A", "y.cdn.example.net., A", "y.cdn.example.net., AAAA",
        "b.ent.example.net., A", "ent.example.net., TXT", "a.b.ent.example.net., TXT", "c.b.ent.example.net., TXT",
        "sub.example.net., NS", "sub.example.net., A", "sub.example.net., DS", "foo.sub.example.net., A",
        "ns.sub.example.net., A", "nope.example.net., A", "nope.example.net., TXT", "mail.example.net., AAAA",
        "ns2.example.net., A", "apps.example.net., A",
        "edge.test., NS", "edge.test., A", "ns.edge.test., A", "a.w.edge.test., A", "a.w.edge.test., TXT",
        "a.w.edge.test., MX", "x.w.edge.test., A", "x.w.edge.test., TXT", "q.x.w.edge.test., A", "y.x.w.edge.test., A",
        "c1.edge.test., A", "c2.edge.test., A", "c3.edge.test., A", "c3.edge.test., MX", "loop1.edge.test., A",
        "foo.wc.edge.test., A", "foo.wc.edge.test., TXT", "mx.edge.test., MX", "_s._udp.edge.test., SRV",
        "d1.edge.test., A", "x.d1.edge.test., A", "d2.edge.test., NS", "x.d2.edge.test., AAAA",
        "b.c.d.edge.test., A", "c.d.edge.test., A", "d.edge.test., A", "e.d.edge.test., A", "a.b.c.d.edge.test., A",
        "nothing.edge.test., SRV", "host.dext.edge.test., A", "dext.edge.test., DNAME", "dext.edge.test., A",
        "www.dint.edge.test., A", "www.dint.edge.test., TXT", "c.dint.edge.test., A", "nope.dint.edge.test., A",
        "a.b.dext.edge.test., AAAA",
    })
    void answersLikeNsd(String name, String type) throws Exception {
        Name qname = Name.fromString(name);
        int qtype = Type.value(type);
        Message expected = nsd.query(qname, qtype);
        Message actual = ours(qname, qtype);
        assertEquals(Rcode.string(expected.getRcode()), Rcode.string(actual.getRcode()), "rcode");
        assertEquals(expected.getHeader().getFlag(Flags.AA), actual.getHeader().getFlag(Flags.AA), "AA");
        for (int section : new int[] {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
            assertEquals(lines(expected, section), lines(actual, section), Section.string(section));
        }
    }

    static Message ours(Name qname, int qtype) throws Exception {
        ZoneSet set = new ZoneSet(java.util.Map.of(
                Name.fromString("example.net."), ZoneDirectory.parse(EXAMPLE),
                Name.fromString("edge.test."), ZoneDirectory.parse(EDGE)));
        FileStage stage = new FileStage(() -> set);
        Message q = Message.newQuery(Record.newRecord(qname, qtype, 1));
        Reply reply = stage.serve(Query.of(q, new InetSocketAddress("127.0.0.1", 5000), QueryProtocol.UDP),
                x -> CompletableFuture.completedFuture(Reply.error(x, Rcode.REFUSED))).toCompletableFuture().get();
        // Through the wire format, as a client would see it.
        return new Message(reply.message().toWire());
    }

    static List<String> lines(Message m, int section) {
        List<String> out = new ArrayList<>();
        for (Record r : m.getSection(section)) {
            if (r.getType() != Type.OPT) {
                out.add(r.toString().toLowerCase());
            }
        }
        return out;
    }
}
