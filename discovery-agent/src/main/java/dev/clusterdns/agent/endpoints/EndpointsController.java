package dev.clusterdns.agent.endpoints;

import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Endpoints;
import dev.clusterdns.agent.model.KubeObject;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.Service;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kubernetes' endpoint, endpointslice and endpointslicemirroring controllers folded into one pure
 * function: the cluster's Services, Pods and the EndpointSlices/Endpoints given in manifests in,
 * the EndpointSlices and v1 Endpoints the cluster would hold out. Rules: Kubernetes'
 * pkg/controller/endpoint, endpointslice and endpointslicemirroring.
 *
 * <p>Ownership, as in Kubernetes:
 * <ul>
 *   <li>A Service with a selector (not ExternalName) gets controller-made slices and Endpoints; a
 *       given Endpoints of the same name is replaced, given slices labelled as made by the
 *       endpointslice or mirroring controller are dropped, other given slices for it (custom
 *       managers) pass through, as kube-proxy and CoreDNS would read those too.</li>
 *   <li>A Service without a selector keeps the given Endpoints; they are mirrored to slices unless
 *       labelled `endpointslice.kubernetes.io/skip-mirror: "true"` (or carrying the leader-election
 *       annotation). Given slices for it pass through; given slices labelled as mirrored are dropped
 *       when the mirror recomputes them.</li>
 *   <li>Given slices and Endpoints that name no existing Service are returned unchanged (DNS and
 *       the proxy ignore them; `get endpoints` still shows them) and never mirrored.</li>
 * </ul>
 * Output is sorted by namespace and name; generated slice names are stable (see {@link SliceNames}).
 */
public final class EndpointsController {
    static final String ENDPOINTSLICE_CONTROLLER = "endpointslice-controller.k8s.io";
    static final String MIRRORING_CONTROLLER = "endpointslicemirroring-controller.k8s.io";
    static final String ENDPOINT_CONTROLLER = "endpoint-controller";
    static final String ENDPOINTS_MANAGED_BY_LABEL = "endpoints.kubernetes.io/managed-by";
    static final String HEADLESS_LABEL = "service.kubernetes.io/headless";
    static final String SKIP_MIRROR_LABEL = "endpointslice.kubernetes.io/skip-mirror";
    static final String OVER_CAPACITY_ANNOTATION = "endpoints.kubernetes.io/over-capacity";
    static final String LEADER_ANNOTATION = "control-plane.alpha.kubernetes.io/leader";
    static final String DEFAULT_NAMESPACE = "default";

    private static final Comparator<KubeObject> BY_NAMESPACE_AND_NAME = Comparator
            .comparing(EndpointsController::namespaceOf)
            .thenComparing(o -> o.metadata() == null || o.name() == null ? "" : o.name());

    private EndpointsController() {}

    public record Result(List<EndpointSlice> endpointSlices, List<Endpoints> endpoints) {
        public Result {
            endpointSlices = List.copyOf(endpointSlices);
            endpoints = List.copyOf(endpoints);
        }
    }

    /**
     * Computes every EndpointSlice and Endpoints object. Inputs are defaulted and validated (see the
     * module README for what is assumed); the result depends on nothing else.
     */
    public static Result reconcile(
            List<Service> services, List<Pod> pods, List<EndpointSlice> givenSlices, List<Endpoints> givenEndpoints) {
        return reconcile(services, pods, givenSlices, givenEndpoints, "", Set.of());
    }

    /**
     * The same for part of one namespace: the objects of some Services (and the Pods they may
     * select), with the names of the namespace's other slices reserved so generated names stay
     * unique in the namespace.
     */
    public static Result reconcile(List<Service> services, List<Pod> pods, List<EndpointSlice> givenSlices,
            List<Endpoints> givenEndpoints, String namespace, Set<String> reservedSliceNames) {
        Map<String, Service> servicesByKey = new HashMap<>();
        for (Service s : services) {
            servicesByKey.put(key(namespaceOf(s), s.name()), s);
        }

        // Given Endpoints: replaced for managed Services, kept (and maybe mirrored) otherwise.
        List<Endpoints> keptEndpoints = new ArrayList<>();
        Set<String> mirrored = new HashSet<>();
        for (Endpoints e : givenEndpoints) {
            Service owner = servicesByKey.get(key(namespaceOf(e), e.name()));
            if (owner != null && isManaged(owner)) {
                continue;
            }
            keptEndpoints.add(e);
            if (owner != null && owner.spec().selector() == null && EndpointsMirror.shouldMirror(e)) {
                mirrored.add(key(namespaceOf(e), e.name()));
            }
        }

        SliceNames names = new SliceNames();
        reservedSliceNames.forEach(n -> names.reserve(namespace, n));
        List<EndpointSlice> slices = new ArrayList<>();
        for (EndpointSlice given : givenSlices) {
            if (keepsGivenSlice(given, servicesByKey, mirrored)) {
                slices.add(given);
                names.reserve(namespaceOf(given), given.name());
            }
        }

        List<Endpoints> endpoints = new ArrayList<>(keptEndpoints);
        PodIndex index = PodIndex.of(pods);
        List<Service> sorted = new ArrayList<>(services);
        sorted.sort(BY_NAMESPACE_AND_NAME);
        for (Service service : sorted) {
            if (!isManaged(service)) {
                continue;
            }
            List<CandidatePod> selected = index.select(namespaceOf(service), service.spec().selector());
            ServiceEndpoints desired = new ServiceEndpoints(service, namespaceOf(service), selected);
            endpoints.add(desired.endpoints());
            slices.addAll(desired.slices(names));
        }

        keptEndpoints.sort(BY_NAMESPACE_AND_NAME);
        for (Endpoints e : keptEndpoints) {
            if (mirrored.contains(key(namespaceOf(e), e.name()))) {
                slices.addAll(EndpointsMirror.slices(e, namespaceOf(e), names));
            }
        }

        slices.sort(BY_NAMESPACE_AND_NAME);
        endpoints.sort(BY_NAMESPACE_AND_NAME);
        return new Result(slices, endpoints);
    }

    /**
     * Whether {@code service}'s endpoints can depend on {@code pod}: the Service is managed and its
     * selector matches the pod's labels in the same namespace (an over-approximation is harmless).
     */
    public static boolean mayInclude(Service service, Pod pod) {
        if (!isManaged(service) || !namespaceOf(service).equals(namespaceOf(pod))) {
            return false;
        }
        Map<String, String> labels = pod.metadata().labels();
        for (Map.Entry<String, String> e : service.spec().selector().entrySet()) {
            String want = e.getValue() == null ? "" : e.getValue();
            String have = labels.get(e.getKey());
            if (!labels.containsKey(e.getKey()) || !want.equals(have == null ? "" : have)) {
                return false;
            }
        }
        return true;
    }

    /** Services the endpoint and endpointslice controllers act on: a selector (even empty), not ExternalName. */
    static boolean isManaged(Service service) {
        return service.spec().selector() != null && !service.isExternalName();
    }

    private static boolean keepsGivenSlice(
            EndpointSlice slice, Map<String, Service> servicesByKey, Set<String> mirrored) {
        String serviceName = slice.metadata() == null ? null : slice.serviceName();
        if (serviceName == null) {
            return true;
        }
        String ownerKey = key(namespaceOf(slice), serviceName);
        Service owner = servicesByKey.get(ownerKey);
        String managedBy = slice.metadata().label(EndpointSlice.MANAGED_BY_LABEL);
        if (ENDPOINTSLICE_CONTROLLER.equals(managedBy)) {
            return owner == null || !isManaged(owner);
        }
        if (MIRRORING_CONTROLLER.equals(managedBy)) {
            return !mirrored.contains(ownerKey) && (owner == null || !isManaged(owner));
        }
        return true;
    }

    /** The object's namespace; objects from manifests without one live in `default`. */
    static String namespaceOf(KubeObject o) {
        String ns = o.metadata() == null ? null : o.namespace();
        return ns == null || ns.isEmpty() ? DEFAULT_NAMESPACE : ns;
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }
}
