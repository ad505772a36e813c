package dev.clusterdns.cli.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clusterdns.dns.cache.CacheConfig;
import dev.clusterdns.dns.forward.ForwardConfig;
import dev.clusterdns.dns.forward.ForwardPolicy;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;
import picocli.CommandLine;

class ResolverOptionsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final java.util.Set<InetSocketAddress> OWN = java.util.Set.of(new InetSocketAddress("127.0.0.1", 1053));

    static ResolverOptions parse(String... args) {
        ResolverOptions o = new ResolverOptions();
        new CommandLine(o).parseArgs(args);
        return o;
    }

    static JsonNode yaml(String json) throws Exception {
        return JSON.readTree(json);
    }

    @Test
    void upstreamsPolicyAndLimits() throws Exception {
        ForwardConfig c = parse("--upstream", "127.0.0.1:5300", "--upstream", "::1", "--forward-policy", "round_robin",
                "--max-fails", "3", "--max-concurrent", "50", "--forward-timeout", "700").forwardConfig(yaml("{}"), OWN);
        assertEquals(List.of(new InetSocketAddress("127.0.0.1", 5300), new InetSocketAddress("::1", 53)), c.upstreams());
        assertEquals(ForwardPolicy.ROUND_ROBIN, c.policy());
        assertEquals(3, c.maxFails());
        assertEquals(50, c.maxConcurrent());
        assertEquals(Duration.ofMillis(700), c.timeout());
        assertTrue(c.ownAddresses().contains(new InetSocketAddress("127.0.0.1", 1053)), "our listen address is never an upstream");
    }

    @Test
    void noneDisablesForwardingButKeepsStubDomains() throws Exception {
        ForwardConfig c = parse("--upstream", "none").forwardConfig(yaml("{\"stubDomains\": {\"corp.example\": [\"127.0.0.1:5300\"]}}"), OWN);
        assertEquals(List.of(), c.upstreams());
        assertEquals(List.of(new InetSocketAddress("127.0.0.1", 5300)), c.stubDomains().get(Name.fromString("corp.example.")));
    }

    @Test
    void badInputNamesTheFlagOrKey() {
        IllegalArgumentException cidr = assertThrows(IllegalArgumentException.class,
                () -> parse("--upstream", "none", "--allow-recursion", "10.0.0.0/33").forwardConfig(yaml("{}"), OWN));
        assertEquals("--allow-recursion '10.0.0.0/33': not a CIDR (e.g. 10.0.0.0/8 or ::1/128)", cidr.getMessage());
        IllegalArgumentException stub = assertThrows(IllegalArgumentException.class,
                () -> parse("--upstream", "none").forwardConfig(yaml("{\"stubDomains\": {\"corp.example\": \"127.0.0.1\"}}"), OWN));
        assertEquals("stubDomains.corp.example: expected a list of HOST[:PORT] upstreams", stub.getMessage());
        IllegalArgumentException port = assertThrows(IllegalArgumentException.class,
                () -> parse("--upstream", "127.0.0.1:99999").forwardConfig(yaml("{}"), OWN));
        assertTrue(port.getMessage().startsWith("--upstream '127.0.0.1:99999': "), port.getMessage());
        IllegalArgumentException policy = assertThrows(IllegalArgumentException.class,
                () -> parse("--upstream", "none", "--forward-policy", "fastest").forwardConfig(yaml("{}"), OWN));
        assertEquals("unknown forward policy 'fastest': use random, round_robin or sequential", policy.getMessage());
    }

    @Test
    void cacheFlags() {
        CacheConfig c = parse("--cache-size", "100", "--cache-min-ttl", "0", "--cache-max-ttl", "60",
                "--cache-denial-max-ttl", "30", "--serve-stale", "600", "--prefetch", "0").cacheConfig();
        assertEquals(100, c.maxEntries());
        assertEquals(0, c.minTtl());
        assertEquals(60, c.maxTtl());
        assertEquals(30, c.maxDenialTtl());
        assertEquals(Duration.ofMinutes(10), c.serveStale());
        assertEquals(0, c.prefetchHits());
        assertEquals(CacheConfig.defaults(), parse().cacheConfig());
        assertThrows(IllegalArgumentException.class, () -> parse("--cache-min-ttl", "100", "--cache-max-ttl", "10").cacheConfig());
    }
}
