package dev.clusterdns.agent.model;

import com.fasterxml.jackson.annotation.JsonInclude;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ServicePort(
        String name, String protocol, String appProtocol, Integer port, IntOrString targetPort, Integer nodePort) {

    public ServicePort {
        name = Strings.shared(name);
        protocol = Strings.shared(protocol);
    }

    public ServicePort withNodePort(Integer newNodePort) {
        return new ServicePort(name, protocol, appProtocol, port, targetPort, newNodePort);
    }

    /** Protocol with Kubernetes' default applied. */
    public String protocolOrTcp() {
        return protocol == null || protocol.isEmpty() ? "TCP" : protocol;
    }
}
