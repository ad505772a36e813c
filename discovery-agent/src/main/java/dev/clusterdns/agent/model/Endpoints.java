package dev.clusterdns.agent.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

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

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Address(String ip, String hostname, String nodeName, ObjectReference targetRef) {
        public Address {
            nodeName = Strings.shared(nodeName);
        }
    }
}
