package dev.clusterdns.agent;

import dev.clusterdns.agent.allocation.Allocations;
import dev.clusterdns.agent.allocation.PodIpPool;
import dev.clusterdns.agent.kubedns.KubeDns;
import dev.clusterdns.agent.readiness.ReadinessProber;
import dev.clusterdns.agent.workloads.SelectorWarnings;
import dev.clusterdns.agent.workloads.WorkloadControllers;
import dev.clusterdns.agent.workloads.WorkloadPlan;
import dev.clusterdns.agent.allocation.ServiceAllocator;
import dev.clusterdns.agent.endpoints.EndpointsController;
import dev.clusterdns.agent.endpoints.SelectorIndex;
import dev.clusterdns.agent.manifest.Manifest;
import dev.clusterdns.agent.model.ConfigMap;
import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Endpoints;
import dev.clusterdns.agent.model.Ingress;
import dev.clusterdns.agent.model.IngressClass;
import dev.clusterdns.agent.model.IntOrString;
import dev.clusterdns.agent.model.KubeObject;
import dev.clusterdns.agent.model.Namespace;
import dev.clusterdns.agent.model.ObjectMeta;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.Secret;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.ServicePort;
import dev.clusterdns.agent.model.ServiceSpec;
import dev.clusterdns.agent.model.SharedValues;
import dev.clusterdns.agent.model.Workload;
import dev.clusterdns.agent.model.Uids;
import dev.clusterdns.agent.snapshot.ByName;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.agent.snapshot.NamespaceObjects;
import dev.clusterdns.agent.snapshot.Problem;
import dev.clusterdns.agent.snapshot.SnapshotChange;
import dev.clusterdns.agent.source.ObjectChange;
import dev.clusterdns.agent.source.ObjectKey;
import dev.clusterdns.agent.source.SourceChanges;
import dev.clusterdns.agent.validation.Defaults;
import dev.clusterdns.agent.validation.FieldError;
import dev.clusterdns.agent.validation.IngressChecks;
import dev.clusterdns.agent.validation.Validation;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

/**
 * Turns source changes into the next snapshot, as the API server and the controllers would:
 * defaults and validation for the changed objects, allocation for the changed Services, the
 * endpoints controller for the namespaces whose Services, Pods or given endpoints changed. The
 * snapshot shares every untouched namespace with the one before, and says what changed.
 *
 * <p>With objects from a Kubernetes API server ({@code observed}) the API server has validated and
 * allocated them and its controllers made the EndpointSlices: they are taken as they are.
 */
final class ClusterReconciler {

    /** Namespaces every cluster has. */
    static final List<String> BUILT_IN_NAMESPACES = List.of("default", "kube-node-lease", "kube-public", "kube-system");
    private static final String KUBERNETES = "default/kubernetes";
    private static final String KUBE_DNS = KubeDns.NAMESPACE + "/" + KubeDns.NAME;

    private final boolean observed;
    private final AgentConfig config;
    /** IPs of the Pods the workload controllers make, and their readiness (null: none probed). */
    private final PodIpPool podIps;
    private final ReadinessProber prober;
    /** Namespaces a readiness flip asks to plan again (written by prober threads). */
    private final Set<String> replanRequests = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Where each workload came from, `Kind namespace/name` → origin, for the controllers' problems. */
    private final Map<String, String> workloadOrigins = new HashMap<>();
    /** Warnings of Services whose selector matches no Pod, by `namespace/name`. */
    private final Map<String, Problem> selectorWarnings = new TreeMap<>();
    /** The controllers' problems, by namespace. */
    private final Map<String, List<Problem>> workloadProblems = new TreeMap<>();
    /** The kube-dns Endpoints made here (kept only while kube-dns is the one made here too). */
    private Endpoints syntheticDnsEndpoints;
    private final ServiceAllocator allocator;
    /** The parts Pods repeat (specs, labels, conditions), one instance each. */
    private final SharedValues shared = new SharedValues();
    private final int nodePortBase;
    private final int nodePortLast;
    /**
     * Appended to the reason an edit was refused when an earlier version is held: it stays, as an API
     * server keeps the stored object when an update fails validation.
     */
    private static final String KEEPING = "; keeping its last valid version";
    /** When each namespace implied by its objects (no Namespace object) was first seen, by name. */
    private final Map<String, String> namespaceFirstSeen = new HashMap<>();
    private final Map<String, Space> spaces = new TreeMap<>();
    /** Objects left out by defaults or validation. */
    private final Map<ObjectKey, Problem> invalid = new LinkedHashMap<>();
    /** The outcome of {@link #accept}'s checks for the objects of the batch being applied, when computed ahead. */
    private Map<Manifest, Checked> prechecked = Map.of();
    /** How many Pods and Services a batch needs for {@link #precheck} (tests lower it). */
    int parallelChecksFrom = PARALLEL_CHECKS;
    /** Services the allocator rejected, by `namespace/name`. */
    private final Map<String, Problem> unallocated = new LinkedHashMap<>();
    private final Map<String, String> serviceOrigin = new HashMap<>();
    private List<Problem> sourceProblems = List.of();
    private ClusterSnapshot current = ClusterSnapshot.empty();
    /** Cluster-scoped IngressClasses by name; {@link #ingressClassesChanged} when the last batch touched them. */
    private final Map<String, IngressClass> ingressClasses = new TreeMap<>();
    private boolean ingressClassesChanged;

    /** One namespace's objects as the reconciler holds them between changes. */
    private static final class Space {
        Namespace explicit;
        /** Defaulted and valid, before allocation. */
        final Map<String, Service> valid = new TreeMap<>();
        /** Allocated and stamped: what the snapshot serves. */
        final Map<String, Service> services = new TreeMap<>();
        /** Pods from the source, defaulted, valid and stamped. */
        final NameOrdered<Pod> givenPods = new NameOrdered<>();
        /** What the snapshot serves: the given Pods as the workload controllers leave them, and theirs. */
        List<Pod> pods = List.of();
        /** {@link #pods} by name (the list is in name order, as the snapshot keeps it). */
        ByName<Pod> podByName = ByName.of(pods);
        /** Workloads as the controllers report them (with status, and the ReplicaSets Deployments own). */
        List<Workload> servedWorkloads = List.of();
        /** Pods or workloads changed: the controllers run again. */
        boolean replan;
        final Map<String, EndpointSlice> givenSlices = new TreeMap<>();
        final Map<String, Endpoints> givenEndpoints = new TreeMap<>();
        final Map<String, ConfigMap> configMaps = new TreeMap<>();
        final Map<String, Secret> secrets = new TreeMap<>();
        /** By `name/kind`: a Deployment and a ReplicaSet may share a name. */
        final Map<String, Workload> workloads = new TreeMap<>();
        final Map<String, Ingress> ingresses = new TreeMap<>();
        List<EndpointSlice> slices = List.of();
        List<Endpoints> endpoints = List.of();
        /** Services (by name) whose endpoints must be computed again. */
        final Set<String> endpointsDirty = new TreeSet<>();

        /** The Services by selector; null after any change to {@link #services} (made again when asked). */
        SelectorIndex selectors;

        SelectorIndex selectors() {
            if (selectors == null) {
                selectors = SelectorIndex.of(services.values());
            }
            return selectors;
        }

        /** Marks every Service whose endpoints may depend on this pod (before or after a change). */
        void podTouched(Pod pod) {
            for (Service s : selectors().selecting(pod)) {
                endpointsDirty.add(s.name());
            }
        }

        /** Marks the Service a given slice belongs to. */
        void sliceTouched(EndpointSlice slice) {
            String svc = slice.metadata() == null ? null : slice.serviceName();
            endpointsDirty.add(svc == null ? "" : svc);
        }

        boolean populated() {
            return !services.isEmpty() || !pods.isEmpty() || !givenPods.isEmpty() || !slices.isEmpty()
                    || !configMaps.isEmpty() || !secrets.isEmpty() || !workloads.isEmpty() || !ingresses.isEmpty();
        }

        NamespaceObjects objects() {
            return new NamespaceObjects(new ArrayList<>(services.values()), pods, slices,
                    endpoints, new ArrayList<>(configMaps.values()), new ArrayList<>(secrets.values()),
                    servedWorkloads, new ArrayList<>(ingresses.values()));
        }
    }

    ClusterReconciler(AgentConfig config) {
        this(config, null);
    }

    /** @param prober runs the readiness probes of the Pods the controllers make; null: none run */
    ClusterReconciler(AgentConfig config, ReadinessProber prober) {
        this.config = config;
        this.prober = prober;
        this.observed = config.kubernetesApi() != null;
        this.podIps = observed ? null : new PodIpPool(config.podCidr(), config.stateDir());
        this.allocator = observed ? null : new ServiceAllocator(config);
        String[] range = config.nodePortRange().split("-", 2);
        this.nodePortBase = Integer.parseInt(range[0].trim());
        this.nodePortLast = Integer.parseInt(range[1].trim());
    }

    /** The last snapshot made (revision 0 and empty before the first change). */
    synchronized ClusterSnapshot current() {
        return current;
    }

    /** Asks for the namespace's workload controllers to run again (a Pod's readiness changed). */
    void replan(String namespace) {
        replanRequests.add(namespace);
    }

    boolean replanPending() {
        return !replanRequests.isEmpty();
    }

    /** Applies one batch of source changes and returns the next snapshot (revision = the previous + 1). */
    synchronized ClusterSnapshot apply(SourceChanges batch) {
        boolean first = current.revision() == 0;
        String now = DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        SnapshotChange.Builder change = SnapshotChange.builder();
        Set<String> dirty = new TreeSet<>();
        Map<String, Service> toAllocate = new LinkedHashMap<>();
        List<Problem> problemsBefore = problems();

        if (batch.problems() != null) {
            sourceProblems = batch.problems();
        }
        prechecked = observed ? Map.of() : precheck(batch.changes());
        for (ObjectChange c : batch.changes()) {
            ObjectKey key = c.key();
            String ns = key.kind().equals("Namespace") ? key.name() : key.namespace();
            Space space = spaces.computeIfAbsent(ns, n -> new Space());
            dirty.add(ns);
            invalid.remove(key);
            KubeObject checked = c.removed() ? null : checked(key, c.manifest());
            KubeObject held = held(space, key);
            if (checked == null && !c.removed() && held != null) {
                // As an API server refusing an invalid update: the last valid version stays.
                Problem why = invalid.get(key);
                invalid.put(key, new Problem(why.source(), why.object(), why.message() + KEEPING));
                continue;
            }
            // A new version of an object is the same object: it keeps the creation time of what it replaces.
            String since = c.removed() || held == null ? null : since(held, null);
            remove(space, key, toAllocate, change);
            if (checked != null) {
                put(space, key, c.manifest(), checked, since == null ? now : since, toAllocate, change);
            }
        }
        prechecked = Map.of();
        if (!observed) {
            Space def = spaces.computeIfAbsent("default", n -> new Space());
            if (!def.valid.containsKey("kubernetes") && (first || toAllocate.containsKey(KUBERNETES))) {
                Service k = Defaults.service(kubernetesService());
                def.valid.put("kubernetes", k);
                toAllocate.put(KUBERNETES, k);
                dirty.add("default");
            }
            synthesizeKubeDns(first, toAllocate, dirty);
            allocate(toAllocate, now, dirty, change);
        }
        for (String ns : List.copyOf(replanRequests)) {
            replanRequests.remove(ns);
            Space space = spaces.get(ns);
            if (space != null) {
                space.replan = true;
                dirty.add(ns);
            }
        }

        ClusterSnapshot.Successor next = current.successor(current.revision() + 1);
        // The workload controllers first, in namespace order (they draw pod IPs from one pool); then
        // the endpoints controller, which reads and writes only its own namespace.
        List<String> endpointSpaces = new ArrayList<>();
        int endpointServices = 0;
        for (String ns : dirty) {
            Space space = spaces.get(ns);
            if (space.replan) {
                runWorkloads(ns, space, now, change);
            }
            if (!space.endpointsDirty.isEmpty()) {
                endpointSpaces.add(ns);
                endpointServices += space.endpointsDirty.size();
            }
        }
        runEndpoints(endpointSpaces, endpointServices, now, change);
        for (String ns : dirty) {
            next.namespace(ns, spaces.get(ns).objects());
        }
        List<dev.clusterdns.agent.model.Namespace> namespaces = namespaces(now);
        if (!namespaces.equals(current.namespaces())) {
            Set<String> before = new TreeSet<>();
            current.namespaces().forEach(n -> before.add(n.name()));
            Set<String> after = new TreeSet<>();
            namespaces.forEach(n -> after.add(n.name()));
            Set<String> diff = new TreeSet<>(before);
            diff.addAll(after);
            for (String n : diff) {
                if (!Objects.equals(current.namespace(n).orElse(null), namespaces.stream()
                        .filter(x -> x.name().equals(n)).findFirst().orElse(null))) {
                    change.add(SnapshotChange.NAMESPACES, n);
                }
            }
        }
        List<Problem> problems = problems();
        if (!problems.equals(problemsBefore) || first) {
            change.add(SnapshotChange.PROBLEMS, "");
        }
        spaces.values().removeIf(s -> !s.populated() && s.explicit == null && s.valid.isEmpty()
                && s.givenEndpoints.isEmpty() && s.givenSlices.isEmpty());
        if (ingressClassesChanged) {
            next.ingressClasses(new ArrayList<>(ingressClasses.values()));
            ingressClassesChanged = false;
        }
        current = next.namespaces(namespaces).problems(problems)
                .change(first ? SnapshotChange.everything() : change.build()).build();
        return current;
    }

    /** Forgets what is held under {@code key}. */
    private void remove(Space space, ObjectKey key, Map<String, Service> toAllocate, SnapshotChange.Builder change) {
        String name = key.name();
        String path = key.path();
        switch (key.kind()) {
            case "Namespace" -> {
                if (space.explicit != null) {
                    space.explicit = null;
                }
            }
            case "Service" -> {
                space.valid.remove(name);
                serviceOrigin.remove(path);
                if (observed) {
                    space.selectors = null;
                    if (space.services.remove(name) != null) {
                        change.add(SnapshotChange.SERVICES, path);
                    }
                } else {
                    toAllocate.put(path, null);
                }
                space.endpointsDirty.add(name);
            }
            case "Pod" -> {
                if (space.givenPods.remove(name) != null) {
                    space.replan = true;
                }
            }
            case "EndpointSlice" -> {
                EndpointSlice gone = space.givenSlices.remove(name);
                if (gone != null) {
                    space.sliceTouched(gone);
                }
            }
            case "Endpoints" -> {
                if (space.givenEndpoints.remove(name) != null) {
                    space.endpointsDirty.add(name);
                }
            }
            case "ConfigMap" -> {
                if (space.configMaps.remove(name) != null) {
                    change.add("ConfigMap", path);
                }
            }
            case "Secret" -> {
                if (space.secrets.remove(name) != null) {
                    change.add("Secret", path);
                }
            }
            case "Ingress" -> {
                if (space.ingresses.remove(name) != null) {
                    change.add("Ingress", path);
                }
            }
            case "IngressClass" -> {
                if (ingressClasses.remove(name) != null) {
                    ingressClassesChanged = true;
                    change.add("IngressClass", name);
                }
            }
            default -> {
                workloadOrigins.remove(key.kind() + " " + path);
                if (space.workloads.remove(name + "/" + key.kind()) != null) {
                    space.replan = true;
                }
            }
        }
    }

    /**
     * The object defaulted and, unless observed from an API server, validated; null when invalid (the
     * reason is recorded in {@link #invalid}).
     */
    private KubeObject checked(ObjectKey key, Manifest m) {
        KubeObject o = m.object();
        if (o instanceof Namespace n) {
            return accept(key, m, n, Defaults::namespace, Validation::namespace);
        } else if (o instanceof Service s) {
            return observed ? Defaults.service(s)
                    : accept(key, m, s, Defaults::service, x -> Validation.service(x, nodePortBase, nodePortLast));
        } else if (o instanceof Pod p) {
            return observed ? Defaults.pod(p) : accept(key, m, p, Defaults::pod, Validation::pod);
        } else if (o instanceof EndpointSlice e) {
            return observed ? Defaults.endpointSlice(e) : accept(key, m, e, Defaults::endpointSlice, Validation::endpointSlice);
        } else if (o instanceof Endpoints e) {
            return observed ? Defaults.endpoints(e) : accept(key, m, e, Defaults::endpoints, Validation::endpoints);
        } else if (o instanceof ConfigMap c) {
            return observed ? c : accept(key, m, c, Defaults::configMap, Validation::configMap);
        } else if (o instanceof Secret sec) {
            return observed ? sec : accept(key, m, sec, Defaults::secret, Validation::secret);
        } else if (o instanceof Workload w) {
            return observed ? w : accept(key, m, w, Defaults::workload, Validation::workload);
        } else if (o instanceof Ingress i) {
            return observed ? IngressChecks.defaults(i) : accept(key, m, i, IngressChecks::defaults, IngressChecks::validate);
        } else if (o instanceof IngressClass c) {
            return observed ? IngressChecks.defaults(c) : accept(key, m, c, IngressChecks::defaults, IngressChecks::validate);
        }
        invalid.put(key, new Problem(m.origin(), m.describe(), "kind not handled"));
        return null;
    }

    /** The version of {@code key} held now (served, or waiting for allocation), or null. */
    private KubeObject held(Space space, ObjectKey key) {
        String name = key.name();
        return switch (key.kind()) {
            case "Namespace" -> space.explicit;
            case "Service" -> space.valid.get(name);
            case "Pod" -> space.givenPods.get(name);
            case "EndpointSlice" -> space.givenSlices.get(name);
            case "Endpoints" -> space.givenEndpoints.get(name);
            case "ConfigMap" -> space.configMaps.get(name);
            case "Secret" -> space.secrets.get(name);
            case "Ingress" -> space.ingresses.get(name);
            case "IngressClass" -> ingressClasses.get(name);
            default -> space.workloads.get(name + "/" + key.kind());
        };
    }

    /**
     * Holds a checked object ({@code v}, from {@link #checked}; nothing when null). {@code since}
     * becomes its creationTimestamp when it has none.
     */
    private void put(Space space, ObjectKey key, Manifest m, KubeObject checked, String since,
                     Map<String, Service> toAllocate, SnapshotChange.Builder change) {
        String name = key.name();
        String path = key.path();
        if (checked instanceof Namespace v) {
            // kubectl's AGE: a Namespace first implied by its objects keeps the time it was first seen.
            boolean stamped = v.metadata() != null && v.metadata().creationTimestamp() != null
                    && !v.metadata().creationTimestamp().isEmpty();
            space.explicit = observed || stamped || v.metadata() == null ? v : new Namespace(v.apiVersion(), v.kind(),
                    v.metadata().withCreationTimestamp(namespaceFirstSeen.getOrDefault(name, since)));
        } else if (checked instanceof Service s) {
            // Stamped when first valid, so a Service that waits for allocation keeps the time it was defined.
            Service v = observed ? s : s.withMetadata(identity(s, since));
            space.valid.put(name, v);
            serviceOrigin.put(path, m.origin());
            if (observed) {
                space.services.put(name, v);
                space.selectors = null;
                change.add(SnapshotChange.SERVICES, path);
            } else {
                toAllocate.put(path, v);
            }
            space.endpointsDirty.add(name);
        } else if (checked instanceof Pod p) {
            Pod v = p;
            if (!observed) {
                v = new Pod(v.apiVersion(), v.kind(), identity(v, since), v.spec(), v.status());
            }
            v = shared.pod(v);
            space.givenPods.put(v);
            space.replan = true;
        } else if (checked instanceof EndpointSlice v) {
            space.givenSlices.put(name, v);
            space.sliceTouched(v);
        } else if (checked instanceof Endpoints v) {
            space.givenEndpoints.put(name, v);
            space.endpointsDirty.add(name);
        } else if (checked instanceof ConfigMap v) {
            space.configMaps.put(name, v);
            change.add("ConfigMap", path);
        } else if (checked instanceof Secret v) {
            space.secrets.put(name, v);
            change.add("Secret", path);
        } else if (checked instanceof Workload v) {
            space.workloads.put(name + "/" + key.kind(), v);
            workloadOrigins.put(key.kind() + " " + path, m.origin());
            space.replan = true;
        } else if (checked instanceof Ingress v) {
            space.ingresses.put(name, observed ? v : v.withMetadata(identity(v, since)));
            change.add("Ingress", path);
        } else if (checked instanceof IngressClass v) {
            ingressClasses.put(name, observed ? v : v.withMetadata(identity(v, since)));
            ingressClassesChanged = true;
            change.add("IngressClass", name);
        }
    }

    /** The changed Services through the allocator; what it accepts is stamped and served. */
    private void allocate(Map<String, Service> toAllocate, String now, Set<String> dirty, SnapshotChange.Builder change) {
        if (toAllocate.isEmpty() && unallocated.isEmpty()) {
            return;
        }
        Allocations result = allocator.apply(toAllocate);
        Map<String, Service> outcome = new HashMap<>();
        for (String key : toAllocate.keySet()) {
            outcome.put(key, null);
        }
        for (Service s : result.services()) {
            Space held = spaces.get(s.metadata().namespace());
            Service was = held == null ? null : held.services.get(s.metadata().name());
            outcome.put(s.metadata().key(), s.withMetadata(identity(s, was == null ? now : since(was, now))));
            unallocated.remove(s.metadata().key());
        }
        result.rejected().forEach((key, errors) -> {
            outcome.put(key, null);
            String name = key.substring(key.indexOf('/') + 1);
            unallocated.put(key, new Problem(serviceOrigin.getOrDefault(key, "cluster"), "Service " + key,
                    FieldError.kubectlMessage("Service", name, errors)));
        });
        outcome.forEach((key, svc) -> {
            int slash = key.indexOf('/');
            String ns = key.substring(0, slash);
            String name = key.substring(slash + 1);
            Space space = spaces.computeIfAbsent(ns, n -> new Space());
            if (svc == null && !result.rejected().containsKey(key)) {
                unallocated.remove(key);
            }
            Service before = svc == null ? space.services.remove(name) : space.services.put(name, svc);
            space.selectors = null;
            if (!Objects.equals(before, svc)) {
                change.add(SnapshotChange.SERVICES, key);
                space.endpointsDirty.add(name);
                dirty.add(ns);
            }
        });
    }

    /** Below this many touched Services in several namespaces, running their controllers on several threads does not pay. */
    private static final int PARALLEL_ENDPOINTS = 500;
    /** How many touched Services {@link #runEndpoints(List, int, String, SnapshotChange.Builder)} needs to use all cores (tests lower it). */
    int parallelEndpointsFrom = PARALLEL_ENDPOINTS;

    /** Up to this many Services to recompute, each is tried on every pod; beyond, the selector index finds them. */
    private static final int FEW_SERVICES = 4;

    /**
     * The endpoints controller for each of {@code namespaces}. Namespaces are independent (a Service
     * selects Pods of its own namespace, slice names are unique per namespace), so a large batch (a
     * first load) runs them on all cores; what each reports is merged in namespace order, so the
     * outcome is the same as running them in turn.
     */
    private void runEndpoints(List<String> namespaces, int services, String now, SnapshotChange.Builder change) {
        Space[] inOrder = new Space[namespaces.size()];
        SnapshotChange.Builder[] changes = new SnapshotChange.Builder[inOrder.length];
        List<Map<String, Problem>> warnings = new ArrayList<>(inOrder.length);
        for (int i = 0; i < inOrder.length; i++) {
            inOrder[i] = spaces.get(namespaces.get(i));
            changes[i] = SnapshotChange.builder();
            warnings.add(new LinkedHashMap<>());
        }
        IntStream each = IntStream.range(0, inOrder.length);
        (inOrder.length >= 2 && services >= parallelEndpointsFrom ? each.parallel() : each).forEach(i ->
                runEndpoints(namespaces.get(i), inOrder[i], now, changes[i], warnings.get(i)));
        for (int i = 0; i < inOrder.length; i++) {
            change.addAll(changes[i]);
            applyWarnings(warnings.get(i));
        }
    }

    /** Selector warnings worked out by the endpoints controller: a Problem to hold, or null to drop one. */
    private void applyWarnings(Map<String, Problem> warnings) {
        warnings.forEach((key, warning) -> {
            if (warning == null) {
                selectorWarnings.remove(key);
            } else {
                selectorWarnings.put(key, warning);
            }
        });
    }

    /**
     * The endpoints controller for the Services of one namespace that a change touched (their own
     * change, a pod they may select, their given slices or Endpoints); the namespace's other slices
     * and Endpoints stay as they are. Reports the Services whose endpoints changed, and their selector
     * warnings in {@code warnings} (by `namespace/name`; null: none). Reads and writes only
     * {@code space} and what it is given, so namespaces may run on several threads.
     */
    private void runEndpoints(String ns, Space space, String now, SnapshotChange.Builder change,
                              Map<String, Problem> warnings) {
        Set<String> owners = new TreeSet<>(space.endpointsDirty);
        space.endpointsDirty.clear();
        List<EndpointSlice> slices = new ArrayList<>();
        List<Endpoints> endpoints = new ArrayList<>();
        if (observed) {
            for (EndpointSlice s : space.givenSlices.values()) {
                if (owners.contains(ownerOf(s))) {
                    slices.add(s);
                }
            }
            for (Endpoints e : space.givenEndpoints.values()) {
                if (owners.contains(e.name())) {
                    endpoints.add(e);
                }
            }
        } else {
            List<Service> services = new ArrayList<>();
            for (String name : owners) {
                Service s = space.services.get(name);
                if (s != null) {
                    services.add(s);
                }
            }
            List<Pod> pods = new ArrayList<>();
            if (services.size() <= FEW_SERVICES) {
                // An edit's few Services: try them on each pod, with nothing allocated per pod.
                for (Pod p : space.pods) {
                    for (Service s : services) {
                        if (EndpointsController.mayInclude(s, p)) {
                            pods.add(p);
                            break;
                        }
                    }
                }
            } else {
                SelectorIndex selectors = space.selectors();
                for (Pod p : space.pods) {
                    for (Service s : selectors.selecting(p)) {
                        if (owners.contains(s.name())) {
                            pods.add(p);
                            break;
                        }
                    }
                }
            }
            List<EndpointSlice> given = new ArrayList<>();
            space.givenSlices.values().forEach(s -> {
                if (owners.contains(ownerOf(s))) {
                    given.add(s);
                }
            });
            List<Endpoints> givenEndpoints = new ArrayList<>();
            space.givenEndpoints.values().forEach(e -> {
                if (owners.contains(e.name())) {
                    givenEndpoints.add(e);
                }
            });
            Set<String> reserved = new java.util.HashSet<>();
            for (EndpointSlice s : space.slices) {
                if (!owners.contains(ownerOf(s))) {
                    reserved.add(s.name());
                }
            }
            EndpointsController.Result r = EndpointsController.reconcile(services, pods, given, givenEndpoints, ns, reserved);
            r = stampCreation(r, space.services, now);
            slices.addAll(r.endpointSlices());
            endpoints.addAll(r.endpoints());
        }
        Map<String, List<EndpointSlice>> before = slicesByService(space.slices);
        Map<String, List<EndpointSlice>> after = slicesByService(slices);
        Map<String, Endpoints> epBefore = new HashMap<>();
        space.endpoints.forEach(e -> epBefore.put(e.name(), e));
        Map<String, Endpoints> epAfter = new HashMap<>();
        endpoints.forEach(e -> epAfter.put(e.name(), e));
        for (String svc : owners) {
            if (!Objects.equals(before.get(svc), after.get(svc)) || !Objects.equals(epBefore.get(svc), epAfter.get(svc))) {
                change.add(SnapshotChange.ENDPOINTS, ns + "/" + svc);
            }
        }
        // The namespace's lists: everything of the other Services, the new objects of these, by name.
        List<EndpointSlice> allSlices = new ArrayList<>();
        for (EndpointSlice s : space.slices) {
            if (!owners.contains(ownerOf(s))) {
                allSlices.add(s);
            }
        }
        allSlices.addAll(slices);
        allSlices.sort(java.util.Comparator.comparing(EndpointSlice::name));
        List<Endpoints> allEndpoints = new ArrayList<>();
        for (Endpoints e : space.endpoints) {
            if (!owners.contains(e.name())) {
                allEndpoints.add(e);
            }
        }
        allEndpoints.addAll(endpoints);
        allEndpoints.sort(java.util.Comparator.comparing(Endpoints::name));
        space.slices = List.copyOf(allSlices);
        space.endpoints = List.copyOf(allEndpoints);
        if (!observed) {
            // Which of these Services select some pod: one pass over the pods through the selector index.
            Set<String> selecting = new java.util.HashSet<>();
            SelectorIndex selectors = space.selectors();
            for (Pod p : space.pods) {
                for (Service s : selectors.selecting(p)) {
                    selecting.add(s.name());
                }
            }
            for (String svc : owners) {
                Service s = space.services.get(svc);
                warnings.put(ns + "/" + svc, s != null && !selecting.contains(svc) && SelectorWarnings.applies(s)
                        ? SelectorWarnings.warning(s, serviceOrigin.getOrDefault(ns + "/" + svc, "cluster")) : null);
            }
        }
    }

    /**
     * The Deployment, ReplicaSet and StatefulSet controllers for one namespace: which given Pods stay
     * (adopted ones get their owner), which Pods they make (IPs from the pod pool, readiness from the
     * prober, which then probes them), and each workload's status. Reports the Pods and workloads that
     * changed and marks the Services that may select them.
     */
    private void runWorkloads(String ns, Space space, String now, SnapshotChange.Builder change) {
        space.replan = false;
        List<Pod> given = new ArrayList<>(space.givenPods.values());
        List<Workload> workloads = new ArrayList<>(space.workloads.values());
        List<Pod> served;
        List<Workload> servedWorkloads;
        if (observed || workloads.isEmpty() && space.servedWorkloads.isEmpty()) {
            served = given;
            servedWorkloads = workloads;
            workloadProblems.remove(ns);
        } else {
            java.util.function.Predicate<Pod> ready = prober == null ? ClusterReconciler::readyWithoutProber : prober::ready;
            Map<String, String> origins = new HashMap<>();
            workloadOrigins.forEach((k, v) -> {
                if (k.contains(" " + ns + "/")) {
                    origins.put(k, v);
                }
            });
            WorkloadPlan plan = WorkloadControllers.plan(workloads, given, ready, origins);
            Set<String> reserved = new java.util.HashSet<>();
            given.forEach(p -> reserved.addAll(p.podIPs()));
            Map<String, String> ips = podIps.reconcile(ns, plan.createdPods(), reserved);
            WorkloadPlan.Result r = plan.complete(new WorkloadPlan.Node(config.nodeName(), config.kubeDns().host(), ips::get, ready));
            if (prober != null) {
                prober.sync(ns, r.pods().stream().filter(p -> plan.createdPods().contains(p.metadata().key())).toList());
            }
            served = new ArrayList<>();
            for (Pod p : r.pods()) {
                Pod was = space.podByName.get(p.name());
                String since = was == null ? now : since(was, now);
                served.add(shared.pod(new Pod(p.apiVersion(), p.kind(), identity(p, since), p.spec(), p.status())));
            }
            Map<String, Workload> wasServed = new HashMap<>();
            space.servedWorkloads.forEach(w -> wasServed.put(w.kind() + "/" + w.name(), w));
            servedWorkloads = new ArrayList<>();
            for (Workload w : r.workloads()) {
                Workload was = wasServed.get(w.kind() + "/" + w.name());
                servedWorkloads.add(w.withMetadata(identity(w, was == null ? now : since(was, now))));
            }
            if (r.problems().isEmpty()) {
                workloadProblems.remove(ns);
            } else {
                workloadProblems.put(ns, List.copyOf(r.problems()));
            }
        }
        Map<String, Pod> next = new TreeMap<>();
        served.forEach(p -> next.put(p.name(), p));
        for (Pod was : space.pods) {
            Pod is = next.get(was.name());
            if (!was.equals(is)) {
                change.add(SnapshotChange.PODS, ns + "/" + was.name());
                space.podTouched(was);
                if (is != null) {
                    space.podTouched(is);
                }
            }
        }
        for (Pod is : next.values()) {
            if (space.podByName.get(is.name()) == null) {
                change.add(SnapshotChange.PODS, ns + "/" + is.name());
                space.podTouched(is);
            }
        }
        space.pods = List.copyOf(next.values());
        space.podByName = ByName.of(space.pods);
        Map<String, Workload> before = new HashMap<>();
        space.servedWorkloads.forEach(w -> before.put(w.kind() + "/" + w.name(), w));
        Map<String, Workload> after = new HashMap<>();
        servedWorkloads.forEach(w -> after.put(w.kind() + "/" + w.name(), w));
        Set<String> keys = new TreeSet<>(before.keySet());
        keys.addAll(after.keySet());
        for (String k : keys) {
            if (!Objects.equals(before.get(k), after.get(k))) {
                int slash = k.indexOf('/');
                change.add(k.substring(0, slash), ns + "/" + k.substring(slash + 1));
            }
        }
        List<Workload> sorted = new ArrayList<>(servedWorkloads);
        sorted.sort(java.util.Comparator.comparing(Workload::name).thenComparing(Workload::kind));
        space.servedWorkloads = List.copyOf(sorted);
    }

    /** Without a prober (`env`, `resolvconf`): a Pod is ready unless a probe would have to pass first. */
    private static boolean readyWithoutProber(Pod p) {
        return p.spec().containers().stream().noneMatch(c -> c.readinessProbe() != null
                && (c.readinessProbe().httpGet() != null || c.readinessProbe().tcpSocket() != null));
    }

    /**
     * `kube-system/kube-dns` as kubeadm makes it, unless a manifest defines it: the 10th address of
     * the first service CIDR, with this DNS server as its endpoints.
     */
    private void synthesizeKubeDns(boolean first, Map<String, Service> toAllocate, Set<String> dirty) {
        String cidr = config.serviceCidrs().get(0);
        if (!KubeDns.fits(cidr)) {
            return;
        }
        Space sys = spaces.computeIfAbsent(KubeDns.NAMESPACE, n -> new Space());
        if (!sys.valid.containsKey(KubeDns.NAME) && (first || toAllocate.containsKey(KUBE_DNS))) {
            Service dns = Defaults.service(KubeDns.service(KubeDns.clusterIp(cidr), config.kubeDns()));
            sys.valid.put(KubeDns.NAME, dns);
            toAllocate.put(KUBE_DNS, dns);
            dirty.add(KubeDns.NAMESPACE);
        }
        boolean made = sys.valid.containsKey(KubeDns.NAME) && !serviceOrigin.containsKey(KUBE_DNS);
        Endpoints given = sys.givenEndpoints.get(KubeDns.NAME);
        if (made && given == null) {
            syntheticDnsEndpoints = Defaults.endpoints(KubeDns.endpoints(config.kubeDns()));
            sys.givenEndpoints.put(KubeDns.NAME, syntheticDnsEndpoints);
            sys.endpointsDirty.add(KubeDns.NAME);
            dirty.add(KubeDns.NAMESPACE);
        } else if (!made && given != null && given == syntheticDnsEndpoints) {
            // A manifest defines kube-dns now: its endpoints are its own business.
            sys.givenEndpoints.remove(KubeDns.NAME);
            syntheticDnsEndpoints = null;
            sys.endpointsDirty.add(KubeDns.NAME);
            dirty.add(KubeDns.NAMESPACE);
        }
    }

    /** The Service a slice belongs to by its label ("" for none). */
    private static String ownerOf(EndpointSlice s) {
        String svc = s.metadata() == null ? null : s.serviceName();
        return svc == null ? "" : svc;
    }

    private static Map<String, List<EndpointSlice>> slicesByService(List<EndpointSlice> slices) {
        Map<String, List<EndpointSlice>> out = new HashMap<>();
        for (EndpointSlice s : slices) {
            out.computeIfAbsent(ownerOf(s), k -> new ArrayList<>()).add(s);
        }
        return out;
    }

    /** Controller-made objects are as old as their Service (for AGE); given ones keep their own time. */
    private static EndpointsController.Result stampCreation(EndpointsController.Result r, Map<String, Service> services, String now) {
        List<Endpoints> eps = new ArrayList<>();
        for (Endpoints e : r.endpoints()) {
            ObjectMeta m = e.metadata();
            eps.add(m.creationTimestamp() != null ? e : new Endpoints(e.apiVersion(), e.kind(),
                    m.withCreationTimestamp(created(services, e.name(), now)), e.subsets()));
        }
        List<EndpointSlice> slices = new ArrayList<>();
        for (EndpointSlice e : r.endpointSlices()) {
            ObjectMeta m = e.metadata();
            slices.add(m.creationTimestamp() != null ? e : new EndpointSlice(e.apiVersion(), e.kind(),
                    m.withCreationTimestamp(created(services, e.serviceName(), now)),
                    e.addressType(), e.endpoints(), e.ports()));
        }
        return new EndpointsController.Result(slices, eps);
    }

    private static String created(Map<String, Service> services, String name, String now) {
        Service s = name == null ? null : services.get(name);
        return s == null ? now : s.metadata().creationTimestamp();
    }

    private <T extends KubeObject> T accept(ObjectKey key, Manifest m, T object, UnaryOperator<T> defaults,
                                            Function<T, List<FieldError>> validate) {
        Checked c = prechecked.get(m);
        if (c == null) {
            c = check(m, object, defaults, validate);
        }
        if (c.problem() != null) {
            invalid.put(key, c.problem());
            return null;
        }
        @SuppressWarnings("unchecked")
        T value = (T) c.value();
        return value;
    }

    /** An object defaulted and valid ({@code value}), or why it is not ({@code problem}). */
    private record Checked(KubeObject value, Problem problem) {}

    /** Below this many Pods and Services in a batch, checking them on several threads does not pay. */
    private static final int PARALLEL_CHECKS = 2_000;

    /**
     * Pods and Services of a large batch (a first load) defaulted and validated on all cores, before
     * the batch is applied in order; the checks are pure functions of the object, so the outcome is
     * the same as checking each in turn.
     */
    private Map<Manifest, Checked> precheck(List<ObjectChange> changes) {
        List<Manifest> bulk = new ArrayList<>();
        for (ObjectChange c : changes) {
            if (!c.removed() && (c.manifest().object() instanceof Pod || c.manifest().object() instanceof Service)) {
                bulk.add(c.manifest());
            }
        }
        if (bulk.size() < parallelChecksFrom) {
            return Map.of();
        }
        Checked[] out = new Checked[bulk.size()];
        IntStream.range(0, out.length).parallel().forEach(i -> {
            Manifest m = bulk.get(i);
            if (m.object() instanceof Pod p) {
                out[i] = check(m, p, Defaults::pod, Validation::pod);
            } else {
                out[i] = check(m, (Service) m.object(), Defaults::service, x -> Validation.service(x, nodePortBase, nodePortLast));
            }
        });
        Map<Manifest, Checked> byManifest = new java.util.IdentityHashMap<>(out.length * 2);
        for (int i = 0; i < out.length; i++) {
            byManifest.put(bulk.get(i), out[i]);
        }
        return byManifest;
    }

    private static <T extends KubeObject> Checked check(Manifest m, T object, UnaryOperator<T> defaults,
                                                        Function<T, List<FieldError>> validate) {
        T defaulted;
        try {
            defaulted = defaults.apply(object);
        } catch (RuntimeException e) {
            return new Checked(null, new Problem(m.origin(), m.describe(), "The " + object.kind() + " \"" + object.name()
                    + "\" is invalid: " + e.getMessage()));
        }
        List<FieldError> errors = validate.apply(defaulted);
        if (!errors.isEmpty()) {
            return new Checked(null, new Problem(m.origin(), m.describe(),
                    FieldError.kubectlMessage(object.kind(), nullToEmpty(object.name()), errors)));
        }
        return new Checked(defaulted, null);
    }

    /** {@code o}'s metadata with a uid and a creationTimestamp ({@code since} when it has none). */
    private static ObjectMeta identity(KubeObject o, String since) {
        ObjectMeta meta = Uids.assign(o);
        if (meta.creationTimestamp() == null || meta.creationTimestamp().isEmpty()) {
            meta = meta.withCreationTimestamp(since);
        }
        return meta;
    }

    /** The creation time an object held before carries on to its next version (else {@code now}). */
    private static String since(KubeObject held, String now) {
        String ts = held.metadata() == null ? null : held.metadata().creationTimestamp();
        return ts == null || ts.isEmpty() ? now : ts;
    }

    /**
     * Explicit Namespaces, plus the built-in ones, plus every namespace an object lives in: manifests
     * rarely carry Namespace objects, and DNS must still know the namespace exists. From an API
     * server, exactly its Namespace objects.
     */
    private List<Namespace> namespaces(String now) {
        Map<String, Namespace> byName = new TreeMap<>();
        spaces.forEach((name, s) -> {
            if (s.explicit != null) {
                byName.put(name, s.explicit);
            }
        });
        if (observed) {
            return new ArrayList<>(byName.values());
        }
        TreeSet<String> implied = new TreeSet<>(BUILT_IN_NAMESPACES);
        spaces.forEach((name, s) -> {
            if (s.populated()) {
                implied.add(name);
            }
        });
        for (String ns : implied) {
            byName.computeIfAbsent(ns, n -> new Namespace("v1", "Namespace", ObjectMeta.of(null, n)
                    .withCreationTimestamp(namespaceFirstSeen.computeIfAbsent(n, k -> now))));
        }
        namespaceFirstSeen.keySet().retainAll(implied);
        return new ArrayList<>(byName.values());
    }

    private List<Problem> problems() {
        List<Problem> out = new ArrayList<>(sourceProblems);
        out.addAll(invalid.values());
        out.addAll(unallocated.values());
        workloadProblems.values().forEach(out::addAll);
        if (prober != null) {
            out.addAll(prober.problems());
        }
        out.addAll(selectorWarnings.values());
        return out;
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
