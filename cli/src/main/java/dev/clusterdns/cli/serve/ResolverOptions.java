package dev.clusterdns.cli.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clusterdns.agent.net.Cidr;
import dev.clusterdns.dns.acl.AclSetup;
import dev.clusterdns.dns.autopath.AutopathSetup;
import dev.clusterdns.dns.cache.CacheConfig;
import dev.clusterdns.dns.cache.CacheSetup;
import dev.clusterdns.dns.cluster.PodMode;
import dev.clusterdns.dns.file.FileSetup;
import dev.clusterdns.dns.forward.ForwardConfig;
import dev.clusterdns.dns.forward.ForwardPolicy;
import dev.clusterdns.dns.forward.ForwardSetup;
import dev.clusterdns.dns.forward.HostResolvConf;
import dev.clusterdns.dns.hosts.HostsSetup;
import dev.clusterdns.dns.loadbalance.LoadbalanceSetup;
import dev.clusterdns.dns.pipeline.StageSetup;
import dev.clusterdns.dns.transfer.TransferSetup;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;
import picocli.CommandLine.Option;

/**
 * Zone files, hosts file, forwarding, cache, autopath, loadbalance and transfer flags (each also
 * settable in the `--config` YAML under its flag name). Per-domain upstreams exist only in the YAML:
 * `stubDomains: {"corp.example": ["127.0.0.1:5300"]}`.
 */
@picocli.CommandLine.Command
public final class ResolverOptions {

    @Option(names = "--zonefiles", paramLabel = "DIR", description = "Directory of RFC 1035 master files served authoritatively (default zonefiles).")
    Path zonefiles;

    @Option(names = "--upstream", paramLabel = "HOST[:PORT]", description = "Upstream DNS server for forwarding (repeatable; default: the nameservers of /etc/resolv.conf; 'none' disables forwarding).")
    List<String> upstreams;

    @Option(names = "--forward-policy", paramLabel = "POLICY", description = "Upstream choice: random (default), round_robin or sequential.")
    String forwardPolicy;

    @Option(names = "--forward-timeout", paramLabel = "MILLIS", description = "Per-upstream read timeout in milliseconds (default 2000).")
    Long forwardTimeout;

    @Option(names = "--max-fails", paramLabel = "N", description = "Consecutive failures that mark an upstream unhealthy (default 2; 0 never).")
    Integer maxFails;

    @Option(names = "--max-concurrent", paramLabel = "N", description = "In-flight forwarded queries beyond which new ones get REFUSED (default 1000).")
    Integer maxConcurrent;

    @Option(names = "--allow-recursion", paramLabel = "CIDR", description = "Clients allowed to use forwarding and the cache (repeatable; default loopback and private ranges).")
    List<String> allowRecursion;

    @Option(names = "--transfer-to", paramLabel = "CIDR", description = "Clients allowed AXFR/IXFR over TCP (repeatable; default loopback).")
    List<String> transferTo;

    @Option(names = "--autopath", description = "Server-side search-path completion for pods found by source IP.")
    Boolean autopath;

    @Option(names = "--cache-size", paramLabel = "N", description = "Entries in each of the success and denial caches (default 10000; 0 disables the cache).")
    Long cacheSize;

    @Option(names = "--cache-min-ttl", paramLabel = "SECONDS", description = "Lowest TTL of a cached answer (default 5).")
    Long cacheMinTtl;

    @Option(names = "--cache-max-ttl", paramLabel = "SECONDS", description = "Highest TTL of a cached positive answer (default 3600).")
    Long cacheMaxTtl;

    @Option(names = "--cache-denial-max-ttl", paramLabel = "SECONDS", description = "Highest TTL of a cached NXDOMAIN/NODATA (default 1800).")
    Long cacheDenialMaxTtl;

    @Option(names = "--serve-stale", paramLabel = "SECONDS", description = "Serve expired cache entries for this long when upstreams fail (RFC 8767; default 0 = off).")
    Long serveStale;

    @Option(names = "--prefetch", paramLabel = "HITS", description = "Refresh entries with this many hits (a minute apart at most) before they expire (default 10; 0 = off).")
    Integer prefetch;

    @Option(names = "--loadbalance", description = "Shuffle A/AAAA records in every answer.")
    Boolean loadbalance;

    @Option(names = "--hosts", paramLabel = "FILE", description = "Answer names from an /etc/hosts-format file (re-read on change).")
    Path hosts;

    static final Path HOST_RESOLV_CONF = Path.of("/etc/resolv.conf");

    /**
     * The setups of every resolver stage these flags turn on (their place in the pipeline is
     * {@link dev.clusterdns.dns.pipeline.StageOrder}'s business, not this list's).
     *
     * @param ownListen our DNS listen addresses: never an upstream
     * @param pods the cluster zone's pod mode (autopath needs `verified`)
     */
    public List<StageSetup> setups(ServeContext context, List<InetSocketAddress> ownListen, PodMode pods) {
        JsonNode yaml = yaml(context);
        List<StageSetup> setups = new ArrayList<>();
        if (Boolean.TRUE.equals(loadbalance)) {
            setups.add(new LoadbalanceSetup());
        }
        setups.add(new TransferSetup(cidrs(or(transferTo, TransferSetup.DEFAULT_TRANSFER_TO), "--transfer-to")));
        if (Boolean.TRUE.equals(autopath)) {
            setups.add(new AutopathSetup(pods, HostResolvConf.read(HOST_RESOLV_CONF).search()));
        }
        setups.add(FileSetup.of(zonefiles));
        setups.add(new HostsSetup(hosts));
        ForwardConfig forward = forwardConfig(yaml, Set.copyOf(ownListen));
        setups.add(new AclSetup(forward.allowRecursion()));
        setups.add(new CacheSetup(cacheConfig()));
        setups.add(new ForwardSetup(forward));
        return setups;
    }

    ForwardConfig forwardConfig(JsonNode yaml, Set<InetSocketAddress> ownListen) {
        List<String> up = or(upstreams, null);
        List<InetSocketAddress> addresses = new ArrayList<>();
        if (up == null) {
            for (String ns : HostResolvConf.read(HOST_RESOLV_CONF).nameservers()) {
                addresses.add(HostPort.parse(ns.contains(":") && !ns.startsWith("[") ? "[" + ns + "]" : ns, 53));
            }
        } else if (!(up.size() == 1 && up.get(0).equalsIgnoreCase("none"))) {
            for (String u : up) {
                if (u.equalsIgnoreCase("none")) {
                    throw new IllegalArgumentException("--upstream none cannot be combined with other upstreams");
                }
                addresses.add(upstream(u, "--upstream"));
            }
        }
        Map<Name, List<InetSocketAddress>> stubs = new LinkedHashMap<>();
        JsonNode stubNode = yaml.path("stubDomains");
        for (Iterator<Map.Entry<String, JsonNode>> it = stubNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String where = "stubDomains." + e.getKey();
            Name domain;
            try {
                domain = Name.fromString(e.getKey().endsWith(".") ? e.getKey() : e.getKey() + ".");
            } catch (TextParseException ex) {
                throw new IllegalArgumentException(where + ": not a domain name: " + ex.getMessage());
            }
            if (!e.getValue().isArray() || e.getValue().isEmpty()) {
                throw new IllegalArgumentException(where + ": expected a list of HOST[:PORT] upstreams");
            }
            List<InetSocketAddress> list = new ArrayList<>();
            e.getValue().forEach(v -> list.add(upstream(v.asText(), where)));
            stubs.put(domain, list);
        }
        String policyText = forwardPolicy != null ? forwardPolicy : "random";
        long timeout = forwardTimeout != null ? forwardTimeout : 2000;
        if (timeout <= 0) {
            throw new IllegalArgumentException("--forward-timeout must be > 0 milliseconds, got " + timeout);
        }
        int fails = maxFails != null ? maxFails : 2;
        int concurrent = maxConcurrent != null ? maxConcurrent : 1000;
        if (fails < 0 || concurrent < 1) {
            throw new IllegalArgumentException("--max-fails must be >= 0 and --max-concurrent >= 1");
        }
        List<Cidr> allow = cidrs(or(allowRecursion, ForwardConfig.DEFAULT_ALLOW_RECURSION), "--allow-recursion");
        return ForwardConfig.defaults(addresses)
                .withStubDomains(stubs)
                .withPolicy(ForwardPolicy.parse(policyText), fails, concurrent)
                .withTimeouts(Duration.ofMillis(timeout), Duration.ofMillis(Math.max(5000, timeout)))
                .withAccess(allow, ownListen);
    }

    CacheConfig cacheConfig() {
        CacheConfig d = CacheConfig.defaults();
        long size = cacheSize != null ? cacheSize : d.maxEntries();
        long min = cacheMinTtl != null ? cacheMinTtl : d.minTtl();
        long max = cacheMaxTtl != null ? cacheMaxTtl : d.maxTtl();
        long denialMax = cacheDenialMaxTtl != null ? cacheDenialMaxTtl : d.maxDenialTtl();
        long stale = serveStale != null ? serveStale : 0;
        int hits = prefetch != null ? prefetch : d.prefetchHits();
        if (stale < 0 || hits < 0) {
            throw new IllegalArgumentException("--serve-stale and --prefetch must be >= 0");
        }
        return d.withSize(size).withTtls(min, max, denialMax).withServeStale(Duration.ofSeconds(stale))
                .withPrefetch(hits, d.prefetchWindow(), d.prefetchPercent());
    }

    private static InetSocketAddress upstream(String text, String where) {
        String t = text.trim();
        // A bare IPv6 address (two or more colons, no brackets) has no port.
        if (t.indexOf(':') != t.lastIndexOf(':') && !t.startsWith("[")) {
            t = "[" + t + "]";
        }
        try {
            InetSocketAddress a = HostPort.parse(t, 53);
            if (a.isUnresolved()) {
                throw new IllegalArgumentException("cannot resolve host");
            }
            return a;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + " '" + text + "': " + e.getMessage() + " (expected HOST[:PORT], e.g. 192.0.2.53:53)");
        }
    }

    private static List<Cidr> cidrs(List<String> texts, String flag) {
        List<Cidr> out = new ArrayList<>();
        for (String t : texts) {
            try {
                out.add(Cidr.parse(t));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(flag + " '" + t + "': not a CIDR (e.g. 10.0.0.0/8 or ::1/128)");
            }
        }
        return out;
    }

    private static JsonNode yaml(ServeContext context) {
        return context.configFile() == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : context.configFile();
    }

    private static List<String> or(List<String> value, List<String> fallback) {
        return value != null && !value.isEmpty() ? value : fallback;
    }
}
