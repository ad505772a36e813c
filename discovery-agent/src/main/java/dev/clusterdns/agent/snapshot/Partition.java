package dev.clusterdns.agent.snapshot;

import dev.clusterdns.agent.model.ConfigMap;
import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Endpoints;
import dev.clusterdns.agent.model.Ingress;
import dev.clusterdns.agent.model.KubeObject;
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
    private final Map<String, Service> serviceByName;
    private final Map<String, Pod> podByName;
    private final Map<String, List<EndpointSlice>> slicesByService;
    private final Map<String, Endpoints> endpointsByName;
    private final Map<String, ConfigMap> configMapByName;
    private final Map<String, Secret> secretByName;
    private final Map<String, Ingress> ingressByName;

    Partition(NamespaceObjects objects) {
        this.objects = objects;
        this.serviceByName = byName(objects.services());
        this.podByName = byName(objects.pods());
        this.endpointsByName = byName(objects.endpoints());
        this.configMapByName = byName(objects.configMaps());
        this.secretByName = byName(objects.secrets());
        this.ingressByName = byName(objects.ingresses());
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

    private static <T extends KubeObject> Map<String, T> byName(List<T> objects) {
        if (objects.isEmpty()) {
            return Map.of();
        }
        Map<String, T> out = new HashMap<>(objects.size() * 4 / 3 + 1);
        for (T o : objects) {
            out.putIfAbsent(o.name(), o); // the first wins, as lookups in a list would
        }
        return out;
    }
}
