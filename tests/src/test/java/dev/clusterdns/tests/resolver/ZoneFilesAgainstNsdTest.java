package dev.clusterdns.tests.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.tests.ServeProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * `clusterdns serve --zonefiles DIR` against NSD serving the same files: `dig` output (status, AA and
 * the answer, authority and additional sections) must be identical for exact names, CNAME chains,
 * wildcards, empty non-terminals, delegations, NXDOMAIN and NODATA. Also AXFR and reload.
 */
class ZoneFilesAgainstNsdTest {
    static Path zones;
    static Nsd nsd;
    static ServeProcess serve;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(Nsd.installed(), "nsd is not installed: skipping the zone-file comparison with NSD");
        Assumptions.assumeTrue(Dig.installed(), "dig is not installed");
        zones = Files.createTempDirectory("zonefiles");
        Files.copy(ServeProcess.root().resolve("zonefiles/example.net.zone"), zones.resolve("example.net.zone"));
        Files.copy(Path.of("src/test/resources/resolver/edge.test.zone"), zones.resolve("edge"));
        Map<String, Path> z = new LinkedHashMap<>();
        z.put("example.net", zones.resolve("example.net.zone"));
        z.put("edge.test", zones.resolve("edge"));
        nsd = Nsd.start(z);
        serve = ServeProcess.start("--zonefiles", zones.toString(), "--upstream", "none");
        Dig.assumeAnswering(serve.dnsPort());
    }

    @AfterAll
    static void stop() {
        if (serve != null) {
            serve.close();
        }
        if (nsd != null) {
            nsd.close();
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "example.net, A", "example.net, NS", "example.net, MX", "example.net, SOA", "example.net, TXT",
        "www.example.net, A", "www.example.net, AAAA", "www.example.net, CNAME", "web-1.example.net, AAAA",
        "external.example.net, A", "_http._tcp.example.net, SRV", "x.apps.example.net, A", "a.x.apps.example.net, A",
        "x.apps.example.net, AAAA", "y.cdn.example.net, A", "y.cdn.example.net, AAAA", "b.ent.example.net, A",
        "a.b.ent.example.net, TXT", "sub.example.net, NS", "sub.example.net, DS", "foo.sub.example.net, A",
        "ns.sub.example.net, A", "nope.example.net, A", "mail.example.net, AAAA", "ns2.example.net, A",
        "a.w.edge.test, A", "x.w.edge.test, A", "q.x.w.edge.test, A", "c1.edge.test, A", "c3.edge.test, MX",
        "loop1.edge.test, A", "foo.wc.edge.test, A", "mx.edge.test, MX", "_s._udp.edge.test, SRV",
        "x.d1.edge.test, A", "x.d2.edge.test, AAAA", "c.d.edge.test, A", "e.d.edge.test, A", "nothing.edge.test, SRV",
        "host.dext.edge.test, A", "dext.edge.test, DNAME", "www.dint.edge.test, A", "c.dint.edge.test, A",
        "nope.dint.edge.test, A",
    })
    void digMatchesNsd(String name, String type) {
        Dig expected = Dig.query(nsd.port(), name, type, "+norec");
        Dig actual = Dig.query(serve.dnsPort(), name, type, "+norec");
        assertEquals(expected.status(), actual.status(), "status\n" + actual.raw());
        assertEquals(expected.aa(), actual.aa(), "AA\n" + actual.raw());
        assertEquals(expected.answer(), actual.answer(), "answer");
        assertEquals(expected.authority(), actual.authority(), "authority");
        assertEquals(sorted(expected.additional()), sorted(actual.additional()), "additional");
    }

    @Test
    void axfrOverTcpFromLoopbackMatchesNsd() {
        Dig expected = Dig.query(nsd.port(), "example.net", "AXFR");
        Dig actual = Dig.query(serve.dnsPort(), "example.net", "AXFR");
        List<String> e = axfrRecords(expected.raw());
        List<String> a = axfrRecords(actual.raw());
        assertTrue(a.size() > 10, actual.raw());
        assertEquals(sorted(e), sorted(a));
        assertTrue(a.get(0).contains(" soa ") && a.get(a.size() - 1).contains(" soa "), "SOA first and last");
    }

    @Test
    void reloadsWhenTheSerialChangesAndKeepsTheLastGoodZoneOnErrors() throws Exception {
        Path file = zones.resolve("reload.zone");
        Files.writeString(file, "$ORIGIN reload.test.\n$TTL 60\n@ SOA ns admin 1 1 1 1 1\n NS ns\nns A 192.0.2.1\nhost A 192.0.2.10\n");
        awaitAnswer("host.reload.test", "192.0.2.10");
        Files.writeString(file, "$ORIGIN reload.test.\n$TTL 60\n@ SOA ns admin 2 1 1 1 1\n NS ns\nns A 192.0.2.1\nhost A 192.0.2.20\n");
        awaitAnswer("host.reload.test", "192.0.2.20");
        Files.writeString(file, "$ORIGIN reload.test.\n$TTL 60\n@ SOA ns admin 3 1 1 1 1\n NS ns\nhost A banana\n");
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!serve.output().contains("zone file not loaded") && System.nanoTime() < deadline) {
            Nsd.sleep(200);
        }
        assertTrue(serve.output().contains("reload.zone"), serve.output());
        assertEquals(List.of("192.0.2.20"), addresses(Dig.query(serve.dnsPort(), "host.reload.test", "A")));
    }

    void awaitAnswer(String name, String ip) {
        long deadline = System.nanoTime() + 20_000_000_000L;
        List<String> got = List.of();
        while (System.nanoTime() < deadline) {
            got = addresses(Dig.query(serve.dnsPort(), name, "A"));
            if (got.equals(List.of(ip))) {
                return;
            }
            Nsd.sleep(200);
        }
        assertEquals(List.of(ip), got);
    }

    static List<String> addresses(Dig d) {
        List<String> out = new ArrayList<>();
        for (String l : d.answer()) {
            String[] f = l.split(" ");
            out.add(f[f.length - 1]);
        }
        return out;
    }

    static List<String> axfrRecords(String raw) {
        List<String> out = new ArrayList<>();
        for (String line : raw.split("\n")) {
            if (!line.isBlank() && !line.startsWith(";")) {
                out.add(String.join(" ", line.trim().split("\\s+")).toLowerCase());
            }
        }
        return out;
    }

    static List<String> sorted(List<String> l) {
        List<String> s = new ArrayList<>(l);
        s.sort(null);
        return s;
    }
}
