package dev.clusterdns.agent;

import dev.clusterdns.agent.allocation.Allocations;
import dev.clusterdns.agent.allocation.PodIpPool;
import dev.clusterdns.agent.kubedns.KubeDns;
import dev.clusterdns.agent.readiness.ReadinessProber;
import dev.clusterdns.agent.workloads.WorkloadControllers;
import dev.clusterdns.agent.workloads.WorkloadPlan;
import dev.clusterdns.agent.allocation.ServiceAllocator;
import dev.clusterdns.agent.endpoints.EndpointsController;
import dev.clusterdns.agent.manifest.Manifest;
import dev.clusterdns.agent.model.ConfigMap;
import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Endpoints;
import dev.clusterdns.agent.model.IntOrString;
import dev.clusterdns.agent.model.KubeObject;
import dev.clusterdns.agent.model.Namespace;
import dev.clusterdns.agent.model.ObjectMeta;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.Secret;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.ServicePort;
import dev.clusterdns.agent.model.ServiceSpec;
import dev.clusterdns.agent.model.Workload;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.agent.snapshot.Problem;
import dev.clusterdns.agent.validation.Defaults;
import dev.clusterdns.agent.validation.FieldError;
import dev.clusterdns.agent.validation.Validation;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Turns the objects read from every source into the next snapshot, as the API server and the
 * controllers would: defaults, validation, de-duplication, allocation, the endpoints controller.
 * Stateful only through the allocator (sticky addresses) and first-seen times (for AGE).
 */
final class ClusterReconciler {

    /** Namespaces every cluster has. */
    static final List<String> BUILT_IN_NAMESPACES = List.of("default", "kube-node-lease", "kube-public", "kube-system");

    private final AgentConfig config;
    private final ServiceAllocator allocator;
    private final int nodePortBase;
    private final int nodePortLast;
    private final Map<String, String> firstSeen = new HashMap<>();
    // [workloads] pod IPs for the Pods the workload controllers make, and their readiness
    private final PodIpPool podIps;
    private final ReadinessProber prober;

    ClusterReconciler(AgentConfig config) {
        this(config, null);
    }

    /** @param prober runs the readiness probes of the Pods the controllers make; null: none run */
    ClusterReconciler(AgentConfig config, ReadinessProber prober) {
        this.config = config;
        this.allocator = new ServiceAllocator(config);
        this.podIps = new PodIpPool(config.podCidr(), config.stateDir());
        this.prober = prober;
        String[] range = config.nodePortRange().split("-", 2);
        this.nodePortBase = Integer.parseInt(range[0].trim());
        this.nodePortLast = Integer.parseInt(range[1].trim());
    }

    synchronized ClusterSnapshot reconcile(long revision, List<Manifest> manifests, List<Problem> sourceProblems) {
        return config.kubernetesApi() == null
                ? reconcileManifests(revision, manifests, sourceProblems)
                : reconcileObserved(revision, manifests, sourceProblems);
    }

    /**
     * Objects read from a Kubernetes API server were validated and allocated there, and its
     * controllers made the EndpointSlices: take them as they are (defaults are idempotent).
     */
    private ClusterSnapshot reconcileObserved(long revision, List<Manifest> manifests, List<Problem> problems) {
        ClusterSnapshot.Builder b = ClusterSnapshot.builder(revision).problems(problems);
        List<Service> services = new ArrayList<>();
        List<Pod> pods = new ArrayList<>();
        for (Manifest m : manifests) {
            KubeObject o = m.object();
            if (o instanceof Namespace n) {
                b.namespaces(List.of(n));
            } else if (o instanceof Service s) {
                services.add(Defaults.service(s));
            } else if (o instanceof Pod p) {
                pods.add(Defaults.pod(p));
            } else if (o instanceof EndpointSlice e) {
                b.endpointSlices(List.of(Defaults.endpointSlice(e)));
            } else if (o instanceof Endpoints e) {
                b.endpoints(List.of(Defaults.endpoints(e)));
            } else if (o instanceof ConfigMap c) {
                b.configMaps(List.of(c));
            } else if (o instanceof Secret sec) {
                b.secrets(List.of(sec));
            } else if (o instanceof Workload w) {
                b.workloads(List.of(w));
            }
        }
        Comparator<KubeObject> byKey = Comparator.comparing((KubeObject o) -> nullToEmpty(o.namespace()))
                .thenComparing(o -> nullToEmpty(o.name()));
        services.sort(byKey);
        pods.sort(byKey);
        return b.services(services).pods(pods).build();
    }

    private ClusterSnapshot reconcileManifests(long revision, List<Manifest> manifests, List<Problem> sourceProblems) {
        List<Problem> problems = new ArrayList<>(sourceProblems);
        String now = DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        Map<String, Manifest> unique = dedupe(manifests, problems);

        List<Namespace> namespaces = new ArrayList<>();
        List<Service> services = new ArrayList<>();
        Map<String, String> serviceOrigin = new HashMap<>();
        List<Pod> pods = new ArrayList<>();
        List<EndpointSlice> slices = new ArrayList<>();
        List<Endpoints> endpoints = new ArrayList<>();
        List<ConfigMap> configMaps = new ArrayList<>();
        List<Secret> secrets = new ArrayList<>();
        List<Workload> workloads = new ArrayList<>();

        for (Manifest m : unique.values()) {
            KubeObject o = m.object();
            if (o instanceof Namespace n) {
                accept(m, n, Defaults::namespace, Validation::namespace, namespaces, problems);
            } else if (o instanceof Service s) {
                if (accept(m, s, Defaults::service, v -> Validation.service(v, nodePortBase, nodePortLast), services, problems)) {
                    serviceOrigin.put(services.get(services.size() - 1).metadata().key(), m.origin());
                }
            } else if (o instanceof Pod p) {
                accept(m, p, Defaults::pod, Validation::pod, pods, problems);
            } else if (o instanceof EndpointSlice e) {
                accept(m, e, Defaults::endpointSlice, Validation::endpointSlice, slices, problems);
            } else if (o instanceof Endpoints e) {
                accept(m, e, Defaults::endpoints, Validation::endpoints, endpoints, problems);
            } else if (o instanceof ConfigMap c) {
                accept(m, c, Defaults::configMap, Validation::configMap, configMaps, problems);
            } else if (o instanceof Secret sec) {
                accept(m, sec, Defaults::secret, Validation::secret, secrets, problems);
            } else if (o instanceof Workload w) {
                accept(m, w, Defaults::workload, Validation::workload, workloads, problems);
            } else {
                problems.add(new Problem(m.origin(), m.describe(), "kind not handled"));
            }
        }

        if (services.stream().noneMatch(s -> "default".equals(s.namespace()) && "kubernetes".equals(s.name()))) {
            services.add(Defaults.service(kubernetesService()));
        }
        // [kube-dns] as kubeadm makes it, unless a manifest defines it; endpoints = this DNS server.
        if (!KubeDns.definedIn(services) && KubeDns.fits(config.serviceCidrs().get(0))) {
            services.add(Defaults.service(KubeDns.service(KubeDns.clusterIp(config.serviceCidrs().get(0)), config.kubeDns())));
            endpoints.add(Defaults.endpoints(KubeDns.endpoints(config.kubeDns())));
        }

        // [workloads] the Deployment/ReplicaSet/StatefulSet controllers make Pods before the endpoints controller runs.
        WorkloadPlan.Result byControllers = runWorkloadControllers(unique, workloads, pods);
        pods = new ArrayList<>(byControllers.pods());
        workloads = new ArrayList<>(byControllers.workloads());
        problems.addAll(byControllers.problems());
        workloads.replaceAll(w -> w.withMetadata(identity(w, now)));

        Allocations allocated = allocator.reconcile(services);
        allocated.rejected().forEach((key, errors) -> {
            String name = key.substring(key.indexOf('/') + 1);
            problems.add(new Problem(serviceOrigin.getOrDefault(key, "cluster"), "Service " + key,
                    FieldError.kubectlMessage("Service", name, errors)));
        });
        services = new ArrayList<>(allocated.services());

        // Identity the API server would have assigned: a stable uid and a creation time for AGE.
        services.replaceAll(s -> s.withMetadata(identity(s, now)));
        pods.replaceAll(p -> new Pod(p.apiVersion(), p.kind(), identity(p, now), p.spec(), p.status()));

        // [workloads] a Service selecting nothing is worth one line
        problems.addAll(dev.clusterdns.agent.workloads.SelectorWarnings.services(services, pods, originsOf(unique)));
        EndpointsController.Result controlled = EndpointsController.reconcile(services, pods, slices, endpoints);
        controlled = stampCreation(controlled, services, now);

        namespaces = completeNamespaces(namespaces, services, pods, controlled.endpointSlices(), configMaps, secrets, workloads, now);
        firstSeen.keySet().retainAll(liveKeys(unique, services, pods, workloads));

        Comparator<KubeObject> byKey = Comparator.comparing((KubeObject o) -> nullToEmpty(o.namespace()))
                .thenComparing(o -> nullToEmpty(o.name()));
        services.sort(byKey);
        pods.sort(byKey);
        configMaps.sort(byKey);
        secrets.sort(byKey);
        workloads.sort(byKey);
        return ClusterSnapshot.builder(revision)
                .namespaces(namespaces)
                .services(services)
                .pods(pods)
                .endpointSlices(controlled.endpointSlices())
                .endpoints(controlled.endpoints())
                .configMaps(configMaps)
                .secrets(secrets)
                .workloads(workloads)
                .problems(problems)
                .build();
    }

    /** Controller-made objects are as old as their Service (for AGE); given ones keep their own time. */
    private static EndpointsController.Result stampCreation(EndpointsController.Result r, List<Service> services, String now) {
        Map<String, String> created = new HashMap<>();
        services.forEach(s -> created.put(s.namespace() + "/" + s.name(), s.metadata().creationTimestamp()));
        List<Endpoints> eps = new ArrayList<>();
        for (Endpoints e : r.endpoints()) {
            ObjectMeta m = e.metadata();
            eps.add(m.creationTimestamp() != null ? e : new Endpoints(e.apiVersion(), e.kind(),
                    m.withCreationTimestamp(created.getOrDefault(e.namespace() + "/" + e.name(), now)), e.subsets()));
        }
        List<EndpointSlice> slices = new ArrayList<>();
        for (EndpointSlice e : r.endpointSlices()) {
            ObjectMeta m = e.metadata();
            slices.add(m.creationTimestamp() != null ? e : new EndpointSlice(e.apiVersion(), e.kind(),
                    m.withCreationTimestamp(created.getOrDefault(e.namespace() + "/" + e.serviceName(), now)),
                    e.addressType(), e.endpoints(), e.ports()));
        }
        return new EndpointsController.Result(slices, eps);
    }

    /** Same kind, namespace and name twice: the first (by file order) wins, as `kubectl create` would. */
    private static Map<String, Manifest> dedupe(List<Manifest> manifests, List<Problem> problems) {
        Map<String, Manifest> unique = new LinkedHashMap<>();
        for (Manifest m : manifests) {
            KubeObject o = m.object();
            String ns = o instanceof Namespace ? "" : namespaceOf(o);
            String key = o.kind() + "/" + ns + "/" + o.name();
            Manifest first = unique.putIfAbsent(key, m);
            if (first != null) {
                problems.add(new Problem(m.origin(), m.describe(), kindLower(o.kind()) + " \"" + o.name()
                        + "\" already exists (defined first in " + first.origin() + "); this definition is ignored"));
            }
        }
        return unique;
    }

    private static String kindLower(String kind) {
        return kind.toLowerCase(java.util.Locale.ROOT) + "s";
    }

    private static <T extends KubeObject> boolean accept(Manifest m, T object, UnaryOperator<T> defaults,
                                                          Function<T, List<FieldError>> validate, List<T> out,
                                                          List<Problem> problems) {
        T defaulted;
        try {
            defaulted = defaults.apply(object);
        } catch (RuntimeException e) {
            problems.add(new Problem(m.origin(), m.describe(), "The " + object.kind() + " \"" + object.name()
                    + "\" is invalid: " + e.getMessage()));
            return false;
        }
        List<FieldError> errors = validate.apply(defaulted);
        if (!errors.isEmpty()) {
            problems.add(new Problem(m.origin(), m.describe(),
                    FieldError.kubectlMessage(object.kind(), nullToEmpty(object.name()), errors)));
            return false;
        }
        out.add(defaulted);
        return true;
    }

    private static String namespaceOf(KubeObject o) {
        return o.namespace() == null || o.namespace().isEmpty() ? "default" : o.namespace();
    }

    private ObjectMeta identity(KubeObject o, String now) {
        ObjectMeta meta = o.metadata();
        String key = o.kind() + "/" + meta.namespace() + "/" + meta.name();
        if (meta.uid() == null || meta.uid().isEmpty()) {
            meta = meta.withUid(UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)).toString());
        }
        if (meta.creationTimestamp() == null || meta.creationTimestamp().isEmpty()) {
            meta = meta.withCreationTimestamp(firstSeen.computeIfAbsent(key, k -> now));
        }
        return meta;
    }

    private static java.util.Set<String> liveKeys(Map<String, Manifest> unique, List<Service> services, List<Pod> pods,
                                                  List<Workload> workloads) {
        java.util.Set<String> keys = new java.util.HashSet<>();
        unique.values().forEach(m -> keys.add(m.object().kind() + "/" + namespaceOf(m.object()) + "/" + m.object().name()));
        services.forEach(s -> keys.add("Service/" + s.namespace() + "/" + s.name()));
        pods.forEach(p -> keys.add("Pod/" + p.namespace() + "/" + p.name()));
        workloads.forEach(w -> keys.add(w.kind() + "/" + w.namespace() + "/" + w.name()));
        return keys;
    }

    /**
     * [workloads] Runs the workload controllers: Pods for every Deployment, ReplicaSet and
     * StatefulSet, with IPs from the pod pool and readiness from the prober, which then probes them.
     */
    private WorkloadPlan.Result runWorkloadControllers(Map<String, Manifest> unique, List<Workload> workloads, List<Pod> pods) {
        Map<String, String> origins = originsOf(unique);
        java.util.function.Predicate<Pod> ready = prober == null ? ClusterReconciler::readyWithoutProber : prober::ready;
        WorkloadPlan plan = WorkloadControllers.plan(workloads, pods, ready, origins);
        java.util.Set<String> reserved = new java.util.HashSet<>();
        pods.forEach(p -> reserved.addAll(p.podIPs()));
        Map<String, String> ips = podIps.reconcile(plan.createdPods(), reserved);
        // hostIP: the address this node serves on, where the DNS server listens.
        WorkloadPlan.Result result = plan.complete(new WorkloadPlan.Node(config.nodeName(),
                config.kubeDns().host(), ips::get, ready));
        if (prober != null) {
            prober.sync(result.pods().stream().filter(p -> plan.createdPods().contains(p.metadata().key())).toList());
            List<Problem> all = new ArrayList<>(result.problems());
            all.addAll(prober.problems());
            return new WorkloadPlan.Result(result.pods(), result.workloads(), all);
        }
        return result;
    }

    /** `Kind namespace/name` → origin, as problems name objects. */
    private static Map<String, String> originsOf(Map<String, Manifest> unique) {
        Map<String, String> origins = new HashMap<>();
        unique.values().forEach(m -> origins.put(m.object().kind() + " " + namespaceOf(m.object()) + "/" + m.object().name(),
                m.origin()));
        return origins;
    }

    /** Without a prober (`env`, `resolvconf`): a Pod is ready unless a probe would have to pass first. */
    private static boolean readyWithoutProber(Pod p) {
        return p.spec().containers().stream().noneMatch(c -> c.readinessProbe() != null
                && (c.readinessProbe().httpGet() != null || c.readinessProbe().tcpSocket() != null));
    }

    /**
     * Explicit Namespaces, plus the built-in ones, plus every namespace an object lives in: manifests
     * rarely carry Namespace objects, and DNS must still know the namespace exists.
     */
    private static List<Namespace> completeNamespaces(List<Namespace> explicit, List<Service> services, List<Pod> pods,
                                                      List<EndpointSlice> slices, List<ConfigMap> cms, List<Secret> secrets,
                                                      List<Workload> workloads, String now) {
        Map<String, Namespace> byName = new java.util.TreeMap<>();
        explicit.forEach(n -> byName.put(n.name(), n));
        TreeSet<String> implied = new TreeSet<>(BUILT_IN_NAMESPACES);
        for (List<? extends KubeObject> list : List.of(services, pods, slices, cms, secrets, workloads)) {
            list.forEach(o -> implied.add(o.namespace()));
        }
        for (String ns : implied) {
            byName.computeIfAbsent(ns, n -> new Namespace("v1", "Namespace", ObjectMeta.of(null, n).withCreationTimestamp(now)));
        }
        return new ArrayList<>(byName.values());
    }

    /** `default/kubernetes`, which every cluster has: port https 443 → 6443, no selector, no endpoints here. */
    private static Service kubernetesService() {
        ObjectMeta meta = ObjectMeta.of("default", "kubernetes")
                .withLabels(Map.of("component", "apiserver", "provider", "kubernetes"));
        ServicePort https = new ServicePort("https", "TCP", null, 443, IntOrString.of(6443), null);
        ServiceSpec spec = new ServiceSpec("ClusterIP", null, List.of(https), null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null);
        return new Service("v1", "Service", meta, spec, null);
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
