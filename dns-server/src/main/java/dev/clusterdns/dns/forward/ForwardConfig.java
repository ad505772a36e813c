package dev.clusterdns.dns.forward;

import dev.clusterdns.agent.net.Cidr;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.xbill.DNS.Name;

/**
 * ForwardStage settings.
 *
 * @param upstreams the default upstreams (for `.`); empty disables default forwarding
 * @param stubDomains per-domain upstreams (conditional forwarding), most specific domain wins
 * @param policy upstream order
 * @param maxFails consecutive failures that mark an upstream unhealthy (0 never does)
 * @param timeout per-upstream read timeout
 * @param deadline total time for one query across upstreams
 * @param maxConcurrent in-flight forwarded queries beyond which new ones get REFUSED
 * @param allowRecursion clients that may use forwarding (others get REFUSED: never an open resolver)
 * @param ownAddresses our own DNS listen addresses: never forwarded to (loop)
 * @param healthCheckInterval how often an unhealthy upstream is probed with `. IN NS`
 */
public record ForwardConfig(
        List<InetSocketAddress> upstreams,
        Map<Name, List<InetSocketAddress>> stubDomains,
        ForwardPolicy policy,
        int maxFails,
        Duration timeout,
        Duration deadline,
        int maxConcurrent,
        List<Cidr> allowRecursion,
        Set<InetSocketAddress> ownAddresses,
        Duration healthCheckInterval) {

    public static final List<String> DEFAULT_ALLOW_RECURSION = List.of(
            "127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16",
            "::1/128", "fc00::/7", "fe80::/10");

    public ForwardConfig {
        upstreams = List.copyOf(upstreams);
        stubDomains = Map.copyOf(stubDomains);
        allowRecursion = List.copyOf(allowRecursion);
        ownAddresses = Set.copyOf(ownAddresses);
    }

    /** CoreDNS-like defaults for the given upstreams. */
    public static ForwardConfig defaults(List<InetSocketAddress> upstreams) {
        return new ForwardConfig(upstreams, Map.of(), ForwardPolicy.RANDOM, 2, Duration.ofSeconds(2),
                Duration.ofSeconds(5), 1000, DEFAULT_ALLOW_RECURSION.stream().map(Cidr::parse).toList(), Set.of(),
                Duration.ofMillis(500));
    }

    public ForwardConfig withStubDomains(Map<Name, List<InetSocketAddress>> stubs) {
        return new ForwardConfig(upstreams, stubs, policy, maxFails, timeout, deadline, maxConcurrent, allowRecursion,
                ownAddresses, healthCheckInterval);
    }

    public ForwardConfig withTimeouts(Duration timeout, Duration deadline) {
        return new ForwardConfig(upstreams, stubDomains, policy, maxFails, timeout, deadline, maxConcurrent,
                allowRecursion, ownAddresses, healthCheckInterval);
    }

    public ForwardConfig withPolicy(ForwardPolicy p, int fails, int concurrent) {
        return new ForwardConfig(upstreams, stubDomains, p, fails, timeout, deadline, concurrent, allowRecursion,
                ownAddresses, healthCheckInterval);
    }

    public ForwardConfig withAccess(List<Cidr> allow, Set<InetSocketAddress> own) {
        return new ForwardConfig(upstreams, stubDomains, policy, maxFails, timeout, deadline, maxConcurrent, allow,
                own, healthCheckInterval);
    }

    public ForwardConfig withHealthCheckInterval(Duration interval) {
        return new ForwardConfig(upstreams, stubDomains, policy, maxFails, timeout, deadline, maxConcurrent,
                allowRecursion, ownAddresses, interval);
    }
}
