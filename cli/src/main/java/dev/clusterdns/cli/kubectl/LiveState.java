package dev.clusterdns.cli.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clusterdns.agent.model.ConfigMap;
import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Endpoints;
import dev.clusterdns.agent.model.Namespace;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.Secret;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.Workload;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a running server serves, read back through its API, so `env`, `resolvconf` and `expose`
 * work on exactly the state `serve` has (its flags, its allocations), not a recomputation.
 *
 * @param snapshot the server's objects as one snapshot
 * @param clusterDomain the server's `--cluster-domain`
 * @param manifests the server's manifest roots (absolute), where `expose` writes
 */
public record LiveState(ClusterSnapshot snapshot, String clusterDomain, List<Path> manifests) {

    public static LiveState read(ApiClient api) throws IOException {
        JsonNode config = api.get("/api/clusterdns/config");
        JsonNode services = api.get("/api/v1/services");
        long revision = services.at("/metadata/resourceVersion").asLong();
        List<Workload> workloads = new ArrayList<>();
        workloads.addAll(items(api, "/apis/apps/v1/deployments", Workload.class));
        workloads.addAll(items(api, "/apis/apps/v1/replicasets", Workload.class));
        workloads.addAll(items(api, "/apis/apps/v1/statefulsets", Workload.class));
        ClusterSnapshot snap = ClusterSnapshot.builder(revision)
                .namespaces(items(api, "/api/v1/namespaces", Namespace.class))
                .services(convert(api, services, Service.class))
                .pods(items(api, "/api/v1/pods", Pod.class))
                .endpointSlices(items(api, "/apis/discovery.k8s.io/v1/endpointslices", EndpointSlice.class))
                .endpoints(items(api, "/api/v1/endpoints", Endpoints.class))
                .configMaps(items(api, "/api/v1/configmaps", ConfigMap.class))
                .secrets(items(api, "/api/v1/secrets?reveal=true", Secret.class))
                .workloads(workloads)
                .build();
        List<Path> manifests = new ArrayList<>();
        config.path("manifests").forEach(m -> manifests.add(Path.of(m.asText())));
        return new LiveState(snap, config.path("clusterDomain").asText("cluster.local"), manifests);
    }

    private static <T> List<T> items(ApiClient api, String path, Class<T> type) throws IOException {
        return convert(api, api.get(path), type);
    }

    private static <T> List<T> convert(ApiClient api, JsonNode list, Class<T> type) throws IOException {
        List<T> out = new ArrayList<>();
        for (JsonNode item : list.path("items")) {
            out.add(api.json().treeToValue(item, type));
        }
        return out;
    }
}
