package dev.clusterdns.agent.endpoints;

import dev.clusterdns.agent.model.EndpointPort;
import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Endpoints;
import dev.clusterdns.agent.model.Endpoints.Address;
import dev.clusterdns.agent.model.Endpoints.Subset;
import dev.clusterdns.agent.model.ObjectMeta;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.ServicePort;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the endpoint and endpointslice controllers want for one Service with a selector, given the
 * candidate pods of its namespace that match the selector (sorted by name; finished and IP-less
 * pods already left out).
 */
final class ServiceEndpoints {
    static final int MAX_ENDPOINTS_PER_SLICE = 100;

    private final Service service;
    private final String namespace;
    private final List<CandidatePod> pods;
    /** Per pod (same order as {@link #pods}): the resolved target port per Service port, or UNRESOLVED. */
    private final List<int[]> targetPorts;

    ServiceEndpoints(Service service, String namespace, List<CandidatePod> pods) {
        this.service = service;
        this.namespace = namespace;
        this.pods = pods;
        List<ServicePort> ports = service.spec().ports();
        this.targetPorts = new ArrayList<>(pods.size());
        for (CandidatePod candidate : pods) {
            int[] resolved = new int[ports.size()];
            for (int i = 0; i < resolved.length; i++) {
                resolved[i] = TargetPorts.find(candidate.pod(), ports.get(i));
            }
            targetPorts.add(resolved);
        }
    }

    // ---------------------------------------------------------------- v1 Endpoints

    Endpoints endpoints() {
        boolean publishNotReady = service.spec().publishesNotReady();
        List<ServicePort> servicePorts = service.spec().ports();
        List<Subset> perPod = new ArrayList<>();
        IpFamily servicePrimary = endpointsFamily();
        for (int p = 0; p < pods.size(); p++) {
            CandidatePod candidate = pods.get(p);
            Pod pod = candidate.pod();
            if (candidate.terminating() && !publishNotReady) {
                continue;
            }
            // Headless without families: each pod's primary IP family decides.
            String ip = candidate.firstIp(servicePrimary != null ? servicePrimary : candidate.families().get(0));
            if (ip == null) {
                continue;
            }
            Address address = Address.forPod(ip, hostnameFor(pod), pod.spec().nodeName(), pod,
                    EndpointsController.namespaceOf(pod));
            boolean ready = publishNotReady || candidate.ready();
            List<Address> one = List.of(address);
            if (servicePorts.isEmpty()) {
                // Only a headless Service may have no ports; its pods still get addresses.
                if (service.isHeadless()) {
                    perPod.add(ready ? new Subset(one, null, null) : new Subset(null, one, null));
                }
                continue;
            }
            int[] resolved = targetPorts.get(p);
            for (int i = 0; i < servicePorts.size(); i++) {
                if (resolved[i] == TargetPorts.UNRESOLVED) {
                    continue;
                }
                ServicePort sp = servicePorts.get(i);
                List<EndpointPort> port = List.of(new EndpointPort(
                        emptyToNull(sp.name()), resolved[i], sp.protocolOrTcp(), sp.appProtocol()));
                perPod.add(ready ? new Subset(one, null, port) : new Subset(null, one, port));
            }
        }
        List<Subset> subsets = Subsets.repack(perPod);
        Map<String, String> annotations = new TreeMap<>();
        List<Subset> truncated = Subsets.truncated(subsets);
        if (truncated != null) {
            subsets = truncated;
            annotations.put(EndpointsController.OVER_CAPACITY_ANNOTATION, "truncated");
        }

        // Since Kubernetes 1.33 the controller marks the Endpoints it manages.
        Map<String, String> labels = new TreeMap<>(service.metadata().labels());
        labels.put(EndpointsController.ENDPOINTS_MANAGED_BY_LABEL, EndpointsController.ENDPOINT_CONTROLLER);
        String clusterIP = service.spec().clusterIP();
        if (clusterIP == null || clusterIP.isEmpty() || Service.CLUSTER_IP_NONE.equals(clusterIP)) {
            labels.put(EndpointsController.HEADLESS_LABEL, "");
        } else {
            labels.remove(EndpointsController.HEADLESS_LABEL);
        }
        ObjectMeta meta = new ObjectMeta(service.name(), null, namespace, null, null, labels, annotations, null, null);
        return new Endpoints("v1", "Endpoints", meta, subsets);
    }

    /**
     * The family of a pod's one v1 Endpoints address (its first IP of that family, copied
     * verbatim): `ipFamilies[0]`, else the clusterIP's family; null for headless without families,
     * where each pod's primary IP family decides.
     */
    private IpFamily endpointsFamily() {
        List<String> families = service.spec().ipFamilies();
        String clusterIP = service.spec().clusterIP();
        if (!families.isEmpty()) {
            return IpFamily.fromServiceName(families.get(0)) == IpFamily.IPV6 ? IpFamily.IPV6 : IpFamily.IPV4;
        }
        if (clusterIP != null && !clusterIP.isEmpty() && !Service.CLUSTER_IP_NONE.equals(clusterIP)) {
            return IpFamily.of(clusterIP) == IpFamily.IPV6 ? IpFamily.IPV6 : IpFamily.IPV4;
        }
        return null;
    }

    // ---------------------------------------------------------------- EndpointSlices

    List<EndpointSlice> slices(SliceNames names) {
        boolean publishNotReady = service.spec().publishesNotReady();
        List<ServicePort> servicePorts = service.spec().ports();
        String generateName = SliceNames.prefix(service.name());
        Map<String, String> labels = sliceLabels();
        List<EndpointSlice> result = new ArrayList<>();
        for (IpFamily family : sliceFamilies()) {
            // Pods with identical resolved port lists share slices; groups in order of first pod.
            Map<List<EndpointPort>, List<EndpointSlice.Endpoint>> groups = new LinkedHashMap<>();
            for (int p = 0; p < pods.size(); p++) {
                CandidatePod candidate = pods.get(p);
                Pod pod = candidate.pod();
                List<String> addresses = candidate.canonicalIps(family);
                if (addresses.isEmpty()) {
                    continue;
                }
                boolean serving = candidate.ready();
                boolean terminating = candidate.terminating();
                EndpointSlice.Conditions conditions = new EndpointSlice.Conditions(
                        publishNotReady || (serving && !terminating), serving, terminating);
                String nodeName = emptyToNull(pod.spec().nodeName());
                EndpointSlice.Endpoint endpoint = EndpointSlice.Endpoint.forPod(
                        addresses, conditions, hostnameFor(pod), nodeName, pod, EndpointsController.namespaceOf(pod));
                groups.computeIfAbsent(slicePorts(servicePorts, targetPorts.get(p)), k -> new ArrayList<>())
                        .add(endpoint);
            }
            if (groups.isEmpty()) {
                String identity = identity(family, "placeholder", 0);
                result.add(slice(names.next(namespace, generateName, identity), generateName, labels, family,
                        List.of(), List.of()));
                continue;
            }
            for (Map.Entry<List<EndpointPort>, List<EndpointSlice.Endpoint>> group : groups.entrySet()) {
                List<EndpointSlice.Endpoint> members = group.getValue();
                String portsKey = portsKey(group.getKey());
                for (int from = 0, chunk = 0; from < members.size(); from += MAX_ENDPOINTS_PER_SLICE, chunk++) {
                    List<EndpointSlice.Endpoint> part =
                            members.subList(from, Math.min(from + MAX_ENDPOINTS_PER_SLICE, members.size()));
                    String name = names.next(namespace, generateName, identity(family, portsKey, chunk));
                    result.add(slice(name, generateName, labels, family, part, group.getKey()));
                }
            }
        }
        return result;
    }

    /**
     * One family per entry of `ipFamilies`; without families the clusterIP's family; headless
     * without families gets both.
     */
    private List<IpFamily> sliceFamilies() {
        Set<IpFamily> families = new LinkedHashSet<>();
        for (String f : service.spec().ipFamilies()) {
            IpFamily family = IpFamily.fromServiceName(f);
            if (family != null) {
                families.add(family);
            }
        }
        if (!families.isEmpty()) {
            return List.copyOf(families);
        }
        String clusterIP = service.spec().clusterIP();
        if (clusterIP != null && !clusterIP.isEmpty() && !Service.CLUSTER_IP_NONE.equals(clusterIP)) {
            return List.of(IpFamily.of(clusterIP) == IpFamily.IPV6 ? IpFamily.IPV6 : IpFamily.IPV4);
        }
        return List.of(IpFamily.IPV4, IpFamily.IPV6);
    }

    private static List<EndpointPort> slicePorts(List<ServicePort> servicePorts, int[] resolved) {
        List<EndpointPort> ports = new ArrayList<>(servicePorts.size());
        for (int i = 0; i < servicePorts.size(); i++) {
            if (resolved[i] == TargetPorts.UNRESOLVED) {
                continue;
            }
            ServicePort sp = servicePorts.get(i);
            // Upstream always sets the name, so an unnamed port reads `name: ""`.
            String name = sp.name() == null ? "" : sp.name();
            ports.add(new EndpointPort(name, resolved[i], sp.protocolOrTcp(), sp.appProtocol()));
        }
        return List.copyOf(ports);
    }

    /** Service labels (reserved keys ignored) + service-name + managed-by + headless when `clusterIP: None`. */
    private Map<String, String> sliceLabels() {
        Map<String, String> labels = new TreeMap<>(service.metadata().labels());
        labels.remove(EndpointSlice.SERVICE_NAME_LABEL);
        labels.remove(EndpointSlice.MANAGED_BY_LABEL);
        labels.put(EndpointSlice.SERVICE_NAME_LABEL, service.name());
        labels.put(EndpointSlice.MANAGED_BY_LABEL, EndpointsController.ENDPOINTSLICE_CONTROLLER);
        if (service.isHeadless()) {
            labels.put(EndpointsController.HEADLESS_LABEL, "");
        }
        return labels;
    }

    private EndpointSlice slice(String name, String generateName, Map<String, String> labels, IpFamily family,
            List<EndpointSlice.Endpoint> endpoints, List<EndpointPort> ports) {
        ObjectMeta meta = new ObjectMeta(name, generateName, namespace, null, null, labels, null, null, null);
        return new EndpointSlice("discovery.k8s.io/v1", "EndpointSlice", meta, family.addressType(), endpoints, ports);
    }

    private String identity(IpFamily family, String portsKey, int chunk) {
        return namespace + "/" + service.name() + "|" + EndpointsController.ENDPOINTSLICE_CONTROLLER + "|"
                + family.addressType() + "|" + portsKey + "|" + chunk;
    }

    static String portsKey(List<EndpointPort> ports) {
        StringBuilder sb = new StringBuilder();
        for (EndpointPort p : ports) {
            sb.append(p.name()).append('/').append(p.port()).append('/').append(p.protocol()).append('/')
                    .append(p.appProtocol()).append(',');
        }
        return sb.toString();
    }

    /** `spec.hostname` when set, `spec.subdomain` names this Service, and the namespaces agree. */
    private String hostnameFor(Pod pod) {
        String hostname = pod.spec().hostname();
        if (hostname != null && !hostname.isEmpty()
                && service.name().equals(pod.spec().subdomain())
                && namespace.equals(EndpointsController.namespaceOf(pod))) {
            return hostname;
        }
        return null;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
