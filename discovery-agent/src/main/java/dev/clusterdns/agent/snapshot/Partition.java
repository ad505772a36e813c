package dev.clusterdns.agent.snapshot;

import dev.clusterdns.agent.model.ConfigMap;
import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Endpoints;
import dev.clusterdns.agent.model.Ingress;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.Secret;
import dev.clusterdns.agent.model.Service;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** One namespace's objects with their lookups by name; immutable, shared between snapshots. */
final class Partition {
    static final Partition EMPTY = new Partition(NamespaceObjects.EMPTY);

    final NamespaceObjects objects;
    private final ByName<Service> serviceByName;
    private final ByName<Pod> podByName;
    private final Map<String, List<EndpointSlice>> slicesByService;
    private final ByName<Endpoints> endpointsByName;
    private final ByName<ConfigMap> configMapByName;
    private final ByName<Secret> secretByName;
    private final ByName<Ingress> ingressByName;

    Partition(NamespaceObjects objects) {
        this.objects = objects;
        this.serviceByName = ByName.of(objects.services());
        this.podByName = ByName.of(objects.pods());
        this.endpointsByName = ByName.of(objects.endpoints());
        this.configMapByName = ByName.of(objects.configMaps());
        this.secretByName = ByName.of(objects.secrets());
        this.ingressByName = ByName.of(objects.ingresses());
        Map<String, List<EndpointSlice>> slices = new HashMap<>();
        for (EndpointSlice s : objects.endpointSlices()) {
            String svc = s.metadata() == null ? null : s.serviceName();
            if (svc != null) {
                slices.computeIfAbsent(svc, k -> new ArrayList<>(2)).add(s);
            }
        }
        slices.replaceAll((k, v) -> List.copyOf(v));
        this.slicesByService = slices;
    }

    Service service(String name) {
        return serviceByName.get(name);
    }

    Pod pod(String name) {
        return podByName.get(name);
    }

    List<EndpointSlice> endpointSlices(String service) {
        return slicesByService.getOrDefault(service, List.of());
    }

    Endpoints endpoints(String name) {
        return endpointsByName.get(name);
    }

    ConfigMap configMap(String name) {
        return configMapByName.get(name);
    }

    Secret secret(String name) {
        return secretByName.get(name);
    }

    Ingress ingress(String name) {
        return ingressByName.get(name);
    }
}
