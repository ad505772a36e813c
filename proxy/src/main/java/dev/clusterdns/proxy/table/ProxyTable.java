package dev.clusterdns.proxy.table;

import dev.clusterdns.agent.model.EndpointPort;
import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.ServicePort;
import dev.clusterdns.agent.model.ServiceSpec;
import dev.clusterdns.agent.net.Cidr;
import dev.clusterdns.agent.net.IpAddresses;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.function.Predicate;

/**
 * Everything the proxy serves for one snapshot: listen address → {@link Route}, plus the balancers
 * by Service port so the next table can keep their cursors and affinity. Immutable once built.
 *
 * <p>Only routes with at least one candidate endpoint are present: a Service port without one has
 * no listener, so the kernel refuses connections at once (RST; ICMP unreachable for UDP), which is
 * what kube-proxy's REJECT rule gives clients.
 */
public final class ProxyTable {

    /** Resolves the metric cells of a Service port. */
    @FunctionalInterface
    public interface MetricsSource {
        PortMetrics forPort(String namespace, String service, String port, Protocol protocol);
    }

    /** Node-local settings that shape the table. */
    /**
     * @param servedElsewhere addresses another part of this process serves itself (the DNS server on
     *     kube-dns's ClusterIP port 53): the proxy leaves them alone
     */
    public record NodeSettings(String nodeName, List<InetAddress> nodeAddresses, List<InetSocketAddress> servedElsewhere) {
        public NodeSettings {
            nodeAddresses = List.copyOf(nodeAddresses);
            servedElsewhere = List.copyOf(servedElsewhere);
        }

        public NodeSettings(String nodeName, List<InetAddress> nodeAddresses) {
            this(nodeName, nodeAddresses, List.of());
        }
    }

    private static final ProxyTable EMPTY = new ProxyTable(Map.of(), Map.of(), List.of());
    private static final InetAddress ANY_V4 = IpAddresses.toInetAddress("0.0.0.0");

    private final Map<ListenKey, Route> routes;
    private final Map<String, Balancer> balancers;
    private final List<String> problems;

    private ProxyTable(Map<ListenKey, Route> routes, Map<String, Balancer> balancers, List<String> problems) {
        this.routes = routes;
        this.balancers = balancers;
        this.problems = problems;
    }

    public static ProxyTable empty() {
        return EMPTY;
    }

    public Map<ListenKey, Route> routes() {
        return routes;
    }

    public Map<String, Balancer> balancers() {
        return balancers;
    }

    /** Things in the snapshot the proxy cannot serve (address conflicts, bad source ranges). */
    public List<String> problems() {
        return problems;
    }

    /** Builds the table for {@code snapshot}, reusing unchanged balancers of {@code previous}. */
    public static ProxyTable build(ClusterSnapshot snapshot, NodeSettings node, ProxyTable previous,
            MetricsSource metrics, Random random) {
        Builder b = new Builder(node, previous, metrics, random);
        for (Service svc : snapshot.services()) {
            if (svc.hasClusterIP()) {
                b.add(svc, snapshot.endpointSlices(svc.metadata().namespace(), svc.metadata().name()));
            }
        }
        return new ProxyTable(Collections.unmodifiableMap(b.routes), Collections.unmodifiableMap(b.balancers),
                List.copyOf(b.problems));
    }

    /** One endpoint of a Service port as the candidate rules read it. */
    private record Candidate(InetSocketAddress address, boolean ready, boolean serving, boolean terminating,
            boolean local) {}

    private static final class Builder {
        private final NodeSettings node;
        private final ProxyTable previous;
        private final MetricsSource metrics;
        private final Random random;
        private final Map<ListenKey, Route> routes = new LinkedHashMap<>();
        private final Map<String, Balancer> balancers = new HashMap<>();
        private final List<String> problems = new ArrayList<>();

        Builder(NodeSettings node, ProxyTable previous, MetricsSource metrics, Random random) {
            this.node = node;
            this.previous = previous;
            this.metrics = metrics;
            this.random = random;
        }

        void add(Service svc, List<EndpointSlice> slices) {
            ServiceSpec spec = svc.spec();
            String ns = svc.metadata().namespace();
            String name = svc.metadata().name();
            List<Cidr> sourceRanges = sourceRanges(svc);
            for (ServicePort sp : spec.ports()) {
                Protocol protocol = protocol(sp.protocolOrTcp());
                if (protocol == null || sp.port() == null) {
                    continue;
                }
                String portName = sp.name() == null ? "" : sp.name();
                String key = ns + "/" + name + ":" + portName + "/" + protocol;
                List<Candidate> all = candidates(sp, slices);
                int affinity = spec.affinityTimeoutSeconds();
                Balancer cluster = balancer(key + "/cluster", select(all, c -> true), affinity);
                Balancer local = balancer(key + "/local", select(all, Candidate::local), affinity);
                Balancer internal = "Local".equals(spec.internalTrafficPolicy()) ? local : cluster;
                Balancer external = "Local".equals(spec.externalTrafficPolicy()) ? local : cluster;
                PortMetrics m = metrics.forPort(ns, name, portName, protocol);
                String label = ns + "/" + name + ":" + (portName.isEmpty() ? String.valueOf(sp.port()) : portName);

                for (String ip : svc.clusterIPs()) {
                    put(protocol, ip, sp.port(), new Route(label, internal, List.of(), m), label);
                }
                if (sp.nodePort() != null && sp.nodePort() > 0 && !Service.TYPE_CLUSTER_IP.equals(spec.type())) {
                    Route r = new Route(label, external, List.of(), m);
                    if (node.nodeAddresses().isEmpty()) {
                        put(new ListenKey(protocol, ANY_V4, sp.nodePort()), r, label);
                    }
                    for (InetAddress a : node.nodeAddresses()) {
                        put(new ListenKey(protocol, a, sp.nodePort()), r, label);
                    }
                }
                for (String ip : spec.externalIPs()) {
                    put(protocol, ip, sp.port(), new Route(label, external, List.of(), m), label);
                }
                for (String ip : svc.loadBalancerIPs()) {
                    put(protocol, ip, sp.port(), new Route(label, external, sourceRanges, m), label);
                }
            }
        }

        private List<Cidr> sourceRanges(Service svc) {
            List<Cidr> out = new ArrayList<>();
            for (String r : svc.spec().loadBalancerSourceRanges()) {
                try {
                    out.add(Cidr.parse(r));
                } catch (IllegalArgumentException e) {
                    // Validation should have caught it; fail closed rather than open the LB to everyone.
                    problems.add(svc.metadata().key() + ": spec.loadBalancerSourceRanges: invalid CIDR \"" + r
                            + "\"; LoadBalancer address not served");
                    return List.of(Cidr.parse("0.0.0.0/32"));
                }
            }
            return out;
        }

        private Balancer balancer(String key, List<InetSocketAddress> endpoints, int affinity) {
            Balancer old = previous.balancers.get(key);
            Balancer b = old == null ? Balancer.create(endpoints, affinity, random) : old.update(endpoints, affinity, random);
            balancers.put(key, b);
            return b;
        }

        private void put(Protocol protocol, String ip, int port, Route route, String owner) {
            InetAddress address;
            try {
                address = IpAddresses.toInetAddress(ip);
            } catch (IllegalArgumentException e) {
                problems.add(owner + ": \"" + ip + "\" is not an IP address");
                return;
            }
            put(new ListenKey(protocol, address, port), route, owner);
        }

        private void put(ListenKey key, Route route, String owner) {
            if (route.balancer().size() == 0
                    || node.servedElsewhere().contains(new InetSocketAddress(key.address(), key.port()))) {
                return;
            }
            Route existing = routes.putIfAbsent(key, route);
            if (existing != null && existing != route && !existing.servicePort().equals(owner)) {
                problems.add(key + " of " + owner + " is already served by " + existing.servicePort());
            }
        }

        /**
         * kube-proxy's candidate rule: the ready endpoints; if none is ready, the serving ones that are
         * terminating (so connections drain to pods on their way out rather than fail).
         */
        private static List<InetSocketAddress> select(List<Candidate> all, Predicate<Candidate> scope) {
            List<InetSocketAddress> ready = new ArrayList<>();
            List<InetSocketAddress> terminating = new ArrayList<>();
            for (Candidate c : all) {
                if (!scope.test(c)) {
                    continue;
                }
                if (c.ready()) {
                    ready.add(c.address());
                } else if (c.serving() && c.terminating()) {
                    terminating.add(c.address());
                }
            }
            return ready.isEmpty() ? terminating : ready;
        }

        /** The endpoints of one Service port: slice ports matched by name and protocol, as kube-proxy does. */
        private List<Candidate> candidates(ServicePort sp, List<EndpointSlice> slices) {
            Map<InetSocketAddress, Candidate> out = new LinkedHashMap<>();
            String wanted = sp.name() == null ? "" : sp.name();
            for (EndpointSlice slice : slices) {
                if ("FQDN".equals(slice.addressType())) {
                    continue;
                }
                Integer port = null;
                for (EndpointPort p : slice.ports()) {
                    String n = p.name() == null ? "" : p.name();
                    if (n.equals(wanted) && p.protocolOrTcp().equals(sp.protocolOrTcp())) {
                        port = p.port();
                        break;
                    }
                }
                if (port == null || port <= 0 || port > 65535) {
                    continue;
                }
                for (EndpointSlice.Endpoint ep : slice.endpoints()) {
                    if (ep.addresses().isEmpty() || !IpAddresses.isValid(ep.addresses().get(0))) {
                        continue;
                    }
                    InetSocketAddress addr = new InetSocketAddress(IpAddresses.toInetAddress(ep.addresses().get(0)), port);
                    boolean local = node.nodeName() != null && Objects.equals(node.nodeName(), ep.nodeName());
                    out.putIfAbsent(addr, new Candidate(addr, ep.isReady(), ep.isServing(), ep.isTerminating(), local));
                }
            }
            return List.copyOf(out.values());
        }

        private static Protocol protocol(String p) {
            return switch (p) {
                case "TCP" -> Protocol.TCP;
                case "UDP" -> Protocol.UDP;
                default -> null;
            };
        }
    }
}
