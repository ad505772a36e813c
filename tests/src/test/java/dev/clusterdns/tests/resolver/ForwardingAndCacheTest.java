package dev.clusterdns.tests.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.tests.ServeProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Forwarding to a real upstream (NSD on loopback), caching with TTL countdown, negative caching, and
 * serve-stale after the upstream is stopped; recursion and transfer ACLs.
 */
class ForwardingAndCacheTest {
    static final Path UPSTREAM_ZONE = Path.of("src/test/resources/resolver/upstream.test.zone");

    @BeforeEach
    void tools() {
        Assumptions.assumeTrue(Nsd.installed(), "nsd is not installed: skipping forwarding tests against a real upstream");
        Assumptions.assumeTrue(Dig.installed(), "dig is not installed");
    }

    static Path emptyDir() throws Exception {
        return Files.createTempDirectory("no-zones");
    }

    @Test
    void forwardsCachesAndServesStaleAfterTheUpstreamStops() throws Exception {
        Nsd nsd = Nsd.start(Map.of("upstream.test", UPSTREAM_ZONE));
        try (ServeProcess serve = ServeProcess.start("--zonefiles", emptyDir().toString(),
                "--upstream", "127.0.0.1:" + nsd.port(), "--serve-stale", "3600", "--cache-min-ttl", "1")) {
            try {
                Dig.assumeAnswering(serve.dnsPort());
                Dig direct = Dig.query(nsd.port(), "www.upstream.test", "A");
                Dig first = Dig.query(serve.dnsPort(), "www.upstream.test", "A");
                assertEquals("NOERROR", first.status(), first.raw());
                assertEquals(direct.answerWithoutTtl().stream().sorted().toList(), first.answerWithoutTtl().stream().sorted().toList());
                assertTrue(direct.flags().contains("aa"), "the upstream answers authoritatively: " + direct.raw());
                assertTrue(!first.flags().contains("aa") && first.flags().contains("ra"),
                        "a forwarded answer is ours as a resolver: AA cleared, RA set: " + first.raw());

                Nsd.sleep(1100);
                Dig second = Dig.query(serve.dnsPort(), "www.upstream.test", "A");
                assertTrue(second.firstTtl() < 300, "the cached TTL counts down: " + second.answer());
                assertTrue(!second.flags().contains("aa") && second.flags().contains("ra"), "cached: " + second.raw());
                String metrics = serve.http("/metrics");
                assertTrue(metrics.contains("coredns_cache_hits_total{type=\"success\"}"), metrics);
                assertTrue(metrics.contains("coredns_forward_requests_total{to=\"127.0.0.1:" + nsd.port() + "\"}"), metrics);

                Dig cname = Dig.query(serve.dnsPort(), "alias.upstream.test", "A");
                assertEquals(direct.answerWithoutTtl().size() + 1, cname.answer().size(), cname.raw());

                Dig nx = Dig.query(serve.dnsPort(), "missing.upstream.test", "A");
                assertEquals("NXDOMAIN", nx.status());
                assertTrue(nx.authority().get(0).contains(" soa "), nx.raw());
                assertEquals("2", nx.authority().get(0).split(" ")[1], "negative TTL = min(SOA TTL, MINIMUM)");

                Dig shortTtl = Dig.query(serve.dnsPort(), "short.upstream.test", "A");
                assertEquals(1, shortTtl.firstTtl());
            } finally {
                nsd.close();
            }
            Nsd.sleep(1500); // `short` (TTL 1) has expired in the cache
            Dig stale = Dig.query(serve.dnsPort(), "short.upstream.test", "A");
            assertEquals("NOERROR", stale.status(), stale.raw());
            assertEquals(30, stale.firstTtl(), "RFC 8767 stale TTL");
            assertTrue(serve.http("/metrics").contains("coredns_cache_served_stale_total 1"));
            Dig neverSeen = Dig.query(serve.dnsPort(), "new.upstream.test", "A");
            assertEquals("SERVFAIL", neverSeen.status(), "every upstream failed and nothing is cached");
        }
    }

    @Test
    void recursionAndTransfersAreRefusedOutsideTheirAcls() throws Exception {
        Nsd nsd = Nsd.start(Map.of("upstream.test", UPSTREAM_ZONE));
        try (nsd; ServeProcess serve = ServeProcess.start("--upstream", "127.0.0.1:" + nsd.port(),
                "--allow-recursion", "10.0.0.0/8", "--transfer-to", "10.0.0.0/8")) {
            Dig.assumeAnswering(serve.dnsPort());
            assertEquals("REFUSED", Dig.query(serve.dnsPort(), "www.upstream.test", "A").status(), "not an open resolver");
            Dig authoritative = Dig.query(serve.dnsPort(), "www.example.net", "A");
            assertEquals("NOERROR", authoritative.status(), "zone files still answer everyone");
            Dig axfr = Dig.query(serve.dnsPort(), "example.net", "AXFR");
            assertTrue(axfr.raw().contains("Transfer failed") || axfr.raw().contains("REFUSED"), axfr.raw());
        }
    }

    @Test
    void perDomainUpstreamsFromTheConfigFile() throws Exception {
        Nsd nsd = Nsd.start(Map.of("upstream.test", UPSTREAM_ZONE));
        Path config = Files.createTempFile("clusterdns", ".yaml");
        Files.writeString(config, "stubDomains:\n  upstream.test: [\"127.0.0.1:" + nsd.port() + "\"]\n");
        try (nsd; ServeProcess serve = ServeProcess.start("--config", config.toString(), "--upstream", "none")) {
            Dig.assumeAnswering(serve.dnsPort());
            assertEquals("NOERROR", Dig.query(serve.dnsPort(), "www.upstream.test", "A").status());
            assertEquals("REFUSED", Dig.query(serve.dnsPort(), "www.elsewhere.test", "A").status(), "no default upstream");
        }
    }
}
