package dev.clusterdns.agent.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * Service spec. `selector` stays null when absent: a nil selector means "endpoints are managed by
 * hand", an empty one selects every pod of the namespace.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ServiceSpec(
        String type,
        @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, String> selector,
        List<ServicePort> ports,
        String clusterIP,
        List<String> clusterIPs,
        List<String> ipFamilies,
        String ipFamilyPolicy,
        String externalName,
        List<String> externalIPs,
        String sessionAffinity,
        SessionAffinityConfig sessionAffinityConfig,
        String loadBalancerIP,
        List<String> loadBalancerSourceRanges,
        String loadBalancerClass,
        String externalTrafficPolicy,
        String internalTrafficPolicy,
        Integer healthCheckNodePort,
        Boolean publishNotReadyAddresses,
        Boolean allocateLoadBalancerNodePorts,
        String trafficDistribution) {

    public ServiceSpec {
        selector = Lists.copyNullable(selector);
        ports = Lists.copy(ports);
        clusterIPs = Lists.copy(clusterIPs);
        ipFamilies = Lists.copy(ipFamilies);
        externalIPs = Lists.copy(externalIPs);
        loadBalancerSourceRanges = Lists.copy(loadBalancerSourceRanges);
    }

    static ServiceSpec empty() {
        return new ServiceSpec(null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null);
    }

    public boolean publishesNotReady() {
        return Boolean.TRUE.equals(publishNotReadyAddresses);
    }

    /** Session affinity timeout in seconds when ClientIP affinity is on, else 0. */
    public int affinityTimeoutSeconds() {
        if (!"ClientIP".equals(sessionAffinity)) {
            return 0;
        }
        Integer t = sessionAffinityConfig == null || sessionAffinityConfig.clientIP() == null
                ? null : sessionAffinityConfig.clientIP().timeoutSeconds();
        return t == null ? 10800 : t;
    }

    public ServiceSpec withPorts(List<ServicePort> newPorts) {
        return new ServiceSpec(type, selector, newPorts, clusterIP, clusterIPs, ipFamilies, ipFamilyPolicy,
                externalName, externalIPs, sessionAffinity, sessionAffinityConfig, loadBalancerIP,
                loadBalancerSourceRanges, loadBalancerClass, externalTrafficPolicy, internalTrafficPolicy,
                healthCheckNodePort, publishNotReadyAddresses, allocateLoadBalancerNodePorts, trafficDistribution);
    }

    public ServiceSpec withClusterIPs(List<String> ips, List<String> families) {
        String primary = ips.isEmpty() ? clusterIP : ips.get(0);
        return new ServiceSpec(type, selector, ports, primary, ips, families, ipFamilyPolicy,
                externalName, externalIPs, sessionAffinity, sessionAffinityConfig, loadBalancerIP,
                loadBalancerSourceRanges, loadBalancerClass, externalTrafficPolicy, internalTrafficPolicy,
                healthCheckNodePort, publishNotReadyAddresses, allocateLoadBalancerNodePorts, trafficDistribution);
    }

    public ServiceSpec withHealthCheckNodePort(Integer port) {
        return new ServiceSpec(type, selector, ports, clusterIP, clusterIPs, ipFamilies, ipFamilyPolicy,
                externalName, externalIPs, sessionAffinity, sessionAffinityConfig, loadBalancerIP,
                loadBalancerSourceRanges, loadBalancerClass, externalTrafficPolicy, internalTrafficPolicy,
                port, publishNotReadyAddresses, allocateLoadBalancerNodePorts, trafficDistribution);
    }

    public ServiceSpec withIpFamilyPolicy(String policy) {
        return new ServiceSpec(type, selector, ports, clusterIP, clusterIPs, ipFamilies, policy,
                externalName, externalIPs, sessionAffinity, sessionAffinityConfig, loadBalancerIP,
                loadBalancerSourceRanges, loadBalancerClass, externalTrafficPolicy, internalTrafficPolicy,
                healthCheckNodePort, publishNotReadyAddresses, allocateLoadBalancerNodePorts, trafficDistribution);
    }
}
