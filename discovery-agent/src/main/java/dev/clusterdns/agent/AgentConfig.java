package dev.clusterdns.agent;

import java.nio.file.Path;
import java.util.List;

/**
 * What the agent needs to turn manifests into a snapshot. The same values drive `serve`, `env`,
 * `resolvconf` and `expose`, so every command computes the same cluster state.
 *
 * @param manifests files or directories of manifests, loaded in order
 * @param stateDir where allocations persist; null keeps them in memory only
 * @param serviceCidrs one CIDR, or two (one per family) for dual stack; the first is primary
 * @param nodePortRange `A-B`, inclusive
 * @param loadBalancerCidr where LoadBalancer ingress IPs come from
 * @param clusterDomain e.g. `cluster.local`, without a trailing dot
 * @param kubernetesApi when set, the objects come from this Kubernetes API server instead of
 *     manifests; its API server has already validated and allocated them, and its controllers
 *     made the EndpointSlices, so the agent only watches and publishes
 */
public record AgentConfig(
        List<Path> manifests,
        Path stateDir,
        List<String> serviceCidrs,
        String nodePortRange,
        String loadBalancerCidr,
        String clusterDomain,
        KubernetesApi kubernetesApi) {

    /**
     * How to reach a Kubernetes API server: a kubeconfig file (its current context), or a server URL
     * (e.g. `kubectl proxy`'s http://127.0.0.1:8001), or both (the URL overrides the file's server).
     */
    public record KubernetesApi(java.nio.file.Path kubeconfig, String server) {}

    public AgentConfig(List<Path> manifests, Path stateDir, List<String> serviceCidrs, String nodePortRange,
                       String loadBalancerCidr, String clusterDomain) {
        this(manifests, stateDir, serviceCidrs, nodePortRange, loadBalancerCidr, clusterDomain, null);
    }

    public static final String DEFAULT_SERVICE_CIDR = "127.96.0.0/12";
    public static final String DEFAULT_NODE_PORT_RANGE = "30000-32767";
    public static final String DEFAULT_LOADBALANCER_CIDR = "127.200.0.0/16";
    public static final String DEFAULT_CLUSTER_DOMAIN = "cluster.local";

    public AgentConfig {
        manifests = List.copyOf(manifests);
        serviceCidrs = serviceCidrs == null || serviceCidrs.isEmpty() ? List.of(DEFAULT_SERVICE_CIDR) : List.copyOf(serviceCidrs);
        nodePortRange = nodePortRange == null ? DEFAULT_NODE_PORT_RANGE : nodePortRange;
        loadBalancerCidr = loadBalancerCidr == null ? DEFAULT_LOADBALANCER_CIDR : loadBalancerCidr;
        clusterDomain = clusterDomain == null ? DEFAULT_CLUSTER_DOMAIN : stripDot(clusterDomain);
    }

    private static String stripDot(String d) {
        return d.endsWith(".") ? d.substring(0, d.length() - 1) : d;
    }
}
