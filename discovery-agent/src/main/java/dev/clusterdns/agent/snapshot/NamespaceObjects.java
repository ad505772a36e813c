package dev.clusterdns.agent.snapshot;

import dev.clusterdns.agent.model.ConfigMap;
import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Endpoints;
import dev.clusterdns.agent.model.Ingress;
import dev.clusterdns.agent.model.KubeObject;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.Secret;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.Workload;
import java.util.ArrayList;
import java.util.List;

/**
 * The objects of one namespace in a snapshot, each list in the order consumers see (by name for
 * what the agent builds). A snapshot is a map of these: a change rebuilds only the namespaces it
 * touches and shares the others with the snapshot before it.
 */
public record NamespaceObjects(
        List<Service> services,
        List<Pod> pods,
        List<EndpointSlice> endpointSlices,
        List<Endpoints> endpoints,
        List<ConfigMap> configMaps,
        List<Secret> secrets,
        List<Workload> workloads,
        List<Ingress> ingresses) {

    public static final NamespaceObjects EMPTY =
            new NamespaceObjects(List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of());

    /** Without Ingresses. */
    public NamespaceObjects(List<Service> services, List<Pod> pods, List<EndpointSlice> endpointSlices,
                            List<Endpoints> endpoints, List<ConfigMap> configMaps, List<Secret> secrets,
                            List<Workload> workloads) {
        this(services, pods, endpointSlices, endpoints, configMaps, secrets, workloads, List.of());
    }

    public NamespaceObjects {
        services = List.copyOf(services);
        pods = List.copyOf(pods);
        endpointSlices = List.copyOf(endpointSlices);
        endpoints = List.copyOf(endpoints);
        configMaps = List.copyOf(configMaps);
        secrets = List.copyOf(secrets);
        workloads = List.copyOf(workloads);
        ingresses = List.copyOf(ingresses);
    }

    public boolean isEmpty() {
        return services.isEmpty() && pods.isEmpty() && endpointSlices.isEmpty() && endpoints.isEmpty()
                && configMaps.isEmpty() && secrets.isEmpty() && workloads.isEmpty() && ingresses.isEmpty();
    }

    /** Collects one namespace's objects in the order added. */
    static final class Builder {
        final List<Service> services = new ArrayList<>();
        final List<Pod> pods = new ArrayList<>();
        final List<EndpointSlice> endpointSlices = new ArrayList<>();
        final List<Endpoints> endpoints = new ArrayList<>();
        final List<ConfigMap> configMaps = new ArrayList<>();
        final List<Secret> secrets = new ArrayList<>();
        final List<Workload> workloads = new ArrayList<>();
        final List<Ingress> ingresses = new ArrayList<>();

        NamespaceObjects build() {
            return new NamespaceObjects(services, pods, endpointSlices, endpoints, configMaps, secrets, workloads,
                    ingresses);
        }
    }

    /** The namespace an object is filed under: objects without one live in `default`. */
    static String namespaceOf(KubeObject o) {
        String ns = o.metadata() == null ? null : o.namespace();
        return ns == null || ns.isEmpty() ? "default" : ns;
    }
}
