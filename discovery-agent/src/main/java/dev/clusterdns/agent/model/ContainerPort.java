package dev.clusterdns.agent.model;

import com.fasterxml.jackson.annotation.JsonInclude;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ContainerPort(String name, Integer containerPort, Integer hostPort, String protocol, String hostIP) {
    public ContainerPort {
        name = Strings.shared(name);
        protocol = Strings.shared(protocol);
    }

    public String protocolOrTcp() {
        return protocol == null || protocol.isEmpty() ? "TCP" : protocol;
    }
}
