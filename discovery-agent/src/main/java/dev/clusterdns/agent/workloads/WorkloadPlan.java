package dev.clusterdns.agent.workloads;

import dev.clusterdns.agent.model.KubeObject;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.PodCondition;
import dev.clusterdns.agent.model.PodIP;
import dev.clusterdns.agent.model.PodSpec;
import dev.clusterdns.agent.model.PodStatus;
import dev.clusterdns.agent.model.Workload;
import dev.clusterdns.agent.snapshot.Problem;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Which Pods exist once the controllers have run: the given Pods (adopted ones with their new
 * ownerReference, deleted ones gone) and the Pods the controllers create, which still lack what a
 * node gives them (IP, node name, status) until {@link #complete}.
 *
 * @param createdPods `namespace/name` of the Pods the controllers create: these need pod IPs
 * @param podsOf workload key → keys of the Pods it owns
 * @param childrenOf Deployment key → keys of its ReplicaSets
 */
public record WorkloadPlan(List<Pod> pods, Set<String> createdPods, List<Workload> workloads,
                           Map<String, List<String>> podsOf, Map<String, List<String>> childrenOf,
                           List<Problem> problems) {

    /** What the node (kubelet and runtime, which clusterdns stands in for) decides about a created Pod. */
    public record Node(String nodeName, String hostIp, Function<String, String> podIp, Predicate<Pod> ready) {}

    /** The outcome: every Pod, every workload (with status), and the problems found. */
    public record Result(List<Pod> pods, List<Workload> workloads, List<Problem> problems) {}

    static String key(KubeObject o) {
        return o.kind() + "/" + o.namespace() + "/" + o.name();
    }

    /**
     * Created Pods get `spec.nodeName`, their IP (none when the pool is exhausted: they stay Pending,
     * with a problem), phase Running and the Ready condition {@code node.ready()} reports; workloads
     * get the status `kubectl get` shows.
     */
    public Result complete(Node node) {
        List<Problem> out = new ArrayList<>(problems);
        Map<String, Pod> byKey = new HashMap<>();
        List<Pod> finished = new ArrayList<>(pods.size());
        for (Pod p : pods) {
            Pod done = p;
            if (createdPods.contains(p.metadata().key())) {
                String ip = node.podIp().apply(p.metadata().key());
                done = running(p, node, ip);
                if (ip == null) {
                    out.add(new Problem("controller", "Pod " + p.metadata().key(),
                            "no pod IP left in --pod-cidr; the Pod stays Pending"));
                }
            }
            finished.add(done);
            byKey.put(done.metadata().key(), done);
        }
        Map<String, Workload.Status> status = new HashMap<>();
        for (Workload w : workloads) {
            if (!Workload.DEPLOYMENT.equals(w.kind())) {
                status.put(key(w), count(podsOf.getOrDefault(key(w), List.of()), byKey));
            }
        }
        List<Workload> withStatus = new ArrayList<>(workloads.size());
        for (Workload w : workloads) {
            Workload.Status s = status.get(key(w));
            if (Workload.DEPLOYMENT.equals(w.kind())) {
                List<String> pods = new ArrayList<>();
                for (String rs : childrenOf.getOrDefault(key(w), List.of())) {
                    pods.addAll(podsOf.getOrDefault(rs, List.of()));
                }
                s = count(pods, byKey);
            }
            withStatus.add(w.withStatus(s));
        }
        return new Result(finished, withStatus, out);
    }

    /** Every owned Pod is current (one revision) and available as soon as Ready (minReadySeconds 0). */
    private static Workload.Status count(List<String> keys, Map<String, Pod> byKey) {
        int total = 0;
        int ready = 0;
        for (String k : keys) {
            Pod p = byKey.get(k);
            if (p == null) {
                continue;
            }
            total++;
            if (p.isReady()) {
                ready++;
            }
        }
        return new Workload.Status(total, ready, ready, total, total);
    }

    private static Pod running(Pod p, Node node, String ip) {
        PodSpec s = p.spec();
        String nodeName = s.nodeName() != null && !s.nodeName().isEmpty() ? s.nodeName() : node.nodeName();
        PodSpec spec = new PodSpec(s.containers(), s.initContainers(), s.hostname(), s.subdomain(), nodeName,
                s.hostNetwork(), s.dnsPolicy(), s.dnsConfig(), s.enableServiceLinks(), s.restartPolicy(),
                s.serviceAccountName(), s.nodeSelector());
        Pod scheduled = new Pod(p.apiVersion(), p.kind(), p.metadata(), spec, null);
        if (ip == null) {
            return new Pod(p.apiVersion(), p.kind(), p.metadata(), spec, new PodStatus("Pending", null, null, null,
                    List.of(new PodCondition("PodScheduled", "True"))));
        }
        String podIp = s.usesHostNetwork() ? node.hostIp() : ip;
        Pod withIp = new Pod(p.apiVersion(), p.kind(), p.metadata(), spec,
                new PodStatus("Running", podIp, List.of(new PodIP(podIp)), node.hostIp(), List.of()));
        String ready = node.ready().test(withIp) ? "True" : "False";
        List<PodCondition> conditions = List.of(new PodCondition("Initialized", "True"),
                new PodCondition("Ready", ready), new PodCondition("ContainersReady", ready),
                new PodCondition("PodScheduled", "True"));
        return new Pod(scheduled.apiVersion(), scheduled.kind(), scheduled.metadata(), spec,
                new PodStatus("Running", podIp, List.of(new PodIP(podIp)), node.hostIp(), conditions));
    }
}
