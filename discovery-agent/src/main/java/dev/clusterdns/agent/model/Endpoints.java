package dev.clusterdns.agent.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Objects;

/** Legacy v1 Endpoints, accepted from manifests and mirrored into EndpointSlices. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Endpoints(String apiVersion, String kind, ObjectMeta metadata, List<Subset> subsets)
        implements KubeObject {
    public Endpoints {
        apiVersion = Strings.shared(apiVersion);
        kind = Strings.shared(kind);
        subsets = Lists.copy(subsets);
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Subset(List<Address> addresses, List<Address> notReadyAddresses, List<EndpointPort> ports) {
        public Subset {
            addresses = Lists.copy(addresses);
            notReadyAddresses = Lists.copy(notReadyAddresses);
            ports = Lists.copy(ports);
        }
    }

    /**
     * One address of a subset. A class rather than a record so that a Pod's address reads its
     * targetRef from the Pod's metadata instead of holding a reference object per Pod (150,000 in a
     * large cluster); it reads exactly as the record did: the same accessors, JSON and equality.
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    @JsonPropertyOrder({"ip", "hostname", "nodeName", "targetRef"})
    public static final class Address {
        private final String ip;
        private final String hostname;
        private final String nodeName;
        /** The targetRef: null, an {@link ObjectReference}, or the metadata of the Pod it refers to. */
        private final Object target;

        @JsonCreator
        public Address(@JsonProperty("ip") String ip, @JsonProperty("hostname") String hostname,
                       @JsonProperty("nodeName") String nodeName, @JsonProperty("targetRef") ObjectReference targetRef) {
            this(ip, hostname, nodeName, (Object) targetRef);
        }

        private Address(String ip, String hostname, String nodeName, Object target) {
            this.ip = ip;
            this.hostname = hostname;
            this.nodeName = Strings.shared(nodeName);
            this.target = target;
        }

        /** An address whose targetRef is {@code pod} in {@code namespace} (read from its metadata when that is its own). */
        public static Address forPod(String ip, String hostname, String nodeName, Pod pod, String namespace) {
            return new Address(ip, hostname, nodeName, ObjectReference.holdFor(pod, namespace));
        }

        @JsonProperty("ip")
        public String ip() {
            return ip;
        }

        @JsonProperty("hostname")
        public String hostname() {
            return hostname;
        }

        @JsonProperty("nodeName")
        public String nodeName() {
            return nodeName;
        }

        @JsonProperty("targetRef")
        public ObjectReference targetRef() {
            return ObjectReference.held(target);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Address a && Objects.equals(ip, a.ip) && Objects.equals(hostname, a.hostname)
                    && Objects.equals(nodeName, a.nodeName) && Objects.equals(targetRef(), a.targetRef());
        }

        @Override
        public int hashCode() {
            return Objects.hash(ip, hostname, nodeName, targetRef());
        }

        @Override
        public String toString() {
            return "Address[ip=" + ip + ", hostname=" + hostname + ", nodeName=" + nodeName + ", targetRef=" + targetRef() + "]";
        }
    }
}
