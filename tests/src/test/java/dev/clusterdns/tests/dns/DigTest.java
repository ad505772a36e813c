package dev.clusterdns.tests.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.tests.CommandResult;
import dev.clusterdns.tests.ServeProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * `clusterdns serve` answering real `dig` and `kdig` over UDP and TCP: answers, flags and sections
 * as a user reads them.
 */
class DigTest {
    private static ServeProcess serve;
    /** `/metrics` and the log right after `/ready`, before any test asked anything. */
    private static String metricsAtReady;
    private static String logAtReady;

    @BeforeAll
    static void start() {
        Assumptions.assumeTrue(CommandResult.onPath("dig") && CommandResult.onPath("kdig"), "needs dig and kdig");
        serve = ServeProcess.start(serveArgs());
        metricsAtReady = serve.http("/metrics");
        logAtReady = serve.output();
    }

    /** The fixture manifests; ServeProcess adds `--upstream none`, so names outside stay REFUSED. */
    static List<String> serveArgs() {
        return new ArrayList<>(List.of("--log-queries", "--manifests",
                ServeProcess.root().resolve("tests/src/test/resources/dns/cluster.yaml").toString()));
    }

    @AfterAll
    static void stop() {
        if (serve != null) {
            serve.close();
        }
    }

    /** dig's full output for one question. */
    static Dig dig(String... args) {
        List<String> cmd = new ArrayList<>(List.of("dig", "@127.0.0.1", "-p", String.valueOf(serve.dnsPort()),
                "+time=3", "+tries=1"));
        cmd.addAll(List.of(args));
        CommandResult r = CommandResult.run(cmd, ServeProcess.root());
        return new Dig(r.stdout());
    }

    static Dig kdig(String... args) {
        List<String> cmd = new ArrayList<>(List.of("kdig", "@127.0.0.1", "-p", String.valueOf(serve.dnsPort()),
                "+time=3", "+retry=0"));
        cmd.addAll(List.of(args));
        CommandResult r = CommandResult.run(cmd, ServeProcess.root());
        return new Dig(r.stdout());
    }

    /** The parts of dig/kdig output the tests look at. */
    record Dig(String out) {
        String status() {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("status: ([A-Z]+)").matcher(out);
            return m.find() ? m.group(1) : "(none)";
        }

        /** Header flags; dig prints `;; flags: qr aa rd;`, kdig `;; Flags: qr aa rd;`. */
        Set<String> flags() {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i);; flags:([a-z ]*);").matcher(out);
            assertTrue(m.find(), out);
            String f = m.group(1).trim();
            return f.isEmpty() ? Set.of() : new TreeSet<>(List.of(f.split("\\s+")));
        }

        /** Records of one section (`ANSWER`, `AUTHORITY`, `ADDITIONAL`) as "owner type rdata", TTL dropped. */
        Set<String> section(String name) {
            Set<String> rows = new TreeSet<>();
            boolean in = false;
            for (String line : out.split("\n")) {
                if (line.startsWith(";; " + name + " SECTION:") || line.startsWith(";; " + name + " SECTION")) {
                    in = true;
                    continue;
                }
                if (in) {
                    if (line.isBlank() || line.startsWith(";;")) {
                        break;
                    }
                    String[] p = line.trim().split("\\s+");
                    if (p.length >= 5) {
                        StringBuilder sb = new StringBuilder(p[0]).append(' ').append(p[3]);
                        for (int k = 4; k < p.length; k++) {
                            sb.append(' ').append(p[k]);
                        }
                        rows.add(sb.toString());
                    }
                }
            }
            return rows;
        }

        int ttl(String section) {
            boolean in = false;
            for (String line : out.split("\n")) {
                if (line.startsWith(";; " + section + " SECTION")) {
                    in = true;
                } else if (in && !line.isBlank()) {
                    return Integer.parseInt(line.trim().split("\\s+")[1]);
                }
            }
            return -1;
        }
    }

    @Test
    void clusterIpServiceOverUdpAndTcp() {
        for (Dig d : List.of(dig("my-nginx.default.svc.cluster.local", "A"),
                dig("+tcp", "my-nginx.default.svc.cluster.local", "A"),
                kdig("my-nginx.default.svc.cluster.local", "A"), kdig("+tcp", "my-nginx.default.svc.cluster.local", "A"))) {
            assertEquals("NOERROR", d.status(), d.out());
            assertEquals(Set.of("qr", "aa", "rd"), d.flags(), d.out());
            assertEquals(Set.of("my-nginx.default.svc.cluster.local. A 127.96.0.80"), d.section("ANSWER"), d.out());
            assertEquals(5, d.ttl("ANSWER"));
        }
    }

    @Test
    void negativeAnswersCarryTheSoa() {
        Dig nx = dig("nosuch.shop.svc.cluster.local", "A");
        assertEquals("NXDOMAIN", nx.status(), nx.out());
        assertTrue(nx.flags().contains("aa"));
        assertEquals(Set.of("cluster.local. SOA ns.dns.cluster.local. hostmaster.cluster.local."),
                nx.section("AUTHORITY").stream().map(s -> s.substring(0, s.indexOf("hostmaster.cluster.local.") + 25))
                        .collect(java.util.stream.Collectors.toSet()), nx.out());
        assertTrue(nx.out().contains("7200 1800 86400 5"), nx.out());
        Dig nodata = dig("web.shop.svc.cluster.local", "AAAA");
        assertEquals("NOERROR", nodata.status());
        assertTrue(nodata.section("ANSWER").isEmpty());
        assertEquals(1, nodata.section("AUTHORITY").size(), nodata.out());
        Dig ent = kdig("shop.svc.cluster.local", "A");
        assertEquals("NOERROR", ent.status(), ent.out());
        assertEquals(1, ent.section("AUTHORITY").size(), ent.out());
    }

    @Test
    void srvWithGlueHeadlessAndEndpointNames() {
        Dig srv = dig("_http._tcp.web.shop.svc.cluster.local", "SRV");
        assertEquals(Set.of("_http._tcp.web.shop.svc.cluster.local. SRV 0 100 80 web.shop.svc.cluster.local."),
                srv.section("ANSWER"), srv.out());
        assertEquals(Set.of("web.shop.svc.cluster.local. A 127.96.0.50"), srv.section("ADDITIONAL"), srv.out());
        Dig db = kdig("_mysql._tcp.db.shop.svc.cluster.local", "SRV");
        assertEquals(Set.of("_mysql._tcp.db.shop.svc.cluster.local. SRV 0 50 3306 db-0.db.shop.svc.cluster.local.",
                "_mysql._tcp.db.shop.svc.cluster.local. SRV 0 50 3306 db-1.db.shop.svc.cluster.local."),
                db.section("ANSWER"), db.out());
        assertEquals(Set.of("db-0.db.shop.svc.cluster.local. A 10.244.3.1", "db-1.db.shop.svc.cluster.local. A 10.244.3.2"),
                db.section("ADDITIONAL"), db.out());
        assertEquals(Set.of("db-1.db.shop.svc.cluster.local. A 10.244.3.2"),
                dig("db-1.db.shop.svc.cluster.local").section("ANSWER"));
        assertEquals(Set.of("10-244-2-1.web.shop.svc.cluster.local. A 10.244.2.1"),
                dig("10-244-2-1.web.shop.svc.cluster.local").section("ANSWER"));
        assertEquals("NXDOMAIN", dig("10-244-2-3.web.shop.svc.cluster.local").status(), "not ready");
    }

    @Test
    void externalNameChasedInZoneAndPtr() {
        Dig alias = dig("alias.shop.svc.cluster.local", "A");
        assertEquals(Set.of("alias.shop.svc.cluster.local. CNAME web.shop.svc.cluster.local.",
                "web.shop.svc.cluster.local. A 127.96.0.50"), alias.section("ANSWER"), alias.out());
        assertEquals(Set.of("50.0.96.127.in-addr.arpa. PTR web.shop.svc.cluster.local."),
                dig("-x", "127.96.0.50").section("ANSWER"));
        assertEquals(Set.of("1.3.244.10.in-addr.arpa. PTR db-0.db.shop.svc.cluster.local."),
                kdig("-x", "10.244.3.1").section("ANSWER"));
        Dig unknown = dig("-x", "127.96.9.9");
        assertEquals("NXDOMAIN", unknown.status(), unknown.out());
        assertTrue(unknown.out().contains("127.in-addr.arpa."), unknown.out());
    }

    @Test
    void apexVersionAndPods() {
        assertEquals(Set.of("cluster.local. NS ns.dns.cluster.local."), dig("cluster.local", "NS").section("ANSWER"));
        assertEquals(Set.of("dns-version.cluster.local. TXT \"1.1.0\""),
                dig("dns-version.cluster.local", "TXT").section("ANSWER"));
        assertEquals(Set.of("10-1-2-3.shop.pod.cluster.local. A 10.1.2.3"),
                dig("10-1-2-3.shop.pod.cluster.local").section("ANSWER"));
    }

    @Test
    void caseIsEchoed() {
        Dig d = dig("MY-nGiNx.DeFaUlT.sVc.CLUSTER.local", "A");
        assertTrue(d.out().matches("(?s).*\n;MY-nGiNx\\.DeFaUlT\\.sVc\\.CLUSTER\\.local\\.\\s+IN\\s+A\n.*"), d.out());
        assertEquals(Set.of("MY-nGiNx.DeFaUlT.sVc.CLUSTER.local. A 127.96.0.80"), d.section("ANSWER"), d.out());
    }

    @Test
    void truncationThenTcpForLargeHeadlessServices() {
        Dig udp = dig("+ignore", "+noedns", "big.shop.svc.cluster.local", "A");
        assertTrue(udp.flags().contains("tc"), udp.out());
        Dig retried = dig("big.shop.svc.cluster.local", "A");
        assertEquals(80, retried.section("ANSWER").size(), retried.out());
        Dig kdigTcp = kdig("+tcp", "big.shop.svc.cluster.local", "A");
        assertEquals(80, kdigTcp.section("ANSWER").size(), kdigTcp.out());
    }

    /** RFC 8906 §8, one dig line each. */
    @Test
    void rfc8906Checklist() {
        Dig plain = dig("+norec", "+noedns", "cluster.local", "SOA");
        assertEquals(Set.of("qr", "aa"), plain.flags(), plain.out());
        assertFalse(plain.out().contains("OPT PSEUDOSECTION"), plain.out());
        Dig unknownType = dig("web.shop.svc.cluster.local", "TYPE1000");
        assertEquals("NOERROR", unknownType.status());
        Dig bits = dig("+cd", "+adflag", "+zflag", "cluster.local", "SOA");
        assertEquals("NOERROR", bits.status());
        assertFalse(bits.flags().contains("ad"), bits.out());
        assertFalse(bits.out().contains("MBZ"), bits.out());
        Dig opcode = dig("+opcode=15", "+header-only", "cluster.local", "SOA");
        assertEquals("NOTIMP", opcode.status(), opcode.out());
        assertFalse(opcode.flags().contains("aa"));
        Dig edns = dig("+edns=0", "cluster.local", "SOA");
        assertTrue(edns.out().contains("EDNS: version: 0, flags:; udp: 1232"), edns.out());
        Dig v1 = dig("+edns=1", "+noednsneg", "cluster.local", "SOA");
        assertEquals("BADVERS", v1.status(), v1.out());
        assertFalse(v1.flags().contains("aa"));
        assertTrue(v1.out().contains("EDNS: version: 0"), v1.out());
        Dig option = dig("+ednsopt=100", "cluster.local", "SOA");
        assertEquals("NOERROR", option.status());
        assertFalse(option.out().contains("OPT=100"), option.out());
        Dig flag = dig("+ednsflags=0x40", "cluster.local", "SOA");
        assertTrue(flag.out().contains("EDNS: version: 0, flags:; udp"), flag.out());
        Dig dnssecOk = dig("+dnssec", "cluster.local", "SOA");
        assertTrue(dnssecOk.out().contains("flags: do;"), dnssecOk.out());
        Dig badversDo = dig("+edns=1", "+noednsneg", "+dnssec", "cluster.local", "SOA");
        assertEquals("BADVERS", badversDo.status());
        Dig small = dig("+bufsize=512", "+ignore", "big.shop.svc.cluster.local", "A");
        assertTrue(small.flags().contains("tc"), small.out());
        Dig tcp = dig("+tcp", "cluster.local", "SOA");
        assertEquals("NOERROR", tcp.status());
    }

    @Test
    void outsideEveryZoneWithoutUpstreamIsRefused() {
        Dig d = dig("example.org", "A");
        assertEquals("REFUSED", d.status(), d.out());
    }

    @Test
    void zoneTransferOverTcp() {
        Dig axfr = dig("cluster.local", "AXFR");
        assertTrue(axfr.out().contains("web.shop.svc.cluster.local. 5 IN\tA\t127.96.0.50")
                || axfr.out().contains("web.shop.svc.cluster.local. 5\tIN\tA\t127.96.0.50"), axfr.out());
        assertEquals(2, axfr.out().lines().filter(l -> l.contains("\tSOA\t")).count(), axfr.out());
        // CoreDNS's record set: no addresses at SRV-shaped names, no endpoint names of a ClusterIP
        // Service, SRV records of a ClusterIP Service with weight 100 pointing at the Service.
        List<String> records = axfr.out().lines().filter(l -> !l.startsWith(";") && !l.isBlank())
                .map(l -> String.join(" ", l.trim().split("\\s+"))).toList();
        assertTrue(records.stream().noneMatch(l -> l.startsWith("_") && (l.contains(" IN A ") || l.contains(" IN AAAA "))),
                axfr.out());
        assertTrue(records.stream().noneMatch(l -> l.startsWith("10-244-2-1.web.shop.")), axfr.out());
        assertTrue(records.contains("_http._tcp.web.shop.svc.cluster.local. 5 IN SRV 0 100 80 web.shop.svc.cluster.local."),
                axfr.out());
        assertTrue(records.contains("web.shop.svc.cluster.local. 5 IN SRV 0 100 443 web.shop.svc.cluster.local."),
                axfr.out());
    }

    /** RFC 8482: ANY at an existing name answers one RRset; unknown opcodes get RD and CD cleared. */
    @Test
    void anyIsOneRrsetAndOtherOpcodesClearRdCd() {
        Dig any = dig("web.shop.svc.cluster.local", "ANY");
        assertEquals("NOERROR", any.status(), any.out());
        assertEquals(Set.of("web.shop.svc.cluster.local. A 127.96.0.50"), any.section("ANSWER"), any.out());
        Dig kany = kdig("+tcp", "_http._tcp.web.shop.svc.cluster.local", "ANY");
        assertEquals(1, kany.section("ANSWER").stream().map(r -> r.split(" ")[1]).distinct().count(), kany.out());
        Dig opcode = dig("+opcode=15", "+rec", "+cdflag", "+header-only", "cluster.local", "SOA");
        assertEquals("NOTIMP", opcode.status(), opcode.out());
        assertEquals(Set.of("qr"), opcode.flags(), "RD, CD, AD and RA are defined for QUERY only: " + opcode.out());
    }

    @Test
    void metricsCountQueries() {
        dig("my-nginx.default.svc.cluster.local", "A");
        String metrics = serve.http("/metrics");
        String server = "dns://127.0.0.1:" + serve.dnsPort();
        // CoreDNS's metric names and labels, so its dashboards and alerts work unchanged.
        assertTrue(metrics.contains("coredns_dns_requests_total{family=\"1\",proto=\"udp\",server=\"" + server
                + "\",type=\"A\",view=\"\",zone=\".\"}"), metrics);
        assertTrue(metrics.contains("coredns_dns_responses_total{plugin=\"cluster\",rcode=\"NOERROR\",server=\"" + server
                + "\",view=\"\",zone=\".\"}"), metrics);
        assertTrue(metrics.contains("coredns_dns_request_duration_seconds_bucket{server=\"" + server
                + "\",type=\"A\",view=\"\",zone=\".\",le=\"2.5E-4\"}"), metrics);
        assertTrue(metrics.contains("coredns_dns_response_size_bytes_bucket"), metrics);
        assertTrue(metrics.contains("coredns_dns_request_size_bytes_bucket"), metrics);
        assertFalse(metrics.contains("clusterdns_dns_"), metrics);
    }

    /** The server's own warm-up before `/ready` is neither counted nor logged: a fresh server has seen no query. */
    @Test
    void aFreshServerHasCountedAndLoggedNoQuery() {
        List<String> requests = metricsAtReady.lines().filter(l -> l.startsWith("coredns_dns_requests_total{")).toList();
        assertFalse(requests.isEmpty(), metricsAtReady);
        assertTrue(requests.stream().allMatch(l -> l.endsWith(" 0.0")), String.join("\n", requests));
        assertFalse(metricsAtReady.lines().anyMatch(l -> l.startsWith("coredns_dns_responses_total{")
                && !l.endsWith(" 0.0")), metricsAtReady);
        assertFalse(logAtReady.contains("warm-up.invalid-namespace"), logAtReady);
        assertFalse(logAtReady.contains("dns-version.cluster.local"), logAtReady);
    }

    /** `--log-queries`: one line per query in CoreDNS's `log` format. */
    @Test
    void queriesAreLoggedInCoreDnsFormat() throws Exception {
        Dig d = dig("+norec", "+bufsize=1232", "+noadflag", "+nocookie", "Web.Shop.svc.cluster.local", "A");
        assertEquals("NOERROR", d.status(), d.out());
        java.util.regex.Pattern line = java.util.regex.Pattern.compile("127\\.0\\.0\\.1:\\d+ - \\d+ "
                + "\"A IN Web\\.Shop\\.svc\\.cluster\\.local\\. udp \\d+ false 1232\" NOERROR qr,aa \\d+ [0-9.E-]+s");
        String log = "";
        for (int i = 0; i < 50 && !line.matcher(log).find(); i++) {
            Thread.sleep(100); // the log is written by the server process
            log = serve.output();
        }
        assertTrue(line.matcher(log).find(), log);
    }
}
