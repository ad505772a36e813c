package dev.clusterdns.agent.workloads;

import dev.clusterdns.agent.manifest.Manifest;
import dev.clusterdns.agent.manifest.ManifestFile;
import dev.clusterdns.agent.manifest.ManifestReader;
import dev.clusterdns.agent.model.KubeObject;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.Workload;
import dev.clusterdns.agent.validation.Defaults;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Workloads and Pods read from YAML by the real reader and defaulted as the reconciler does. */
final class Fixtures {
    private Fixtures() {}

    static List<KubeObject> read(String yaml) {
        ManifestFile f = new ManifestReader().read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)),
                "test.yaml", false);
        if (!f.problems().isEmpty()) {
            throw new AssertionError(f.problems().toString());
        }
        List<KubeObject> out = new ArrayList<>();
        for (Manifest m : f.manifests()) {
            out.add(m.object());
        }
        return out;
    }

    static List<Workload> workloads(List<KubeObject> objects) {
        return objects.stream().filter(o -> o instanceof Workload).map(o -> Defaults.workload((Workload) o)).toList();
    }

    static List<Pod> pods(List<KubeObject> objects) {
        return objects.stream().filter(o -> o instanceof Pod).map(o -> Defaults.pod((Pod) o)).toList();
    }

    static WorkloadPlan plan(String yaml) {
        List<KubeObject> objects = read(yaml);
        return WorkloadControllers.plan(workloads(objects), pods(objects), p -> true, Map.of());
    }

    static String deployment(String name, int replicas, String labelKey, String labelValue) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: %1$s}
                spec:
                  replicas: %2$d
                  selector: {matchLabels: {%3$s: %4$s}}
                  template:
                    metadata: {labels: {%3$s: %4$s}}
                    spec:
                      containers: [{name: c, image: nginx, ports: [{containerPort: 80}]}]
                ---
                """.formatted(name, replicas, labelKey, labelValue);
    }

    static String replicaSet(String name, int replicas, String labelKey, String labelValue) {
        return deployment(name, replicas, labelKey, labelValue).replace("kind: Deployment", "kind: ReplicaSet");
    }

    static String statefulSet(String name, int replicas, String service, String policy) {
        return """
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: %1$s}
                spec:
                  replicas: %2$d
                  serviceName: %3$s
                  podManagementPolicy: %4$s
                  selector: {matchLabels: {app: %1$s}}
                  template:
                    metadata: {labels: {app: %1$s}}
                    spec:
                      containers: [{name: c, image: nginx}]
                ---
                """.formatted(name, replicas, service, policy);
    }

    static String pod(String name, String labels) {
        return """
                apiVersion: v1
                kind: Pod
                metadata: {name: %s, labels: %s}
                spec:
                  containers: [{name: c, image: nginx}]
                ---
                """.formatted(name, labels);
    }
}
