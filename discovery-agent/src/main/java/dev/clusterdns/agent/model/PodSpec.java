package dev.clusterdns.agent.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record PodSpec(
        List<Container> containers,
        List<Container> initContainers,
        String hostname,
        String subdomain,
        String nodeName,
        Boolean hostNetwork,
        String dnsPolicy,
        PodDNSConfig dnsConfig,
        Boolean enableServiceLinks,
        String restartPolicy,
        String serviceAccountName,
        Map<String, String> nodeSelector) {

    public PodSpec {
        containers = Lists.copy(containers);
        initContainers = Lists.copy(initContainers);
        nodeSelector = Lists.copy(nodeSelector);
    }

    static PodSpec empty() {
        return new PodSpec(null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** `enableServiceLinks` with the API server's default (true). */
    public boolean serviceLinks() {
        return enableServiceLinks == null || enableServiceLinks;
    }

    public boolean usesHostNetwork() {
        return Boolean.TRUE.equals(hostNetwork);
    }
}
