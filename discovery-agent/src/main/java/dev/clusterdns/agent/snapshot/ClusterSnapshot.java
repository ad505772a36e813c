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
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One immutable, consistent view of the cluster: every valid object after defaulting, allocation and
 * the endpoints controller, with indexes by name and by IP. A new change makes a new snapshot with a
 * higher revision; consumers never mutate one.
 *
 * <p>Services carry their allocated ClusterIPs, NodePorts and LoadBalancer ingress IPs. Every
 * Service with a selector has controller-made EndpointSlices; selector-less Services have the
 * slices given in manifests (v1 Endpoints are mirrored to slices).
 */
public final class ClusterSnapshot {

    private final long revision;
    private final Instant createdAt;
    private final List<Namespace> namespaces;
    private final List<Service> services;
    private final List<Pod> pods;
    private final List<EndpointSlice> endpointSlices;
    private final List<Endpoints> endpoints;
    private final List<ConfigMap> configMaps;
    private final List<Secret> secrets;
    private final List<Workload> workloads;
    private final List<Problem> problems;
    private final List<Ingress> ingresses;
    private final List<IngressClass> ingressClasses;

    private final Map<String, Namespace> namespaceByName;
    private final Map<String, Service> serviceByKey;
    private final Map<String, List<Service>> servicesByNamespace;
    private final Map<String, List<EndpointSlice>> slicesByService;
    private final Map<String, Pod> podByKey;
    private final Map<String, List<Pod>> podsByNamespace;
    private final Map<String, List<Pod>> podsByIp;
    private final Map<String, Service> serviceByClusterIp;
    private final Map<String, Endpoints> endpointsByKey;
    private final Map<String, ConfigMap> configMapByKey;
    private final Map<String, Secret> secretByKey;
    private final Map<String, Ingress> ingressByKey;
    private final Map<String, List<Ingress>> ingressesByNamespace;
    private final Map<String, IngressClass> ingressClassByName;

    private ClusterSnapshot(Builder b) {
        this.revision = b.revision;
        this.createdAt = b.createdAt == null ? Instant.now() : b.createdAt;
        this.namespaces = List.copyOf(b.namespaces);
        this.services = List.copyOf(b.services);
        this.pods = List.copyOf(b.pods);
        this.endpointSlices = List.copyOf(b.endpointSlices);
        this.endpoints = List.copyOf(b.endpoints);
        this.configMaps = List.copyOf(b.configMaps);
        this.secrets = List.copyOf(b.secrets);
        this.workloads = List.copyOf(b.workloads);
        this.problems = List.copyOf(b.problems);

        Map<String, Namespace> ns = new LinkedHashMap<>();
        namespaces.forEach(n -> ns.put(n.name(), n));
        this.namespaceByName = Collections.unmodifiableMap(ns);

        Map<String, Service> svcKey = new HashMap<>();
        Map<String, List<Service>> svcNs = new HashMap<>();
        Map<String, Service> byIp = new HashMap<>();
        for (Service s : services) {
            svcKey.put(key(s.namespace(), s.name()), s);
            svcNs.computeIfAbsent(s.namespace(), k -> new ArrayList<>()).add(s);
            for (String ip : s.clusterIPs()) {
                byIp.put(ip, s);
            }
        }
        this.serviceByKey = Collections.unmodifiableMap(svcKey);
        this.servicesByNamespace = freeze(svcNs);
        this.serviceByClusterIp = Collections.unmodifiableMap(byIp);

        Map<String, List<EndpointSlice>> slices = new HashMap<>();
        for (EndpointSlice s : endpointSlices) {
            String svc = s.serviceName();
            if (svc != null) {
                slices.computeIfAbsent(key(s.namespace(), svc), k -> new ArrayList<>()).add(s);
            }
        }
        this.slicesByService = freeze(slices);

        Map<String, Pod> podKey = new HashMap<>();
        Map<String, List<Pod>> podNs = new HashMap<>();
        Map<String, List<Pod>> podIp = new HashMap<>();
        for (Pod p : pods) {
            podKey.put(key(p.namespace(), p.name()), p);
            podNs.computeIfAbsent(p.namespace(), k -> new ArrayList<>()).add(p);
            for (String ip : p.podIPs()) {
                podIp.computeIfAbsent(ip, k -> new ArrayList<>()).add(p);
            }
        }
        this.podByKey = Collections.unmodifiableMap(podKey);
        this.podsByNamespace = freeze(podNs);
        this.podsByIp = freeze(podIp);

        Map<String, Endpoints> eps = new HashMap<>();
        endpoints.forEach(e -> eps.put(key(e.namespace(), e.name()), e));
        this.endpointsByKey = Collections.unmodifiableMap(eps);

        Map<String, ConfigMap> cm = new HashMap<>();
        configMaps.forEach(c -> cm.put(key(c.namespace(), c.name()), c));
        this.configMapByKey = Collections.unmodifiableMap(cm);
        Map<String, Secret> sec = new HashMap<>();
        secrets.forEach(s -> sec.put(key(s.namespace(), s.name()), s));
        this.secretByKey = Collections.unmodifiableMap(sec);

        this.ingresses = List.copyOf(b.ingresses);
        this.ingressClasses = List.copyOf(b.ingressClasses);
        Map<String, Ingress> ing = new HashMap<>();
        Map<String, List<Ingress>> ingNs = new HashMap<>();
        for (Ingress i : ingresses) {
            ing.put(key(i.namespace(), i.name()), i);
            ingNs.computeIfAbsent(i.namespace(), k -> new ArrayList<>()).add(i);
        }
        this.ingressByKey = Collections.unmodifiableMap(ing);
        this.ingressesByNamespace = freeze(ingNs);
        Map<String, IngressClass> classes = new HashMap<>();
        ingressClasses.forEach(c -> classes.put(c.name(), c));
        this.ingressClassByName = Collections.unmodifiableMap(classes);
    }

    public static ClusterSnapshot empty() {
        return builder(0).build();
    }

    public static Builder builder(long revision) {
        return new Builder(revision);
    }

    public long revision() {
        return revision;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public List<Namespace> namespaces() {
        return namespaces;
    }

    public List<Service> services() {
        return services;
    }

    public List<Pod> pods() {
        return pods;
    }

    public List<EndpointSlice> endpointSlices() {
        return endpointSlices;
    }

    /** v1 Endpoints as the endpoints controller (or the manifests) give them, for `get endpoints`. */
    public List<Endpoints> endpoints() {
        return endpoints;
    }

    public Optional<Endpoints> endpoints(String namespace, String name) {
        return Optional.ofNullable(endpointsByKey.get(key(namespace, name)));
    }

    public List<ConfigMap> configMaps() {
        return configMaps;
    }

    public List<Secret> secrets() {
        return secrets;
    }

    public List<Workload> workloads() {
        return workloads;
    }

    /** Bad input left out of this snapshot, for `/ready`, logs and `get`. */
    public List<Problem> problems() {
        return problems;
    }

    public Optional<Namespace> namespace(String name) {
        return Optional.ofNullable(namespaceByName.get(name));
    }

    public Optional<Service> service(String namespace, String name) {
        return Optional.ofNullable(serviceByKey.get(key(namespace, name)));
    }

    /** Services of one namespace, in snapshot order (sorted by namespace, then name). */
    public List<Service> services(String namespace) {
        return servicesByNamespace.getOrDefault(namespace, List.of());
    }

    /** The EndpointSlices of one Service (by the `kubernetes.io/service-name` label). */
    public List<EndpointSlice> endpointSlices(String namespace, String serviceName) {
        return slicesByService.getOrDefault(key(namespace, serviceName), List.of());
    }

    public Optional<Service> serviceByClusterIp(String ip) {
        return Optional.ofNullable(serviceByClusterIp.get(ip));
    }

    public Optional<Pod> pod(String namespace, String name) {
        return Optional.ofNullable(podByKey.get(key(namespace, name)));
    }

    public List<Pod> pods(String namespace) {
        return podsByNamespace.getOrDefault(namespace, List.of());
    }

    /** Pods with this IP (more than one only with host networking or bad input). */
    public List<Pod> podsByIp(String ip) {
        return podsByIp.getOrDefault(ip, List.of());
    }

    public Optional<ConfigMap> configMap(String namespace, String name) {
        return Optional.ofNullable(configMapByKey.get(key(namespace, name)));
    }

    public Optional<Secret> secret(String namespace, String name) {
        return Optional.ofNullable(secretByKey.get(key(namespace, name)));
    }

    /** Valid Ingresses, sorted by namespace, then name. */
    public List<Ingress> ingresses() {
        return ingresses;
    }

    public List<Ingress> ingresses(String namespace) {
        return ingressesByNamespace.getOrDefault(namespace, List.of());
    }

    public Optional<Ingress> ingress(String namespace, String name) {
        return Optional.ofNullable(ingressByKey.get(key(namespace, name)));
    }

    /** IngressClasses (cluster-scoped), sorted by name. */
    public List<IngressClass> ingressClasses() {
        return ingressClasses;
    }

    public Optional<IngressClass> ingressClass(String name) {
        return Optional.ofNullable(ingressClassByName.get(name));
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }

    private static <T> Map<String, List<T>> freeze(Map<String, List<T>> m) {
        Map<String, List<T>> out = new HashMap<>(m.size() * 2);
        m.forEach((k, v) -> out.put(k, List.copyOf(v)));
        return Collections.unmodifiableMap(out);
    }

    /** Collects objects for one snapshot. Not thread-safe; build on one thread. */
    public static final class Builder {
        private final long revision;
        private Instant createdAt;
        private final List<Namespace> namespaces = new ArrayList<>();
        private final List<Service> services = new ArrayList<>();
        private final List<Pod> pods = new ArrayList<>();
        private final List<EndpointSlice> endpointSlices = new ArrayList<>();
        private final List<Endpoints> endpoints = new ArrayList<>();
        private final List<ConfigMap> configMaps = new ArrayList<>();
        private final List<Secret> secrets = new ArrayList<>();
        private final List<Workload> workloads = new ArrayList<>();
        private final List<Problem> problems = new ArrayList<>();
        private final List<Ingress> ingresses = new ArrayList<>();
        private final List<IngressClass> ingressClasses = new ArrayList<>();

        private Builder(long revision) {
            this.revision = revision;
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
            services.addAll(v);
            return this;
        }

        public Builder pods(List<Pod> v) {
            pods.addAll(v);
            return this;
        }

        public Builder endpointSlices(List<EndpointSlice> v) {
            endpointSlices.addAll(v);
            return this;
        }

        public Builder endpoints(List<Endpoints> v) {
            endpoints.addAll(v);
            return this;
        }

        public Builder configMaps(List<ConfigMap> v) {
            configMaps.addAll(v);
            return this;
        }

        public Builder secrets(List<Secret> v) {
            secrets.addAll(v);
            return this;
        }

        public Builder workloads(List<Workload> v) {
            workloads.addAll(v);
            return this;
        }

        public Builder ingresses(List<Ingress> v) {
            ingresses.addAll(v);
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
            return new ClusterSnapshot(this);
        }
    }
}
