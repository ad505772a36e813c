package dev.clusterdns.agent.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Objects;

/**
 * discovery.k8s.io/v1 EndpointSlice: the source of truth for DNS and the proxy. The owning Service
 * is named by the `kubernetes.io/service-name` label.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EndpointSlice(
        String apiVersion, String kind, ObjectMeta metadata, String addressType, List<Endpoint> endpoints,
        List<EndpointPort> ports) implements KubeObject {

    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    public static final String MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";

    public EndpointSlice {
        apiVersion = Strings.shared(apiVersion);
        kind = Strings.shared(kind);
        endpoints = Lists.copy(endpoints);
        ports = Lists.copy(ports);
    }

    @JsonIgnore
    public String serviceName() {
        return metadata.label(SERVICE_NAME_LABEL);
    }

    /**
     * One endpoint of a slice. A class rather than a record so that it can hold its parts compactly:
     * there is one per Pod behind a Service (150,000 in a large cluster), and a record would keep a
     * one-element list per address and a reference object per Pod. Reads exactly as the record did:
     * the same accessors, JSON and equality.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"addresses", "conditions", "hostname", "nodeName", "zone", "targetRef"})
    public static final class Endpoint {
        /** The one address as a String (nearly every endpoint), otherwise the list. */
        private final Object addresses;
        private final Conditions conditions;
        private final String nodeName;
        /** hostname and zone, null when both are (nearly every endpoint). */
        private final Rare rare;
        /** The targetRef: null, an {@link ObjectReference}, or the metadata of the Pod it refers to. */
        private final Object target;

        private record Rare(String hostname, String zone) {}

        @JsonCreator
        public Endpoint(@JsonProperty("addresses") List<String> addresses,
                        @JsonProperty("conditions") Conditions conditions,
                        @JsonProperty("hostname") String hostname,
                        @JsonProperty("nodeName") String nodeName,
                        @JsonProperty("zone") String zone,
                        @JsonProperty("targetRef") ObjectReference targetRef) {
            this(addresses, conditions, hostname, nodeName, zone, (Object) targetRef);
        }

        private Endpoint(List<String> addresses, Conditions conditions, String hostname, String nodeName,
                         String zone, Object target) {
            List<String> list = Lists.copy(addresses);
            this.addresses = list.size() == 1 && list.get(0) != null ? list.get(0) : list;
            this.conditions = Conditions.canonical(conditions);
            this.nodeName = Strings.shared(nodeName);
            this.rare = hostname == null && zone == null ? null : new Rare(hostname, Strings.shared(zone));
            this.target = target;
        }

        /**
         * An endpoint whose targetRef is {@code pod} in {@code namespace}. When that is the Pod's own
         * namespace, the reference (kind Pod, namespace, name, uid) is read from the Pod's metadata
         * rather than held as an object of its own.
         */
        public static Endpoint forPod(List<String> addresses, Conditions conditions, String hostname,
                                      String nodeName, Pod pod, String namespace) {
            return new Endpoint(addresses, conditions, hostname, nodeName, null, ObjectReference.holdFor(pod, namespace));
        }

        @JsonProperty("addresses")
        @SuppressWarnings("unchecked")
        public List<String> addresses() {
            return addresses instanceof String one ? List.of(one) : (List<String>) addresses;
        }

        @JsonProperty("conditions")
        public Conditions conditions() {
            return conditions;
        }

        @JsonProperty("hostname")
        public String hostname() {
            return rare == null ? null : rare.hostname();
        }

        @JsonProperty("nodeName")
        public String nodeName() {
            return nodeName;
        }

        @JsonProperty("zone")
        public String zone() {
            return rare == null ? null : rare.zone();
        }

        @JsonProperty("targetRef")
        public ObjectReference targetRef() {
            return ObjectReference.held(target);
        }

        /** Ready as consumers read it: a missing `ready` condition means ready. */
        @JsonIgnore
        public boolean isReady() {
            return conditions.ready() == null || conditions.ready();
        }

        /** Serving as kube-proxy reads it: falls back to ready when `serving` is absent. */
        @JsonIgnore
        public boolean isServing() {
            return conditions.serving() == null ? isReady() : conditions.serving();
        }

        @JsonIgnore
        public boolean isTerminating() {
            return Boolean.TRUE.equals(conditions.terminating());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Endpoint e && addresses.equals(e.addresses) && conditions.equals(e.conditions)
                    && Objects.equals(nodeName, e.nodeName) && Objects.equals(rare, e.rare)
                    && Objects.equals(targetRef(), e.targetRef());
        }

        @Override
        public int hashCode() {
            return Objects.hash(addresses(), conditions, hostname(), nodeName, zone(), targetRef());
        }

        @Override
        public String toString() {
            return "Endpoint[addresses=" + addresses() + ", conditions=" + conditions + ", hostname=" + hostname()
                    + ", nodeName=" + nodeName + ", zone=" + zone() + ", targetRef=" + targetRef() + "]";
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Conditions(Boolean ready, Boolean serving, Boolean terminating) {
        /** Every combination, made once: each of a cluster's endpoints shares one of these 27. */
        private static final List<Conditions> ALL = combinations();

        private static List<Conditions> combinations() {
            Boolean[] values = {null, Boolean.TRUE, Boolean.FALSE};
            List<Conditions> out = new java.util.ArrayList<>(27);
            for (Boolean r : values) {
                for (Boolean s : values) {
                    for (Boolean t : values) {
                        out.add(new Conditions(r, s, t));
                    }
                }
            }
            return List.copyOf(out);
        }

        private static int index(Boolean b) {
            return b == null ? 0 : b ? 1 : 2;
        }

        static Conditions canonical(Conditions c) {
            return c == null ? ALL.get(0) : ALL.get(index(c.ready) * 9 + index(c.serving) * 3 + index(c.terminating));
        }
    }
}
