package dev.clusterdns.agent.workloads;

import static dev.clusterdns.agent.workloads.Fixtures.deployment;
import static dev.clusterdns.agent.workloads.Fixtures.plan;
import static dev.clusterdns.agent.workloads.Fixtures.pod;
import static dev.clusterdns.agent.workloads.Fixtures.replicaSet;
import static dev.clusterdns.agent.workloads.Fixtures.statefulSet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.model.KubeObject;
import dev.clusterdns.agent.model.OwnerReference;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.Uids;
import dev.clusterdns.agent.model.Workload;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WorkloadControllersTest {

    private static List<String> names(WorkloadPlan plan) {
        return plan.pods().stream().map(Pod::name).sorted().toList();
    }

    private static Pod find(WorkloadPlan plan, String name) {
        return plan.pods().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow(
                () -> new AssertionError(name + " not in " + names(plan)));
    }

    private static Workload workload(WorkloadPlan plan, String kind, String name) {
        return plan.workloads().stream().filter(w -> w.kind().equals(kind) && w.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(kind + " " + name + " not in " + plan.workloads()));
    }

    // ---- Deployment ------------------------------------------------------------------------------

    @Test
    void aDeploymentOwnsAReplicaSetNamedByTemplateHashWhichOwnsReplicasPods() {
        WorkloadPlan plan = plan(deployment("my-nginx", 2, "run", "my-nginx"));
        Workload rs = plan.workloads().stream().filter(w -> w.kind().equals("ReplicaSet")).findFirst().orElseThrow();
        String hash = rs.metadata().label("pod-template-hash");
        assertEquals("my-nginx-" + hash, rs.name());
        assertEquals(Map.of("run", "my-nginx", "pod-template-hash", hash), rs.spec().selector().matchLabels());
        OwnerReference rsOwner = rs.metadata().controller();
        assertEquals("Deployment", rsOwner.kind());
        assertEquals("my-nginx", rsOwner.name());
        assertEquals(Uids.of("Deployment", "default", "my-nginx"), rsOwner.uid());

        assertEquals(2, plan.pods().size());
        for (Pod p : plan.pods()) {
            assertTrue(p.name().matches("my-nginx-" + hash + "-[" + PodNames.SAFE_ALPHABET + "]{5}"), p.name());
            assertEquals("my-nginx-" + hash + "-", p.metadata().generateName());
            assertEquals(Map.of("run", "my-nginx", "pod-template-hash", hash), p.metadata().labels());
            OwnerReference owner = p.metadata().controller();
            assertEquals(new OwnerReference("apps/v1", "ReplicaSet", rs.name(), Uids.of(rs), true, true), owner);
            assertEquals("default", p.namespace());
            assertEquals("nginx", p.spec().containers().get(0).image());
        }
        assertEquals(Set.copyOf(names(plan)), Set.copyOf(plan.createdPods().stream()
                .map(k -> k.substring(k.indexOf('/') + 1)).toList()));
    }

    @Test
    void theSameManifestsGiveTheSamePodNamesEveryTime() {
        assertEquals(names(plan(deployment("web", 3, "app", "web"))), names(plan(deployment("web", 3, "app", "web"))));
    }

    @Test
    void scalingUpKeepsTheExistingPodsAndScalingDownRemovesTheNewest() {
        List<String> two = names(plan(deployment("web", 2, "app", "web")));
        List<String> three = names(plan(deployment("web", 3, "app", "web")));
        List<String> one = names(plan(deployment("web", 1, "app", "web")));
        assertEquals(3, three.size());
        assertTrue(three.containsAll(two), three + " ⊇ " + two);
        assertTrue(two.containsAll(one), two + " ⊇ " + one);
        assertEquals(1, one.size());
        assertEquals(List.of(), names(plan(deployment("web", 0, "app", "web"))));
    }

    @Test
    void changingTheTemplateGivesANewReplicaSetAndNewPods() {
        List<String> before = names(plan(deployment("web", 1, "app", "web")));
        List<String> after = names(plan(deployment("web", 1, "app", "web").replace("image: nginx", "image: nginx:1.27")));
        assertNotEquals(before, after);
    }

    @Test
    void aDeploymentAdoptsNoHandWrittenPodBecauseItsReplicaSetSelectsOnPodTemplateHash() {
        WorkloadPlan plan = plan(deployment("web", 2, "app", "web") + pod("hand-made", "{app: web}"));
        assertEquals(3, plan.pods().size());
        Pod hand = find(plan, "hand-made");
        assertTrue(hand.metadata().ownerReferences().isEmpty());
        assertTrue(plan.problems().isEmpty(), plan.problems().toString());
    }

    // ---- ReplicaSet ------------------------------------------------------------------------------

    @Test
    void aReplicaSetNamesItsPodsFromItsOwnNameWithoutAHash() {
        WorkloadPlan plan = plan(replicaSet("frontend", 3, "tier", "frontend"));
        assertEquals(3, plan.pods().size());
        for (Pod p : plan.pods()) {
            assertTrue(p.name().matches("frontend-[" + PodNames.SAFE_ALPHABET + "]{5}"), p.name());
            assertEquals(Map.of("tier", "frontend"), p.metadata().labels());
            assertEquals("ReplicaSet", p.metadata().controller().kind());
        }
    }

    @Test
    void aReplicaSetAdoptsMatchingOrphansWhichCountTowardReplicas() {
        WorkloadPlan plan = plan(replicaSet("frontend", 3, "tier", "frontend")
                + pod("pod1", "{tier: frontend}") + pod("pod2", "{tier: frontend}") + pod("other", "{tier: backend}"));
        assertEquals(4, plan.pods().size(), names(plan).toString());
        for (String n : List.of("pod1", "pod2")) {
            OwnerReference ref = find(plan, n).metadata().controller();
            assertEquals("frontend", ref.name(), n);
            assertEquals(true, ref.controller());
        }
        assertNull(find(plan, "other").metadata().controller());
        assertEquals(1, plan.createdPods().size());
        assertTrue(plan.createdPods().iterator().next().startsWith("default/frontend-"));
    }

    @Test
    void orphansBeyondReplicasAreDeletedWithAProblem() {
        WorkloadPlan plan = plan(replicaSet("frontend", 1, "tier", "frontend")
                + pod("pod1", "{tier: frontend}") + pod("pod2", "{tier: frontend}"));
        assertEquals(List.of("pod1"), names(plan));
        assertEquals(1, plan.problems().size());
        assertEquals("Pod default/pod2", plan.problems().get(0).object());
        assertTrue(plan.problems().get(0).message().contains("deletes it"), plan.problems().get(0).message());
    }

    @Test
    void podsControlledBySomeoneElseTerminatingOrFinishedAreNotAdopted() {
        String owned = """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: owned
                  labels: {tier: frontend}
                  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: other, uid: x, controller: true}]
                spec: {containers: [{name: c, image: nginx}]}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: going, labels: {tier: frontend}, deletionTimestamp: "2024-01-01T00:00:00Z"}
                spec: {containers: [{name: c, image: nginx}]}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: done, labels: {tier: frontend}}
                spec: {containers: [{name: c, image: nginx}]}
                status: {phase: Succeeded}
                ---
                """;
        WorkloadPlan plan = plan(replicaSet("frontend", 1, "tier", "frontend") + owned);
        assertEquals(4, plan.pods().size());
        assertEquals(1, plan.createdPods().size());
        assertEquals("other", find(plan, "owned").metadata().controller().name());
        assertNull(find(plan, "going").metadata().controller());
        assertNull(find(plan, "done").metadata().controller());
    }

    @Test
    void aPodAlreadyControlledByTheReplicaSetIsKeptNotDuplicated() {
        String mine = """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: frontend-abcde
                  labels: {tier: frontend}
                  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: frontend, uid: u1, controller: true}]
                spec: {containers: [{name: c, image: nginx}]}
                ---
                """;
        WorkloadPlan plan = plan(replicaSet("frontend", 1, "tier", "frontend") + mine);
        assertEquals(List.of("frontend-abcde"), names(plan));
        assertEquals(1, find(plan, "frontend-abcde").metadata().ownerReferences().size());
    }

    @Test
    void aGeneratedNameThatIsTakenIsReplacedByAnother() {
        String first = PodNames.replicaSetPod("frontend", 0, 0);
        WorkloadPlan plan = plan(replicaSet("frontend", 1, "tier", "frontend") + pod(first, "{tier: other}"));
        assertEquals(2, plan.pods().size());
        assertEquals(Set.of("default/" + PodNames.replicaSetPod("frontend", 0, 1)), plan.createdPods());
    }

    @Test
    void podsInOtherNamespacesAreNotAdopted() {
        WorkloadPlan plan = plan(replicaSet("frontend", 1, "tier", "frontend")
                + pod("elsewhere", "{tier: frontend}").replace("metadata: {name: elsewhere,", "metadata: {namespace: prod, name: elsewhere,"));
        assertNull(find(plan, "elsewhere").metadata().controller());
        assertEquals(1, plan.createdPods().size());
    }

    // ---- StatefulSet -----------------------------------------------------------------------------

    @Test
    void aStatefulSetNamesPodsByOrdinalWithHostnameSubdomainAndIdentityLabels() {
        WorkloadPlan plan = plan(statefulSet("web", 3, "nginx", "Parallel"));
        assertEquals(List.of("web-0", "web-1", "web-2"), names(plan));
        Pod web1 = find(plan, "web-1");
        assertEquals("web-1", web1.spec().hostname());
        assertEquals("nginx", web1.spec().subdomain());
        assertEquals("web-1", web1.metadata().label("statefulset.kubernetes.io/pod-name"));
        assertEquals("1", web1.metadata().label("apps.kubernetes.io/pod-index"));
        assertEquals("web", web1.metadata().label("app"));
        assertTrue(web1.metadata().label("controller-revision-hash").startsWith("web-"));
        assertEquals("StatefulSet", web1.metadata().controller().kind());
        assertNull(web1.metadata().generateName());
    }

    @Test
    void orderedReadyCreatesTheNextOrdinalOnlyOnceThePreviousIsReady() {
        List<KubeObject> objects = Fixtures.read(statefulSet("web", 3, "nginx", "OrderedReady"));
        List<Workload> sts = Fixtures.workloads(objects);
        WorkloadPlan none = WorkloadControllers.plan(sts, List.of(), p -> false, Map.of());
        assertEquals(List.of("web-0"), names(none));
        WorkloadPlan first = WorkloadControllers.plan(sts, List.of(), p -> p.name().equals("web-0"), Map.of());
        assertEquals(List.of("web-0", "web-1"), names(first));
        WorkloadPlan all = WorkloadControllers.plan(sts, List.of(), p -> true, Map.of());
        assertEquals(List.of("web-0", "web-1", "web-2"), names(all));
    }

    @Test
    void theDefaultPolicyIsOrderedReady() {
        List<KubeObject> objects = Fixtures.read(statefulSet("web", 2, "nginx", "OrderedReady")
                .replace("  podManagementPolicy: OrderedReady\n", ""));
        WorkloadPlan plan = WorkloadControllers.plan(Fixtures.workloads(objects), List.of(), p -> false, Map.of());
        assertEquals(List.of("web-0"), names(plan));
    }

    @Test
    void parallelCreatesAllAtOnce() {
        List<KubeObject> objects = Fixtures.read(statefulSet("web", 3, "nginx", "Parallel"));
        WorkloadPlan plan = WorkloadControllers.plan(Fixtures.workloads(objects), List.of(), p -> false, Map.of());
        assertEquals(List.of("web-0", "web-1", "web-2"), names(plan));
    }

    @Test
    void aStatefulSetAdoptsOrphansNamedAsItsOrdinalsOnlyAndDeletesOrdinalsBeyondReplicas() {
        WorkloadPlan plan = plan(statefulSet("web", 2, "nginx", "Parallel")
                + pod("web-1", "{app: web}") + pod("web-7", "{app: web}") + pod("web-x", "{app: web}"));
        assertEquals(List.of("web-0", "web-1", "web-x"), names(plan));
        Pod adopted = find(plan, "web-1");
        assertEquals("web", adopted.metadata().controller().name());
        assertEquals("web-1", adopted.spec().hostname());
        assertEquals("nginx", adopted.spec().subdomain());
        assertEquals(Set.of("default/web-0"), plan.createdPods());
        assertNull(find(plan, "web-x").metadata().controller());
        assertEquals(1, plan.problems().size());
        assertEquals("Pod default/web-7", plan.problems().get(0).object());
    }

    @Test
    void scalingAStatefulSetAddsAndRemovesTheHighestOrdinals() {
        assertEquals(List.of("web-0", "web-1", "web-2", "web-3"), names(plan(statefulSet("web", 4, "nginx", "Parallel"))));
        assertEquals(List.of("web-0"), names(plan(statefulSet("web", 1, "nginx", "Parallel"))));
    }

    // ---- completion --------------------------------------------------------------------------------

    @Test
    void completionGivesCreatedPodsNodeIpPhaseAndReadinessAndWorkloadsTheirStatus() {
        WorkloadPlan plan = plan(deployment("web", 3, "app", "web") + pod("hand", "{app: web}"));
        List<String> created = plan.createdPods().stream().sorted().toList();
        String notReady = created.get(0);
        WorkloadPlan.Result r = plan.complete(new WorkloadPlan.Node("node-a", "127.0.0.1",
                key -> "127.244.0." + (created.indexOf(key) + 10),
                p -> !p.metadata().key().equals(notReady)));
        for (Pod p : r.pods()) {
            if (p.name().equals("hand")) {
                assertNull(p.spec().nodeName(), "given Pods are left as written");
                continue;
            }
            assertEquals("node-a", p.spec().nodeName());
            assertEquals("Running", p.status().phase());
            assertEquals("127.0.0.1", p.status().hostIP());
            assertEquals("127.244.0." + (created.indexOf(p.metadata().key()) + 10), p.status().podIP());
            assertEquals(List.of(p.status().podIP()), p.podIPs());
            assertEquals(!p.metadata().key().equals(notReady), p.isReady(), p.name());
        }
        Workload d = workload(plan, "Deployment", "web");
        Workload.Status s = r.workloads().stream().filter(w -> w.kind().equals("Deployment")).findFirst().orElseThrow().status();
        assertEquals(new Workload.Status(3, 2, 2, 3, 3), s, d.name());
        Workload.Status rs = r.workloads().stream().filter(w -> w.kind().equals("ReplicaSet")).findFirst().orElseThrow().status();
        assertEquals(3, rs.replicas());
        assertEquals(2, rs.readyReplicas());
    }

    @Test
    void aPodWithoutAnIpStaysPendingWithAProblem() {
        WorkloadPlan.Result r = plan(replicaSet("frontend", 1, "tier", "frontend"))
                .complete(new WorkloadPlan.Node("n", "127.0.0.1", key -> null, p -> true));
        assertEquals("Pending", r.pods().get(0).status().phase());
        assertTrue(r.pods().get(0).podIPs().isEmpty());
        assertEquals(1, r.problems().size());
        assertTrue(r.problems().get(0).message().contains("--pod-cidr"));
    }
}
