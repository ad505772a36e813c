package dev.clusterdns.cli.kubeapi;

import dev.clusterdns.agent.model.KubeObject;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import java.util.List;
import java.util.function.Function;

/**
 * One kind the API serves: its discovery entry and where its objects are in a snapshot.
 *
 * @param group API group, "" for the core group
 * @param fieldLabels field selector keys it accepts besides metadata.name and metadata.namespace
 */
record ApiResource(String group, String version, String plural, String singular, String kind, boolean namespaced,
                   List<String> shortNames, List<String> categories, List<String> fieldLabels,
                   Function<ClusterSnapshot, List<? extends KubeObject>> items) {

    String groupVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** `/api/v1` or `/apis/group/version`. */
    String basePath() {
        return group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
    }

    String listKind() {
        return kind + "List";
    }

    /** `services` or `deployments.apps`, as errors name a resource. */
    String qualified() {
        return group.isEmpty() ? plural : plural + "." + group;
    }

    /** Every kind clusterdns holds. */
    static List<ApiResource> all() {
        List<String> all = List.of("all");
        return List.of(
                new ApiResource("", "v1", "namespaces", "namespace", "Namespace", false, List.of("ns"), List.of(),
                        List.of("status.phase"), ClusterSnapshot::namespaces),
                new ApiResource("", "v1", "services", "service", "Service", true, List.of("svc"), all,
                        List.of("spec.clusterIP", "spec.type"), ClusterSnapshot::services),
                new ApiResource("", "v1", "endpoints", "endpoints", "Endpoints", true, List.of("ep"), List.of(),
                        List.of(), ClusterSnapshot::endpoints),
                new ApiResource("", "v1", "pods", "pod", "Pod", true, List.of("po"), all,
                        List.of("spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
                                "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName"),
                        ClusterSnapshot::pods),
                new ApiResource("", "v1", "configmaps", "configmap", "ConfigMap", true, List.of("cm"), List.of(),
                        List.of(), ClusterSnapshot::configMaps),
                new ApiResource("", "v1", "secrets", "secret", "Secret", true, List.of(), List.of(),
                        List.of("type"), ClusterSnapshot::secrets),
                new ApiResource("", "v1", "events", "event", "Event", true, List.of("ev"), List.of(),
                        List.of("involvedObject.kind", "involvedObject.name", "involvedObject.namespace",
                                "involvedObject.uid", "reason", "type"), s -> List.of()),
                new ApiResource("discovery.k8s.io", "v1", "endpointslices", "endpointslice", "EndpointSlice", true,
                        List.of(), List.of(), List.of(), ClusterSnapshot::endpointSlices),
                new ApiResource("apps", "v1", "deployments", "deployment", "Deployment", true, List.of("deploy"), all,
                        List.of(), s -> workloads(s, "Deployment")),
                new ApiResource("apps", "v1", "replicasets", "replicaset", "ReplicaSet", true, List.of("rs"), all,
                        List.of(), s -> workloads(s, "ReplicaSet")),
                new ApiResource("apps", "v1", "statefulsets", "statefulset", "StatefulSet", true, List.of("sts"), all,
                        List.of(), s -> workloads(s, "StatefulSet")),
                new ApiResource("networking.k8s.io", "v1", "ingresses", "ingress", "Ingress", true, List.of("ing"),
                        List.of(), List.of(), ClusterSnapshot::ingresses),
                new ApiResource("networking.k8s.io", "v1", "ingressclasses", "ingressclass", "IngressClass", false,
                        List.of(), List.of(), List.of(), ClusterSnapshot::ingressClasses));
    }

    private static List<? extends KubeObject> workloads(ClusterSnapshot s, String kind) {
        return s.workloads().stream().filter(w -> kind.equals(w.kind())).toList();
    }
}
