package dev.clusterdns.agent.workloads;

import dev.clusterdns.agent.model.LabelSelector;
import dev.clusterdns.agent.model.ObjectMeta;
import dev.clusterdns.agent.model.OwnerReference;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.PodSpec;
import dev.clusterdns.agent.model.Uids;
import dev.clusterdns.agent.model.Workload;
import dev.clusterdns.agent.snapshot.Problem;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Plays the Deployment, ReplicaSet and StatefulSet controllers over defaulted, valid workloads and
 * the Pods given as manifests. What Kubernetes does, and so what this does:
 * <ul>
 * <li>A Deployment owns a ReplicaSet `<deployment>-<pod-template-hash>` whose selector and template
 *     labels add `pod-template-hash`, so it adopts no hand-written Pod without that label.</li>
 * <li>A ReplicaSet adopts orphan Pods its selector matches; they count toward `replicas`, and it
 *     creates the rest as `<replicaset>-<5 chars>`. Given Pods beyond `replicas` are deleted
 *     (dropped here, with a problem saying so).</li>
 * <li>A StatefulSet owns `<statefulset>-<ordinal>` for ordinals 0..replicas-1 (adopting orphans of
 *     that name its selector matches), with `hostname`/`subdomain` set; `OrderedReady` creates
 *     ordinal n+1 only once ordinal n is Ready.</li>
 * </ul>
 */
public final class WorkloadControllers {
    static final String POD_TEMPLATE_HASH = "pod-template-hash";
    static final String STS_POD_NAME = "statefulset.kubernetes.io/pod-name";
    static final String STS_POD_INDEX = "apps.kubernetes.io/pod-index";
    static final String CONTROLLER_REVISION_HASH = "controller-revision-hash";

    private WorkloadControllers() {}

    /**
     * @param workloads defaulted and valid Deployments, ReplicaSets and StatefulSets
     * @param givenPods the Pods from manifests (defaulted and valid)
     * @param ready whether a Pod is Ready now (for StatefulSet ordering); created Pods have no IP yet
     * @param origins where each given object came from (`Kind namespace/name` → origin), for problems
     */
    public static WorkloadPlan plan(List<Workload> workloads, List<Pod> givenPods, Predicate<Pod> ready,
                                    Map<String, String> origins) {
        Builder b = new Builder(givenPods, origins);
        List<Workload> sorted = new ArrayList<>(workloads);
        sorted.sort(Comparator.comparing((Workload w) -> w.namespace()).thenComparing(Workload::name));

        Map<String, Workload> replicaSets = new TreeMap<>();
        for (Workload w : sorted) {
            if (Workload.REPLICA_SET.equals(w.kind())) {
                replicaSets.put(w.namespace() + "/" + w.name(), w);
            }
        }
        for (Workload d : sorted) {
            if (!Workload.DEPLOYMENT.equals(d.kind())) {
                continue;
            }
            Workload rs = DeploymentReplicaSet.of(d);
            Workload given = replicaSets.get(rs.namespace() + "/" + rs.name());
            if (given != null) {
                b.problem(d, "its ReplicaSet " + rs.namespace() + "/" + rs.name()
                        + " is also given as a manifest; the Deployment makes no Pods while that ReplicaSet exists");
                continue;
            }
            replicaSets.put(rs.namespace() + "/" + rs.name(), rs);
            b.owns(d, rs);
        }
        for (Workload w : sorted) {
            b.workload(w);
        }
        for (Workload rs : replicaSets.values()) {
            if (b.isSynthesized(rs)) {
                b.workload(rs);
            }
            replicaSet(rs, b);
        }
        for (Workload w : sorted) {
            if (Workload.STATEFUL_SET.equals(w.kind())) {
                statefulSet(w, ready, b);
            }
        }
        return b.build();
    }

    private static void replicaSet(Workload rs, Builder b) {
        List<Pod> owned = OwnedPods.claim(rs, b.candidates(rs.namespace()), b.claimed, p -> true);
        int replicas = rs.replicas();
        for (int i = 0; i < owned.size(); i++) {
            Pod p = owned.get(i);
            if (i < replicas) {
                b.keep(rs, OwnedPods.adopt(p, rs));
            } else {
                b.drop(p, "ReplicaSet " + rs.namespace() + "/" + rs.name() + " selects this Pod and already has its "
                        + replicas + " replica(s), so it deletes it, as Kubernetes would; remove the Pod or raise replicas");
            }
        }
        int index = 0;
        for (int missing = replicas - owned.size(); missing > 0; missing--) {
            String name;
            int attempt = 0;
            do {
                name = PodNames.replicaSetPod(rs.name(), index, attempt++);
            } while (b.taken(rs.namespace(), name));
            index++;
            ObjectMeta meta = podMeta(rs, name, PodNames.generateName(rs.name()), templateLabels(rs));
            b.create(rs, new Pod("v1", "Pod", meta, rs.spec().template().spec(), null));
        }
    }

    private static void statefulSet(Workload sts, Predicate<Pod> ready, Builder b) {
        List<Pod> owned = OwnedPods.claim(sts, b.candidates(sts.namespace()), b.claimed,
                p -> PodNames.ordinalOf(sts.name(), p.name()) >= 0);
        Map<Integer, Pod> byOrdinal = new TreeMap<>();
        for (Pod p : owned) {
            byOrdinal.put(PodNames.ordinalOf(sts.name(), p.name()), p);
        }
        int replicas = sts.replicas();
        boolean ordered = !"Parallel".equals(sts.spec().podManagementPolicy());
        String revision = sts.name() + "-" + PodNames.templateHash(sts.spec().template());
        boolean blocked = false;
        for (int ordinal = 0; ordinal < replicas; ordinal++) {
            Pod given = byOrdinal.remove(ordinal);
            Pod pod;
            if (given != null) {
                pod = withIdentity(OwnedPods.adopt(given, sts), sts, ordinal, given.metadata().labels(), revision);
                b.keep(sts, pod);
            } else if (blocked) {
                continue;
            } else {
                String name = PodNames.statefulSetPod(sts.name(), ordinal);
                if (b.taken(sts.namespace(), name)) {
                    b.problem(sts, "cannot create Pod " + sts.namespace() + "/" + name
                            + ": a Pod of that name exists and belongs to another controller");
                    blocked = ordered;
                    continue;
                }
                ObjectMeta meta = podMeta(sts, name, null, templateLabels(sts));
                pod = withIdentity(new Pod("v1", "Pod", meta, sts.spec().template().spec(), null), sts, ordinal,
                        meta.labels(), revision);
                b.create(sts, pod);
            }
            // OrderedReady: ordinal n+1 waits until ordinal n is Running and Ready.
            if (ordered && !ready.test(pod)) {
                blocked = true;
            }
        }
        for (Pod extra : byOrdinal.values()) {
            b.drop(extra, "StatefulSet " + sts.namespace() + "/" + sts.name() + " has " + replicas
                    + " replica(s), so it deletes this ordinal, as Kubernetes would");
        }
    }

    /** What the StatefulSet controller's updateIdentity and initIdentity set on each of its Pods. */
    private static Pod withIdentity(Pod p, Workload sts, int ordinal, Map<String, String> labels, String revision) {
        Map<String, String> l = new LinkedHashMap<>(labels);
        l.put(STS_POD_NAME, p.name());
        l.put(STS_POD_INDEX, Integer.toString(ordinal));
        l.putIfAbsent(CONTROLLER_REVISION_HASH, revision);
        PodSpec s = p.spec();
        String subdomain = sts.spec().serviceName() == null || sts.spec().serviceName().isEmpty()
                ? s.subdomain() : sts.spec().serviceName();
        PodSpec spec = new PodSpec(s.containers(), s.initContainers(), p.name(), subdomain, s.nodeName(),
                s.hostNetwork(), s.dnsPolicy(), s.dnsConfig(), s.enableServiceLinks(), s.restartPolicy(),
                s.serviceAccountName(), s.nodeSelector());
        return new Pod(p.apiVersion(), p.kind(), p.metadata().withLabels(l), spec, p.status());
    }

    private static ObjectMeta podMeta(Workload owner, String name, String generateName, Map<String, String> labels) {
        ObjectMeta template = owner.spec().template().metadata();
        Map<String, String> annotations = template == null ? Map.of() : template.annotations();
        OwnerReference ref = new OwnerReference("apps/v1", owner.kind(), owner.name(), Uids.of(owner), true, true);
        return new ObjectMeta(name, generateName, owner.namespace(), null, null, labels, annotations, null, null,
                List.of(ref));
    }

    private static Map<String, String> templateLabels(Workload w) {
        ObjectMeta m = w.spec().template().metadata();
        return m == null ? Map.of() : m.labels();
    }

    /** Collects the plan; remembers which names are taken in each namespace. */
    private static final class Builder {
        private final List<Pod> given;
        private final Map<String, String> origins;
        final Set<String> claimed = new HashSet<>();
        private final Set<String> names = new HashSet<>();
        private final Map<String, Pod> kept = new LinkedHashMap<>();
        private final Map<String, Pod> created = new LinkedHashMap<>();
        private final Set<String> dropped = new HashSet<>();
        private final List<Workload> workloads = new ArrayList<>();
        private final Set<String> synthesized = new HashSet<>();
        private final Map<String, List<String>> podsOf = new LinkedHashMap<>();
        private final Map<String, List<String>> childrenOf = new LinkedHashMap<>();
        private final List<Problem> problems = new ArrayList<>();

        Builder(List<Pod> given, Map<String, String> origins) {
            this.given = List.copyOf(given);
            this.origins = origins;
            given.forEach(p -> names.add(p.metadata().key()));
        }

        List<Pod> candidates(String namespace) {
            List<Pod> out = new ArrayList<>();
            for (Pod p : given) {
                if (namespace.equals(p.namespace())) {
                    out.add(p);
                }
            }
            out.sort(Comparator.comparing(Pod::name));
            return out;
        }

        boolean taken(String namespace, String name) {
            return names.contains(namespace + "/" + name);
        }

        void owns(Workload deployment, Workload rs) {
            synthesized.add(WorkloadPlan.key(rs));
            childrenOf.computeIfAbsent(WorkloadPlan.key(deployment), k -> new ArrayList<>()).add(WorkloadPlan.key(rs));
        }

        boolean isSynthesized(Workload rs) {
            return synthesized.contains(WorkloadPlan.key(rs));
        }

        void workload(Workload w) {
            workloads.add(w);
            podsOf.computeIfAbsent(WorkloadPlan.key(w), k -> new ArrayList<>());
        }

        void keep(Workload owner, Pod p) {
            kept.put(p.metadata().key(), p);
            podsOf.computeIfAbsent(WorkloadPlan.key(owner), k -> new ArrayList<>()).add(p.metadata().key());
        }

        void create(Workload owner, Pod p) {
            names.add(p.metadata().key());
            created.put(p.metadata().key(), p);
            podsOf.computeIfAbsent(WorkloadPlan.key(owner), k -> new ArrayList<>()).add(p.metadata().key());
        }

        void drop(Pod p, String why) {
            dropped.add(p.metadata().key());
            String object = "Pod " + p.metadata().key();
            problems.add(new Problem(origins.getOrDefault(object, "controller"), object, why));
        }

        void problem(Workload w, String message) {
            String object = w.kind() + " " + w.metadata().key();
            problems.add(new Problem(origins.getOrDefault(object, "controller"), object, message));
        }

        WorkloadPlan build() {
            List<Pod> pods = new ArrayList<>();
            for (Pod p : given) {
                String key = p.metadata().key();
                if (!dropped.contains(key)) {
                    pods.add(kept.getOrDefault(key, p));
                }
            }
            pods.addAll(created.values());
            return new WorkloadPlan(pods, Set.copyOf(created.keySet()), workloads, podsOf, childrenOf, problems);
        }
    }

    /** A Deployment's current ReplicaSet. */
    static final class DeploymentReplicaSet {
        private DeploymentReplicaSet() {}

        static Workload of(Workload d) {
            String hash = PodNames.templateHash(d.spec().template());
            String name = PodNames.deploymentReplicaSet(d.name(), hash);
            Map<String, String> templateLabels = new LinkedHashMap<>(templateLabels(d));
            templateLabels.put(POD_TEMPLATE_HASH, hash);
            LabelSelector sel = d.spec().selector();
            Map<String, String> match = new LinkedHashMap<>(sel.matchLabels());
            match.put(POD_TEMPLATE_HASH, hash);
            Map<String, String> annotations = new LinkedHashMap<>();
            annotations.put("deployment.kubernetes.io/desired-replicas", Integer.toString(d.replicas()));
            annotations.put("deployment.kubernetes.io/max-replicas", Integer.toString(d.replicas() + maxSurge(d.replicas())));
            annotations.put("deployment.kubernetes.io/revision", "1");
            OwnerReference ref = new OwnerReference("apps/v1", d.kind(), d.name(), Uids.of(d), true, true);
            ObjectMeta meta = new ObjectMeta(name, null, d.namespace(), null, null, templateLabels, annotations,
                    d.metadata().creationTimestamp(), null, List.of(ref));
            ObjectMeta tm = d.spec().template().metadata() == null ? ObjectMeta.of(null, null) : d.spec().template().metadata();
            Workload.PodTemplate template = new Workload.PodTemplate(tm.withLabels(templateLabels), d.spec().template().spec());
            Workload.Spec spec = new Workload.Spec(d.replicas(), new LabelSelector(match, sel.matchExpressions()), template);
            return new Workload("apps/v1", Workload.REPLICA_SET, meta, spec);
        }

        /** The default rolling update's maxSurge, 25% rounded up. */
        private static int maxSurge(int replicas) {
            return (replicas * 25 + 99) / 100;
        }
    }
}
