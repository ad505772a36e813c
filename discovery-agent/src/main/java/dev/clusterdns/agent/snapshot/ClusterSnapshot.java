package dev.clusterdns.agent.snapshot;

import dev.clusterdns.agent.model.ConfigMap;
import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Endpoints;
import dev.clusterdns.agent.model.Ingress;
import dev.clusterdns.agent.model.IngressClass;
import dev.clusterdns.agent.model.Namespace;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.Secret;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.Workload;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.pcollections.PMap;
import org.pcollections.PSortedMap;
import org.pcollections.TreePMap;

/**
 * One immutable, consistent view of the cluster: every valid object after defaulting, allocation and
 * the endpoints controller, with lookups by name and by IP. A new change makes a new snapshot with a
 * higher revision; consumers never mutate one.
 *
 * <p>Objects are held per namespace ({@link NamespaceObjects}) in a persistent map, and the IP
 * indexes are persistent maps too: the next snapshot ({@link #successor}) rebuilds only the
 * namespaces a change touches and shares everything else, so the cost of a change follows its size,
 * not the cluster's. {@link #change()} says what changed since {@link #baseRevision()}; the
 * cluster-wide lists ({@link #services()} …) are assembled on first use.
 *
 * <p>Services carry their allocated ClusterIPs, NodePorts and LoadBalancer ingress IPs. Every
 * Service with a selector has controller-made EndpointSlices; selector-less Services have the
 * slices given in manifests (v1 Endpoints are mirrored to slices).
 */
public final class ClusterSnapshot {

    private final long revision;
    private final long baseRevision;
    private final SnapshotChange change;
    private final Instant createdAt;
    private final List<Namespace> namespaces;
    private final Map<String, Namespace> namespaceByName;
    private final PSortedMap<String, Partition> partitions;
    private final PMap<String, Service> serviceByClusterIp;
    /**
     * Pod IP → the Pod (or a Pod[]): built on first use and then carried to each successor, so a
     * cluster whose consumers never look Pods up by address (only `pods verified` and autopath do)
     * holds no tree node per Pod. Null until built.
     */
    private volatile PMap<String, Object> podsByIp;
    /** Someone asked for the pod index here: successors keep one from the start, even if this one's is still being built. */
    private volatile boolean podIndexWanted;
    private final List<Problem> problems;
    private final List<IngressClass> ingressClasses;

    // Cluster-wide lists, assembled on first use (racy but idempotent: every thread computes the same).
    private volatile List<Service> allServices;
    private volatile List<Pod> allPods;
    private volatile List<EndpointSlice> allSlices;
    private volatile List<Endpoints> allEndpoints;
    private volatile List<ConfigMap> allConfigMaps;
    private volatile List<Secret> allSecrets;
    private volatile List<Workload> allWorkloads;
    private volatile List<Ingress> allIngresses;

    /** {@code namespaceByName} indexes {@code namespaces}, an unmodifiable list (a successor passes its base's pair on as it is). */
    private ClusterSnapshot(long revision, long baseRevision, SnapshotChange change, Instant createdAt,
                            List<Namespace> namespaces, Map<String, Namespace> namespaceByName,
                            PSortedMap<String, Partition> partitions,
                            PMap<String, Service> serviceByClusterIp, PMap<String, Object> podsByIp,
                            List<Problem> problems, List<IngressClass> ingressClasses) {
        this.revision = revision;
        this.ingressClasses = List.copyOf(ingressClasses);
        this.baseRevision = baseRevision;
        this.change = change;
        this.createdAt = createdAt == null ? Instant.now() : createdAt;
        this.namespaces = namespaces;
        this.namespaceByName = namespaceByName;
        this.partitions = partitions;
        this.serviceByClusterIp = serviceByClusterIp;
        this.podsByIp = podsByIp;
        this.problems = List.copyOf(problems);
    }

    private static Map<String, Namespace> byName(List<Namespace> namespaces) {
        Map<String, Namespace> ns = new HashMap<>();
        namespaces.forEach(n -> ns.putIfAbsent(n.name(), n));
        return ns;
    }

    public static ClusterSnapshot empty() {
        return builder(0).build();
    }

    /** A snapshot from whole lists (tests, one-off loads); its change is {@link SnapshotChange#everything()}. */
    public static Builder builder(long revision) {
        return new Builder(revision);
    }

    /** The next snapshot, sharing with this one every namespace it does not replace. */
    public Successor successor(long nextRevision) {
        return new Successor(this, nextRevision);
    }

    public long revision() {
        return revision;
    }

    /** The revision {@link #change()} is relative to; -1 when it is {@link SnapshotChange#everything()}. */
    public long baseRevision() {
        return baseRevision;
    }

    /** What changed since {@link #baseRevision()}. */
    public SnapshotChange change() {
        return change;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public List<Namespace> namespaces() {
        return namespaces;
    }

    /** The namespaces that hold objects (a subset of {@link #namespaces()}), in name order. */
    public java.util.Set<String> populatedNamespaces() {
        return partitions.keySet();
    }

    /** One namespace's objects (empty when it has none). */
    public NamespaceObjects objects(String namespace) {
        Partition p = partitions.get(namespace);
        return p == null ? NamespaceObjects.EMPTY : p.objects;
    }

    public List<Service> services() {
        List<Service> v = allServices;
        if (v == null) {
            allServices = v = gather(NamespaceObjects::services);
        }
        return v;
    }

    public List<Pod> pods() {
        List<Pod> v = allPods;
        if (v == null) {
            allPods = v = gather(NamespaceObjects::pods);
        }
        return v;
    }

    public List<EndpointSlice> endpointSlices() {
        List<EndpointSlice> v = allSlices;
        if (v == null) {
            allSlices = v = gather(NamespaceObjects::endpointSlices);
        }
        return v;
    }

    /** v1 Endpoints as the endpoints controller (or the manifests) give them, for `get endpoints`. */
    public List<Endpoints> endpoints() {
        List<Endpoints> v = allEndpoints;
        if (v == null) {
            allEndpoints = v = gather(NamespaceObjects::endpoints);
        }
        return v;
    }

    public Optional<Endpoints> endpoints(String namespace, String name) {
        Partition p = partitions.get(namespace);
        return Optional.ofNullable(p == null ? null : p.endpoints(name));
    }

    public List<ConfigMap> configMaps() {
        List<ConfigMap> v = allConfigMaps;
        if (v == null) {
            allConfigMaps = v = gather(NamespaceObjects::configMaps);
        }
        return v;
    }

    public List<Secret> secrets() {
        List<Secret> v = allSecrets;
        if (v == null) {
            allSecrets = v = gather(NamespaceObjects::secrets);
        }
        return v;
    }

    public List<Workload> workloads() {
        List<Workload> v = allWorkloads;
        if (v == null) {
            allWorkloads = v = gather(NamespaceObjects::workloads);
        }
        return v;
    }

    /** Valid Ingresses, by namespace, then name. */
    public List<Ingress> ingresses() {
        List<Ingress> v = allIngresses;
        if (v == null) {
            allIngresses = v = gather(NamespaceObjects::ingresses);
        }
        return v;
    }

    public List<Ingress> ingresses(String namespace) {
        return objects(namespace).ingresses();
    }

    public Optional<Ingress> ingress(String namespace, String name) {
        Partition p = partitions.get(namespace);
        return Optional.ofNullable(p == null ? null : p.ingress(name));
    }

    /** IngressClasses (cluster-scoped), by name. */
    public List<IngressClass> ingressClasses() {
        return ingressClasses;
    }

    public Optional<IngressClass> ingressClass(String name) {
        return ingressClasses.stream().filter(c -> name.equals(c.name())).findFirst();
    }

    /** Bad input left out of this snapshot, for `/ready`, logs and `get`. */
    public List<Problem> problems() {
        return problems;
    }

    public Optional<Namespace> namespace(String name) {
        return Optional.ofNullable(namespaceByName.get(name));
    }

    public Optional<Service> service(String namespace, String name) {
        Partition p = partitions.get(namespace);
        return Optional.ofNullable(p == null ? null : p.service(name));
    }

    /** Services of one namespace, in snapshot order (by name). */
    public List<Service> services(String namespace) {
        return objects(namespace).services();
    }

    /** The EndpointSlices of one Service (by the `kubernetes.io/service-name` label). */
    public List<EndpointSlice> endpointSlices(String namespace, String serviceName) {
        Partition p = partitions.get(namespace);
        return p == null ? List.of() : p.endpointSlices(serviceName);
    }

    public Optional<Service> serviceByClusterIp(String ip) {
        return Optional.ofNullable(serviceByClusterIp.get(ip));
    }

    public Optional<Pod> pod(String namespace, String name) {
        Partition p = partitions.get(namespace);
        return Optional.ofNullable(p == null ? null : p.pod(name));
    }

    public List<Pod> pods(String namespace) {
        return objects(namespace).pods();
    }

    /** Pods with this IP (more than one only with host networking or bad input). */
    public List<Pod> podsByIp(String ip) {
        Object holders = podIndex().get(ip);
        return holders == null ? List.of() : holders instanceof Pod p ? List.of(p) : List.of((Pod[]) holders);
    }

    public Optional<ConfigMap> configMap(String namespace, String name) {
        Partition p = partitions.get(namespace);
        return Optional.ofNullable(p == null ? null : p.configMap(name));
    }

    public Optional<Secret> secret(String namespace, String name) {
        Partition p = partitions.get(namespace);
        return Optional.ofNullable(p == null ? null : p.secret(name));
    }

    /** How many objects of one kind the snapshot holds (cheap: no cluster-wide list is made). */
    public int count(Function<NamespaceObjects, List<?>> kind) {
        int n = 0;
        for (Partition p : partitions.values()) {
            n += kind.apply(p.objects).size();
        }
        return n;
    }

    private <T> List<T> gather(Function<NamespaceObjects, List<T>> kind) {
        List<T> out = new ArrayList<>();
        for (Partition p : partitions.values()) {
            out.addAll(kind.apply(p.objects));
        }
        return List.copyOf(out);
    }

    private static PMap<String, Service> indexClusterIps(PMap<String, Service> index, List<Service> removed, List<Service> added) {
        for (Service s : removed) {
            for (String ip : s.clusterIPs()) {
                if (index.get(ip) == s) {
                    index = index.minus(ip);
                }
            }
        }
        for (Service s : added) {
            for (String ip : s.clusterIPs()) {
                index = index.plus(ip, s);
            }
        }
        return index;
    }

    /**
     * Builds the pod IP index now if it is not yet built: a consumer that will look Pods up by address
     * calls it off its query path when it takes a snapshot (successors then update it per change).
     */
    public void indexPodIps() {
        podIndex();
    }

    private PMap<String, Object> podIndex() {
        PMap<String, Object> index = podsByIp;
        if (index == null) {
            podIndexWanted = true;
            index = firstPodIndex(pods()); // racy but idempotent, like the cluster-wide lists
            podsByIp = index;
        }
        return index;
    }

    /** Pod IP → the Pod, or a Pod[] for the rare shared address (one tree node per IP, no list). */
    private static PMap<String, Object> indexPodIps(PMap<String, Object> index, List<Pod> removed, List<Pod> added) {
        for (Pod p : removed) {
            for (String ip : p.podIPs()) {
                Object holders = index.get(ip);
                if (holders == p) {
                    index = index.minus(ip);
                } else if (holders instanceof Pod[] many) {
                    List<Pod> rest = new ArrayList<>(List.of(many));
                    rest.remove(p);
                    index = index.plus(ip, rest.size() == 1 ? rest.get(0) : rest.toArray(new Pod[0]));
                }
            }
        }
        for (Pod p : added) {
            for (String ip : p.podIPs()) {
                Object holders = index.get(ip);
                index = index.plus(ip, holders == null ? p : withHolder(holders, p));
            }
        }
        return index;
    }

    /** The holders of an address (a Pod, or an array for the rare shared address) and then {@code p}. */
    private static Pod[] withHolder(Object had, Pod p) {
        List<Pod> more = new ArrayList<>(had instanceof Pod[] many ? List.of(many) : List.of((Pod) had));
        more.add(p);
        return more.toArray(new Pod[0]);
    }

    /** A whole index in one pass (the tree built at once, not by single insertions); pods in index order. */
    private static PMap<String, Object> firstPodIndex(List<Pod> pods) {
        java.util.TreeMap<String, Object> all = new java.util.TreeMap<>();
        for (Pod p : pods) {
            for (String ip : p.podIPs()) {
                all.merge(ip, p, (had, one) -> withHolder(had, (Pod) one));
            }
        }
        return TreePMap.fromSortedMap(all);
    }

    /**
     * Derives the next snapshot from this one: replaced namespaces are rebuilt, the rest shared. The
     * IP indexes are updated only for the objects of the replaced namespaces that differ.
     */
    public static final class Successor {
        private final ClusterSnapshot base;
        private final long revision;
        private final Map<String, NamespaceObjects> replaced = new TreeMap<>();
        private List<Namespace> namespaces;
        private List<Problem> problems;
        private List<IngressClass> ingressClasses;
        private SnapshotChange change = SnapshotChange.nothing();

        private Successor(ClusterSnapshot base, long revision) {
            this.base = base;
            this.revision = revision;
        }

        /** Replaces one namespace's objects (empty removes it). */
        public Successor namespace(String name, NamespaceObjects objects) {
            replaced.put(name, objects);
            return this;
        }

        public Successor namespaces(List<Namespace> all) {
            this.namespaces = all;
            return this;
        }

        public Successor problems(List<Problem> all) {
            this.problems = all;
            return this;
        }

        public Successor ingressClasses(List<IngressClass> all) {
            this.ingressClasses = all;
            return this;
        }

        public Successor change(SnapshotChange c) {
            this.change = c;
            return this;
        }

        public ClusterSnapshot build() {
            PSortedMap<String, Partition> parts = base.partitions;
            PMap<String, Service> byClusterIp = base.serviceByClusterIp;
            // The pod index is carried on only when the base has one (else built when first asked for).
            PMap<String, Object> byPodIp = base.podsByIp;
            for (Map.Entry<String, NamespaceObjects> e : replaced.entrySet()) {
                Partition old = parts.getOrDefault(e.getKey(), Partition.EMPTY);
                NamespaceObjects now = e.getValue();
                byClusterIp = indexClusterIps(byClusterIp, changed(old.objects.services(), now.services()),
                        changed(now.services(), old.objects.services()));
                if (byPodIp != null) {
                    byPodIp = indexPodIps(byPodIp, changed(old.objects.pods(), now.pods()),
                            changed(now.pods(), old.objects.pods()));
                }
                parts = now.isEmpty() ? parts.minus(e.getKey()) : parts.plus(e.getKey(), new Partition(now));
            }
            List<Problem> p = problems == null ? base.problems : problems;
            List<IngressClass> ic = ingressClasses == null ? base.ingressClasses : ingressClasses;
            // Unchanged namespaces are the base's, not a copy: the kube API keeps hundreds of recent snapshots.
            List<Namespace> ns = namespaces == null || namespaces.equals(base.namespaces) ? base.namespaces
                    : List.copyOf(namespaces);
            ClusterSnapshot next = new ClusterSnapshot(revision, base.revision, change, null, ns,
                    ns == base.namespaces ? base.namespaceByName : byName(ns), parts, byClusterIp, byPodIp, p, ic);
            if (byPodIp == null && base.podIndexWanted) {
                next.indexPodIps(); // the base's was asked for but not finished in time: this one starts whole
            }
            return next;
        }

        /** The objects of {@code from} that are not (by identity) in {@code other}. */
        private static <T> List<T> changed(List<T> from, List<T> other) {
            if (from.isEmpty()) {
                return List.of();
            }
            java.util.Set<T> kept = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            kept.addAll(other);
            List<T> out = new ArrayList<>();
            for (T t : from) {
                if (!kept.contains(t)) {
                    out.add(t);
                }
            }
            return out;
        }
    }

    /** Collects objects for one snapshot from whole lists. Not thread-safe; build on one thread. */
    public static final class Builder {
        private final long revision;
        private Instant createdAt;
        private final List<Namespace> namespaces = new ArrayList<>();
        private final Map<String, NamespaceObjects.Builder> byNamespace = new TreeMap<>();
        private final List<Problem> problems = new ArrayList<>();
        private final List<IngressClass> ingressClasses = new ArrayList<>();

        private Builder(long revision) {
            this.revision = revision;
        }

        private NamespaceObjects.Builder in(dev.clusterdns.agent.model.KubeObject o) {
            return byNamespace.computeIfAbsent(NamespaceObjects.namespaceOf(o), k -> new NamespaceObjects.Builder());
        }

        public Builder createdAt(Instant t) {
            this.createdAt = t;
            return this;
        }

        public Builder namespaces(List<Namespace> v) {
            namespaces.addAll(v);
            return this;
        }

        public Builder services(List<Service> v) {
            v.forEach(o -> in(o).services.add(o));
            return this;
        }

        public Builder pods(List<Pod> v) {
            v.forEach(o -> in(o).pods.add(o));
            return this;
        }

        public Builder endpointSlices(List<EndpointSlice> v) {
            v.forEach(o -> in(o).endpointSlices.add(o));
            return this;
        }

        public Builder endpoints(List<Endpoints> v) {
            v.forEach(o -> in(o).endpoints.add(o));
            return this;
        }

        public Builder configMaps(List<ConfigMap> v) {
            v.forEach(o -> in(o).configMaps.add(o));
            return this;
        }

        public Builder secrets(List<Secret> v) {
            v.forEach(o -> in(o).secrets.add(o));
            return this;
        }

        public Builder workloads(List<Workload> v) {
            v.forEach(o -> in(o).workloads.add(o));
            return this;
        }

        public Builder ingresses(List<Ingress> v) {
            v.forEach(o -> in(o).ingresses.add(o));
            return this;
        }

        public Builder ingressClasses(List<IngressClass> v) {
            ingressClasses.addAll(v);
            return this;
        }

        public Builder problems(List<Problem> v) {
            problems.addAll(v);
            return this;
        }

        public ClusterSnapshot build() {
            PSortedMap<String, Partition> parts = TreePMap.empty();
            PMap<String, Service> byClusterIp = TreePMap.empty();
            for (Map.Entry<String, NamespaceObjects.Builder> e : byNamespace.entrySet()) {
                NamespaceObjects objects = e.getValue().build();
                parts = parts.plus(e.getKey(), new Partition(objects));
                byClusterIp = indexClusterIps(byClusterIp, List.of(), objects.services());
            }
            List<Namespace> ns = List.copyOf(namespaces);
            return new ClusterSnapshot(revision, -1, SnapshotChange.everything(), createdAt, ns, byName(ns), parts,
                    byClusterIp, null, problems, ingressClasses);
        }
    }
}
