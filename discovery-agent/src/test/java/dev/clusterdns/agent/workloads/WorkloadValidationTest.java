package dev.clusterdns.agent.workloads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.Probe;
import dev.clusterdns.agent.model.Workload;
import dev.clusterdns.agent.validation.FieldError;
import dev.clusterdns.agent.validation.Validation;
import java.util.List;
import org.junit.jupiter.api.Test;

/** StatefulSets are read and validated as the API server does; probes and ownerReferences are read. */
class WorkloadValidationTest {

    private static String message(String yaml) {
        Workload w = Fixtures.workloads(Fixtures.read(yaml)).get(0);
        List<FieldError> errors = Validation.workload(w);
        return errors.isEmpty() ? "" : FieldError.kubectlMessage(w.kind(), w.name(), errors);
    }

    @Test
    void aStatefulSetIsReadWithItsServiceNameAndDefaultPolicy() {
        Workload w = Fixtures.workloads(Fixtures.read(Fixtures.statefulSet("web", 2, "nginx", "Parallel")
                .replace("  podManagementPolicy: Parallel\n", ""))).get(0);
        assertEquals("StatefulSet", w.kind());
        assertEquals("nginx", w.spec().serviceName());
        assertEquals("OrderedReady", w.spec().podManagementPolicy());
        assertEquals("", message(Fixtures.statefulSet("web", 2, "nginx", "Parallel")));
    }

    @Test
    void aSelectorThatDoesNotMatchTheTemplateIsRejectedAsTheApiServerDoes() {
        String m = message(Fixtures.statefulSet("web", 2, "nginx", "Parallel").replace("selector: {matchLabels: {app: web}}",
                "selector: {matchLabels: {app: other}}"));
        assertTrue(m.contains("The StatefulSet \"web\" is invalid"), m);
        assertTrue(m.contains("spec.template.metadata.labels"), m);
        assertTrue(m.contains("`selector` does not match template `labels`"), m);
    }

    @Test
    void anUnknownPodManagementPolicyIsRejected() {
        String m = message(Fixtures.statefulSet("web", 2, "nginx", "Sometimes"));
        assertTrue(m.contains("spec.podManagementPolicy: Unsupported value: \"Sometimes\""), m);
    }

    @Test
    void negativeReplicasAreRejected() {
        String m = message(Fixtures.deployment("web", -1, "app", "web"));
        assertTrue(m.contains("spec.replicas: Invalid value: -1: must be greater than or equal to 0"), m);
    }

    @Test
    void readinessProbesAreValidatedAsTheApiServerDoes() {
        String base = Fixtures.deployment("web", 1, "app", "web");
        String twoHandlers = message(base.replace("ports: [{containerPort: 80}]}",
                "ports: [{containerPort: 80}], readinessProbe: {httpGet: {port: 80}, tcpSocket: {port: 80}}}"));
        assertTrue(twoHandlers.contains("spec.template.spec.containers[0].readinessProbe: Forbidden: may not specify more than 1 handler type"),
                twoHandlers);
        String badTiming = message(base.replace("ports: [{containerPort: 80}]}",
                "ports: [{containerPort: 80}], readinessProbe: {tcpSocket: {port: 0}, periodSeconds: -1}}"));
        assertTrue(badTiming.contains("readinessProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0"), badTiming);
        assertTrue(badTiming.contains("readinessProbe.tcpSocket.port: Invalid value: 0: must be between 1 and 65535, inclusive"), badTiming);
        String none = message(base.replace("ports: [{containerPort: 80}]}", "ports: [{containerPort: 80}], readinessProbe: {periodSeconds: 5}}"));
        assertTrue(none.contains("readinessProbe: Required value: must specify a handler type"), none);
    }

    @Test
    void readinessProbesAndOwnerReferencesAreRead() {
        Pod p = Fixtures.pods(Fixtures.read("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: p
                  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: rs, uid: u, controller: true}]
                spec:
                  containers:
                  - name: c
                    image: nginx
                    readinessProbe:
                      httpGet: {path: /healthz, port: http}
                      periodSeconds: 2
                """)).get(0);
        assertEquals("rs", p.metadata().controller().name());
        Probe probe = p.spec().containers().get(0).readinessProbe();
        assertEquals("/healthz", probe.httpGet().path());
        assertEquals("http", probe.httpGet().port().stringValue());
        assertEquals(new Probe.Timing(0, 2, 1, 1, 3), probe.timing());
    }
}
