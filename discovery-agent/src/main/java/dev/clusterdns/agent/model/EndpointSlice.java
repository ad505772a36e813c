package dev.clusterdns.agent.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

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

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Endpoint(
            List<String> addresses, Conditions conditions, String hostname, String nodeName, String zone,
            ObjectReference targetRef) {
        public Endpoint {
            addresses = Lists.copy(addresses);
            conditions = Conditions.canonical(conditions);
            nodeName = Strings.shared(nodeName);
            zone = Strings.shared(zone);
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
