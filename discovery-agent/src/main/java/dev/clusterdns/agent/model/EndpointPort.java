package dev.clusterdns.agent.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A port of an EndpointSlice or of a v1 Endpoints subset (the two share their shape). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EndpointPort(String name, Integer port, String protocol, String appProtocol) {
    public EndpointPort {
        name = Strings.shared(name);
        protocol = Strings.shared(protocol);
    }

    public String protocolOrTcp() {
        return protocol == null || protocol.isEmpty() ? "TCP" : protocol;
    }
}
