package dev.clusterdns.agent.endpoints;

import dev.clusterdns.agent.model.EndpointPort;
import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Endpoints;
import dev.clusterdns.agent.model.Endpoints.Address;
import dev.clusterdns.agent.model.Endpoints.Subset;
import dev.clusterdns.agent.model.ObjectMeta;
import dev.clusterdns.agent.model.ObjectReference;
import dev.clusterdns.agent.net.IpAddresses;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Kubernetes' endpointslicemirroring controller: the v1 Endpoints of a selector-less Service as
 * EndpointSlices. Subsets with the same ports (in any order) and address family share slices;
 * at most 1000 addresses are mirrored per subset and per slice; invalid IPs are skipped.
 */
final class EndpointsMirror {
    static final int MAX_ENDPOINTS_PER_SUBSET = 1000;

    private static final List<String> DROPPED_ANNOTATIONS = List.of(
            "endpoints.kubernetes.io/last-change-trigger-time", "kubectl.kubernetes.io/last-applied-configuration");

    private EndpointsMirror() {}

    /** Not when labelled `skip-mirror: "true"` nor when the object is a leader-election lock. */
    static boolean shouldMirror(Endpoints endpoints) {
        if (endpoints.metadata() == null) {
            return false;
        }
        return !"true".equals(endpoints.metadata().label(EndpointsController.SKIP_MIRROR_LABEL))
                && endpoints.metadata().annotation(EndpointsController.LEADER_ANNOTATION) == null;
    }

    private record GroupKey(IpFamily family, String sortedPorts) {}

    private record Group(List<EndpointPort> ports, Map<List<String>, EndpointSlice.Endpoint> endpoints) {}

    static List<EndpointSlice> slices(Endpoints endpoints, String namespace, SliceNames names) {
        Map<GroupKey, Group> groups = new LinkedHashMap<>();
        for (Subset subset : endpoints.subsets()) {
            List<EndpointPort> ports = new ArrayList<>(subset.ports().size());
            for (EndpointPort p : subset.ports()) {
                ports.add(new EndpointPort(p.name() == null ? "" : p.name(), p.port(), p.protocolOrTcp(), p.appProtocol()));
            }
            List<EndpointPort> sorted = new ArrayList<>(ports);
            sorted.sort(Subsets.PORT_ORDER);
            String portsKey = ServiceEndpoints.portsKey(sorted);
            int added = 0;
            for (int pass = 0; pass < 2; pass++) {
                boolean ready = pass == 0;
                for (Address address : ready ? subset.addresses() : subset.notReadyAddresses()) {
                    if (added >= MAX_ENDPOINTS_PER_SUBSET) {
                        break;
                    }
                    IpFamily family = IpFamily.of(address.ip());
                    if (family == null) {
                        continue;
                    }
                    Group group = groups.computeIfAbsent(new GroupKey(family, portsKey),
                            k -> new Group(List.copyOf(ports), new LinkedHashMap<>()));
                    EndpointSlice.Endpoint endpoint = toEndpoint(address, ready);
                    // Upstream keeps a set keyed by address, hostname and target: a repeat replaces.
                    ObjectReference ref = address.targetRef();
                    List<String> identity = Arrays.asList(endpoint.addresses().get(0), endpoint.hostname(),
                            ref == null ? null : ref.namespace(), ref == null ? null : ref.name());
                    group.endpoints().remove(identity);
                    group.endpoints().put(identity, endpoint);
                    added++;
                }
            }
        }

        String generateName = SliceNames.prefix(endpoints.name());
        Map<String, String> labels = new TreeMap<>(endpoints.metadata().labels());
        labels.put(EndpointSlice.SERVICE_NAME_LABEL, endpoints.name());
        labels.put(EndpointSlice.MANAGED_BY_LABEL, EndpointsController.MIRRORING_CONTROLLER);
        Map<String, String> annotations = new TreeMap<>(endpoints.metadata().annotations());
        DROPPED_ANNOTATIONS.forEach(annotations::remove);

        List<EndpointSlice> result = new ArrayList<>();
        for (Map.Entry<GroupKey, Group> e : groups.entrySet()) {
            List<EndpointSlice.Endpoint> members = new ArrayList<>(e.getValue().endpoints().values());
            for (int from = 0, chunk = 0; from < members.size(); from += MAX_ENDPOINTS_PER_SUBSET, chunk++) {
                String identity = namespace + "/" + endpoints.name() + "|" + EndpointsController.MIRRORING_CONTROLLER
                        + "|" + e.getKey().family().addressType() + "|" + e.getKey().sortedPorts() + "|" + chunk;
                String name = names.next(namespace, generateName, identity);
                ObjectMeta meta = new ObjectMeta(name, generateName, namespace, null, null, labels, annotations, null, null);
                result.add(new EndpointSlice("discovery.k8s.io/v1", "EndpointSlice", meta,
                        e.getKey().family().addressType(),
                        members.subList(from, Math.min(from + MAX_ENDPOINTS_PER_SUBSET, members.size())),
                        e.getValue().ports()));
            }
        }
        return result;
    }

    /** Only `ready` is mirrored; hostname, nodeName and targetRef are copied. */
    private static EndpointSlice.Endpoint toEndpoint(Address address, boolean ready) {
        String nodeName = address.nodeName() == null || address.nodeName().isEmpty() ? null : address.nodeName();
        String hostname = address.hostname() == null || address.hostname().isEmpty() ? null : address.hostname();
        return new EndpointSlice.Endpoint(List.of(IpAddresses.canonical(address.ip())),
                new EndpointSlice.Conditions(ready, null, null), hostname, nodeName, null, address.targetRef());
    }
}
