package dev.clusterdns.proxy.table;

import dev.clusterdns.agent.model.EndpointPort;
import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.ServicePort;
import dev.clusterdns.agent.model.ServiceSpec;
import dev.clusterdns.agent.net.Cidr;
import dev.clusterdns.agent.net.IpAddresses;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.agent.snapshot.SnapshotChange;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.pcollections.HashTreePMap;
import org.pcollections.PMap;

/**
 * Everything the proxy serves for one snapshot: listen address → {@link Route}, plus the balancers
 * by Service port so the next table can keep their cursors and affinity. Immutable once built.
 *
 * <p>Only routes with at least one candidate endpoint are present: a Service port without one has
 * no listener, so the kernel refuses connections at once (RST; ICMP unreachable for UDP), which is
 * what kube-proxy's REJECT rule gives clients.
 *
 * <p>The table is kept per Service ({@link #next}): a snapshot's change set names the Services whose
 * routes are recomputed, everything else is shared (persistent maps), and {@link #changedKeys()}
 * tells the proxy which listeners to touch. When two Services claim one address and port, the first
 * in snapshot order (namespace, then name) serves it and the other is reported.
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

    /** What one Service contributes: its routes in claim order, its balancers, its problems. */
    private record Contribution(List<Map.Entry<ListenKey, Route>> routes, Map<String, Balancer> balancers,
            List<String> problems) {}

    /** A Service claiming a listen key, ordered as the snapshot orders Services. */
    private record Claim(String namespace, String name, Route route) implements Comparable<Claim> {
        @Override
        public int compareTo(Claim o) {
            int c = namespace.compareTo(o.namespace);
            return c != 0 ? c : name.compareTo(o.name);
        }
    }

    private static final ProxyTable EMPTY = new ProxyTable(HashTreePMap.empty(), HashTreePMap.empty(),
            HashTreePMap.empty(), HashTreePMap.empty(), HashTreePMap.empty(), null);
    private static final InetAddress ANY_V4 = IpAddresses.toInetAddress("0.0.0.0");

    private final PMap<String, Contribution> byService;
    private final PMap<ListenKey, List<Claim>> claims;
    private final PMap<ListenKey, Route> routes;
    private final PMap<String, Balancer> balancers;
    private final PMap<ListenKey, String> conflicts;
    private final Set<ListenKey> changedKeys;

    private ProxyTable(PMap<String, Contribution> byService, PMap<ListenKey, List<Claim>> claims,
            PMap<ListenKey, Route> routes, PMap<String, Balancer> balancers, PMap<ListenKey, String> conflicts,
            Set<ListenKey> changedKeys) {
        this.byService = byService;
        this.claims = claims;
        this.routes = routes;
        this.balancers = balancers;
        this.conflicts = conflicts;
        this.changedKeys = changedKeys;
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

    /**
     * The listen keys whose route differs from the table this one was made from (added, replaced or
     * removed); null when every key must be looked at.
     */
    public Set<ListenKey> changedKeys() {
        return changedKeys;
    }

    /** Things in the snapshot the proxy cannot serve (address conflicts, bad source ranges). */
    public List<String> problems() {
        List<String> out = new ArrayList<>();
        byService.values().forEach(c -> out.addAll(c.problems()));
        out.addAll(conflicts.values());
        return out;
    }

    /** Builds the table for {@code snapshot}, reusing unchanged balancers of {@code previous}. */
    public static ProxyTable build(ClusterSnapshot snapshot, NodeSettings node, ProxyTable previous,
            MetricsSource metrics, Random random) {
        return previous.next(snapshot, SnapshotChange.everything(), node, metrics, random);
    }

    /**
     * The table for {@code snapshot}, given what changed since the snapshot this table was made
     * for: only the Services named by {@code change} (or their endpoints) are recomputed.
     */
    public ProxyTable next(ClusterSnapshot snapshot, SnapshotChange change, NodeSettings node,
            MetricsSource metrics, Random random) {
        Set<String> touched = new TreeSet<>();
        if (change.isEverything()) {
            touched.addAll(byService.keySet());
            for (Service svc : snapshot.services()) {
                touched.add(svc.metadata().namespace() + "/" + svc.metadata().name());
            }
        } else {
            touched.addAll(change.services());
            touched.addAll(change.endpointsOf());
        }
        PMap<String, Contribution> nextByService = byService;
        PMap<ListenKey, List<Claim>> nextClaims = claims;
        PMap<String, Balancer> nextBalancers = balancers;
        Set<ListenKey> keys = new java.util.HashSet<>();
        for (String key : touched) {
            int slash = key.indexOf('/');
            String ns = key.substring(0, slash);
            String name = key.substring(slash + 1);
            Contribution old = byService.get(key);
            Service svc = snapshot.service(ns, name).orElse(null);
            Contribution now = null;
            if (svc != null && svc.hasClusterIP()) {
                Builder b = new Builder(node, this, metrics, random);
                b.add(svc, snapshot.endpointSlices(ns, name));
                now = new Contribution(List.copyOf(b.routes), Map.copyOf(b.balancers), List.copyOf(b.problems));
            }
            if (old != null) {
                for (Map.Entry<ListenKey, Route> e : old.routes()) {
                    keys.add(e.getKey());
                    List<Claim> rest = new ArrayList<>(nextClaims.getOrDefault(e.getKey(), List.of()));
                    rest.removeIf(c -> c.namespace().equals(ns) && c.name().equals(name));
                    nextClaims = rest.isEmpty() ? nextClaims.minus(e.getKey()) : nextClaims.plus(e.getKey(), List.copyOf(rest));
                }
                for (String b : old.balancers().keySet()) {
                    nextBalancers = nextBalancers.minus(b);
                }
                nextByService = nextByService.minus(key);
            }
            if (now != null) {
                for (Map.Entry<ListenKey, Route> e : now.routes()) {
                    keys.add(e.getKey());
                    List<Claim> more = new ArrayList<>(nextClaims.getOrDefault(e.getKey(), List.of()));
                    more.add(new Claim(ns, name, e.getValue()));
                    more.sort(null);
                    nextClaims = nextClaims.plus(e.getKey(), List.copyOf(more));
                }
                nextBalancers = nextBalancers.plusAll(now.balancers());
                nextByService = nextByService.plus(key, now);
            }
        }
        PMap<ListenKey, Route> nextRoutes = routes;
        PMap<ListenKey, String> nextConflicts = conflicts;
        Set<ListenKey> changed = new java.util.HashSet<>();
        for (ListenKey k : keys) {
            List<Claim> owners = nextClaims.getOrDefault(k, List.of());
            Route was = routes.get(k);
            Route is = owners.isEmpty() ? null : owners.get(0).route();
            if (was != is) {
                changed.add(k);
                nextRoutes = is == null ? nextRoutes.minus(k) : nextRoutes.plus(k, is);
            }
            nextConflicts = nextConflicts.minus(k);
            for (int i = 1; i < owners.size(); i++) {
                String owner = owners.get(i).route().servicePort();
                if (!owner.equals(is.servicePort())) {
                    nextConflicts = nextConflicts.plus(k, k + " of " + owner + " is already served by " + is.servicePort());
                    break;
                }
            }
        }
        return new ProxyTable(nextByService, nextClaims, nextRoutes, nextBalancers, nextConflicts,
                change.isEverything() ? null : changed);
    }

    /** One endpoint of a Service port as the candidate rules read it. */
    private record Candidate(InetSocketAddress address, boolean ready, boolean serving, boolean terminating,
            boolean local) {}

    private static final class Builder {
        private final NodeSettings node;
        private final ProxyTable previous;
        private final MetricsSource metrics;
        private final Random random;
        private final List<Map.Entry<ListenKey, Route>> routes = new ArrayList<>();
        private final Set<ListenKey> claimed = new java.util.HashSet<>();
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
            if (claimed.add(key)) {
                routes.add(Map.entry(key, route));
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
                    InetSocketAddress addr = endpointAddress(ep.addresses().get(0), port);
                    boolean local = node.nodeName() != null && Objects.equals(node.nodeName(), ep.nodeName());
                    out.putIfAbsent(addr, new Candidate(addr, ep.isReady(), ep.isServing(), ep.isTerminating(), local));
                }
            }
            return List.copyOf(out.values());
        }

        /**
         * The endpoint's socket address, carrying its text form: Netty's epoll connect builds the
         * channel's remote address from the one it was given, and without a host string it would
         * format the IP into a new String for every connection.
         */
        private static InetSocketAddress endpointAddress(String ip, int port) {
            try {
                return new InetSocketAddress(InetAddress.getByAddress(IpAddresses.canonical(ip), IpAddresses.parse(ip)), port);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("invalid IP address: " + ip, e);
            }
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
