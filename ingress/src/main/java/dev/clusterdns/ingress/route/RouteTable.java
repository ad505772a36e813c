package dev.clusterdns.ingress.route;

import dev.clusterdns.agent.model.EndpointPort;
import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Ingress;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.ServicePort;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Every served Ingress merged into one immutable routing table, built from one snapshot.
 *
 * <p>Hosts are looked up exact first, then as a `*.` wildcard (one label), then the rules without
 * a host; only the first group found is searched, as ingress-nginx's server blocks are. Within a
 * group the longest matching path wins, `Exact` before `Prefix` at equal length. A path no rule
 * matches goes to the group's `defaultBackend` (of the oldest Ingress that has one), then to the
 * oldest Ingress's `defaultBackend` overall, and is otherwise a 404. When several Ingresses name the
 * same host, path and type, the oldest (creation time, then namespace/name) wins, as in
 * ingress-nginx.
 */
public final class RouteTable {

    private final List<Ingress> served;
    private final Map<String, HostRoutes> exact;
    private final Map<String, HostRoutes> wildcard;
    private final HostRoutes anyHost;
    private final Upstream defaultBackend;
    private final List<TlsHost> tlsHosts;
    private final List<String> conflicts;

    private RouteTable(List<Ingress> served, Map<String, HostRoutes> exact, Map<String, HostRoutes> wildcard,
                       HostRoutes anyHost, Upstream defaultBackend, List<TlsHost> tlsHosts, List<String> conflicts) {
        this.served = served;
        this.exact = exact;
        this.wildcard = wildcard;
        this.anyHost = anyHost;
        this.defaultBackend = defaultBackend;
        this.tlsHosts = tlsHosts;
        this.conflicts = conflicts;
    }

    public static RouteTable empty() {
        return build(ClusterSnapshot.empty(), Set.of());
    }

    /**
     * @param classes the `--ingress-class` names; empty serves every Ingress, otherwise only those of
     *     these classes and those with no class
     */
    public static RouteTable build(ClusterSnapshot snapshot, Set<String> classes) {
        List<Ingress> served = new ArrayList<>();
        for (Ingress i : snapshot.ingresses()) {
            if (serves(i, classes)) {
                served.add(i);
            }
        }
        served.sort(Comparator.comparing((Ingress i) -> Objects.toString(i.metadata().creationTimestamp(), ""))
                .thenComparing(i -> i.namespace()).thenComparing(i -> i.name()));

        Map<String, HostRoutes.Builder> exact = new LinkedHashMap<>();
        Map<String, HostRoutes.Builder> wildcard = new LinkedHashMap<>();
        HostRoutes.Builder anyHost = new HostRoutes.Builder();
        Upstream defaultBackend = null;
        List<TlsHost> tls = new ArrayList<>();
        List<String> conflicts = new ArrayList<>();
        Map<String, Upstream> upstreams = new HashMap<>();

        for (Ingress ing : served) {
            Ingress.Spec spec = ing.spec();
            Upstream fallback = spec.defaultBackend() == null ? null
                    : upstreams.computeIfAbsent(key(ing, spec.defaultBackend()), k -> resolve(snapshot, ing, spec.defaultBackend()));
            if (defaultBackend == null) {
                defaultBackend = fallback;
            }
            for (Ingress.Rule rule : spec.rules()) {
                String host = rule.host() == null ? "" : rule.host().toLowerCase(Locale.ROOT);
                HostRoutes.Builder group = host.isEmpty() ? anyHost
                        : host.startsWith("*.") ? wildcard.computeIfAbsent(host.substring(2), h -> new HostRoutes.Builder())
                        : exact.computeIfAbsent(host, h -> new HostRoutes.Builder());
                if (fallback != null) {
                    group.fallback(fallback);
                }
                if (rule.http() == null) {
                    continue;
                }
                for (Ingress.HttpPath p : rule.http().paths()) {
                    Upstream u = upstreams.computeIfAbsent(key(ing, p.backend()), k -> resolve(snapshot, ing, p.backend()));
                    PathRule r = PathRule.of(p, u);
                    if (!group.add(r)) {
                        conflicts.add("Ingress " + ing.metadata().key() + ": host " + (host.isEmpty() ? "*" : host)
                                + " path " + r.path() + " (" + p.pathType() + ") is already served by an older Ingress; ignored");
                    }
                }
            }
            for (Ingress.TLS t : spec.tls()) {
                for (String h : t.hosts()) {
                    tls.add(new TlsHost(h.toLowerCase(Locale.ROOT), ing.namespace(),
                            t.secretName() == null || t.secretName().isEmpty() ? null : t.secretName(), ing.name()));
                }
            }
        }
        return new RouteTable(List.copyOf(served), freeze(exact), freeze(wildcard), anyHost.build(), defaultBackend,
                List.copyOf(tls), List.copyOf(conflicts));
    }

    /** Whether `--ingress-class` lets this Ingress through (no class always does). */
    public static boolean serves(Ingress i, Set<String> classes) {
        String c = i.className();
        return classes.isEmpty() || c == null || classes.contains(c);
    }

    /**
     * Where a request goes: the upstream, or null for the controller's 404.
     *
     * @param hostHeader the `Host` header (or `:authority`); its port is ignored
     * @param path the request target's path (the part before `?`)
     */
    public Upstream route(String hostHeader, String path) {
        String host = hostOf(hostHeader);
        HostRoutes group = group(host);
        if (group == null) {
            return defaultBackend;
        }
        PathRule r = group.match(path == null || path.isEmpty() ? "/" : path);
        if (r != null) {
            return r.upstream();
        }
        return group.fallback() != null ? group.fallback() : defaultBackend;
    }

    private HostRoutes group(String host) {
        HostRoutes g = exact.get(host);
        if (g == null) {
            int dot = host.indexOf('.');
            if (dot > 0) {
                g = wildcard.get(host.substring(dot + 1));
            }
        }
        if (g == null && !anyHost.rules().isEmpty()) {
            g = anyHost;
        }
        return g;
    }

    /** True when a served Ingress lists this host (or a wildcard covering it) under `spec.tls`. */
    public boolean hasTls(String hostHeader) {
        return tlsHost(hostOf(hostHeader)) != null;
    }

    /** The TLS entry for a host (exact first, then wildcard; oldest Ingress first), or null. */
    public TlsHost tlsHost(String host) {
        String h = host == null ? "" : host.toLowerCase(Locale.ROOT);
        for (TlsHost t : tlsHosts) {
            if (t.host().equals(h)) {
                return t;
            }
        }
        int dot = h.indexOf('.');
        if (dot > 0) {
            String suffix = h.substring(dot + 1);
            for (TlsHost t : tlsHosts) {
                if (t.host().startsWith("*.") && t.host().substring(2).equals(suffix)) {
                    return t;
                }
            }
        }
        return null;
    }

    public List<TlsHost> tlsHosts() {
        return tlsHosts;
    }

    /** The Ingresses this table serves, oldest first. */
    public List<Ingress> served() {
        return served;
    }

    /** Rules dropped because an older Ingress had the same host, path and type. */
    public List<String> conflicts() {
        return conflicts;
    }

    /**
     * The host of a `Host` header: lower case, without port or trailing dot; an IPv6 literal keeps
     * its brackets.
     */
    public static String hostOf(String hostHeader) {
        if (hostHeader == null) {
            return "";
        }
        String h = hostHeader.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            return close < 0 ? h : h.substring(0, close + 1);
        }
        int colon = h.indexOf(':');
        if (colon >= 0) {
            h = h.substring(0, colon);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return h;
    }

    private static String key(Ingress ing, Ingress.Backend b) {
        return ing.metadata().key() + "|" + b;
    }

    /**
     * The Service port the backend names (by number or name), then the ready endpoints of the
     * Service's EndpointSlices on the slice port of the same name: the slices carry the resolved
     * targetPort, named container ports included.
     */
    static Upstream resolve(ClusterSnapshot snapshot, Ingress ing, Ingress.Backend b) {
        String ns = ing.namespace();
        if (b.service() == null) {
            return new Upstream(ns, ing.name(), null, "", List.of(), "resource backends are not supported");
        }
        String name = b.service().name();
        Ingress.ServiceBackendPort want = b.service().port();
        String port = want == null ? "" : want.toString();
        Service svc = snapshot.service(ns, name).orElse(null);
        if (svc == null) {
            return new Upstream(ns, ing.name(), name, port, List.of(), "service \"" + ns + "/" + name + "\" not found");
        }
        ServicePort sp = null;
        for (ServicePort p : svc.spec().ports()) {
            boolean byName = want != null && want.name() != null && !want.name().isEmpty();
            if (byName ? want.name().equals(p.name()) : want != null && p.port() != null && p.port() == want.number()) {
                sp = p;
                break;
            }
        }
        if (sp == null || !"TCP".equals(sp.protocolOrTcp())) {
            return new Upstream(ns, ing.name(), name, port, List.of(),
                    "service \"" + ns + "/" + name + "\" has no TCP port " + port);
        }
        String portName = sp.name() == null ? "" : sp.name();
        Set<InetSocketAddress> out = new LinkedHashSet<>();
        for (EndpointSlice slice : snapshot.endpointSlices(ns, name)) {
            Integer target = null;
            for (EndpointPort ep : slice.ports()) {
                if (portName.equals(ep.name() == null ? "" : ep.name()) && "TCP".equals(ep.protocolOrTcp())) {
                    target = ep.port();
                }
            }
            if (target == null) {
                continue;
            }
            for (EndpointSlice.Endpoint e : slice.endpoints()) {
                if (!e.isReady()) {
                    continue;
                }
                for (String ip : e.addresses()) {
                    out.add(new InetSocketAddress(literal(ip), target));
                }
            }
        }
        return new Upstream(ns, ing.name(), name, port, new ArrayList<>(out),
                out.isEmpty() ? "service \"" + ns + "/" + name + "\" has no ready endpoints" : null);
    }

    private static InetAddress literal(String ip) {
        try {
            return InetAddress.getByName(ip); // an IP literal: no lookup
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + ip, e);
        }
    }

    private static Map<String, HostRoutes> freeze(Map<String, HostRoutes.Builder> in) {
        Map<String, HostRoutes> out = new HashMap<>();
        in.forEach((k, v) -> out.put(k, v.build()));
        return Map.copyOf(out);
    }

    /** Every upstream of this table, for status and metrics. */
    public Collection<Upstream> upstreams() {
        Set<Upstream> all = new LinkedHashSet<>();
        List<HostRoutes> groups = new ArrayList<>(exact.values());
        groups.addAll(wildcard.values());
        groups.add(anyHost);
        for (HostRoutes g : groups) {
            g.rules().forEach(r -> all.add(r.upstream()));
            if (g.fallback() != null) {
                all.add(g.fallback());
            }
        }
        if (defaultBackend != null) {
            all.add(defaultBackend);
        }
        return all;
    }
}
