package dev.clusterdns.agent;

import dev.clusterdns.agent.allocation.PodIpPool;
import dev.clusterdns.agent.kubedns.KubeDns;
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
 * @param podCidr where the IPs of Pods the workload controllers create come from
 * @param nodeName `spec.nodeName` of those Pods (kubelet's `--hostname-override`)
 * @param kubeDns where this process's DNS server listens: the endpoints of `kube-system/kube-dns`
 * @param maxManifestBytes manifest files larger than this are refused unread (0: the default, 16 MiB)
 */
public record AgentConfig(
        List<Path> manifests,
        Path stateDir,
        List<String> serviceCidrs,
        String nodePortRange,
        String loadBalancerCidr,
        String clusterDomain,
        KubernetesApi kubernetesApi,
        String podCidr,
        String nodeName,
        KubeDns.Target kubeDns,
        long maxManifestBytes) {

    /**
     * How to reach a Kubernetes API server: a kubeconfig file (its current context), or a server URL
     * (e.g. `kubectl proxy`'s http://127.0.0.1:8001), or both (the URL overrides the file's server).
     */
    public record KubernetesApi(java.nio.file.Path kubeconfig, String server) {}

    public AgentConfig(List<Path> manifests, Path stateDir, List<String> serviceCidrs, String nodePortRange,
                       String loadBalancerCidr, String clusterDomain) {
        this(manifests, stateDir, serviceCidrs, nodePortRange, loadBalancerCidr, clusterDomain, null);
    }

    public AgentConfig(List<Path> manifests, Path stateDir, List<String> serviceCidrs, String nodePortRange,
                       String loadBalancerCidr, String clusterDomain, KubernetesApi kubernetesApi) {
        this(manifests, stateDir, serviceCidrs, nodePortRange, loadBalancerCidr, clusterDomain, kubernetesApi,
                null, null, null, 0);
    }

    /** The same, with the workload controllers' pod CIDR and node name. */
    public AgentConfig withWorkloads(String newPodCidr, String newNodeName) {
        return new AgentConfig(manifests, stateDir, serviceCidrs, nodePortRange, loadBalancerCidr, clusterDomain,
                kubernetesApi, newPodCidr, newNodeName, kubeDns, maxManifestBytes);
    }

    /** The same, with the DNS server's address for `kube-system/kube-dns`. */
    public AgentConfig withKubeDns(KubeDns.Target target) {
        return new AgentConfig(manifests, stateDir, serviceCidrs, nodePortRange, loadBalancerCidr, clusterDomain,
                kubernetesApi, podCidr, nodeName, target, maxManifestBytes);
    }

    /** The same, with another size limit for manifest files (`--max-manifest-bytes`). */
    public AgentConfig withMaxManifestBytes(long bytes) {
        return new AgentConfig(manifests, stateDir, serviceCidrs, nodePortRange, loadBalancerCidr, clusterDomain,
                kubernetesApi, podCidr, nodeName, kubeDns, bytes);
    }

    public static final String DEFAULT_SERVICE_CIDR = "127.96.0.0/12";
    public static final String DEFAULT_NODE_PORT_RANGE = "30000-32767";
    public static final String DEFAULT_LOADBALANCER_CIDR = "127.200.0.0/16";
    public static final String DEFAULT_CLUSTER_DOMAIN = "cluster.local";
    public static final String DEFAULT_POD_CIDR = PodIpPool.DEFAULT_POD_CIDR;
    /** The node name the Pods clusterdns makes are scheduled to. */
    public static final String DEFAULT_NODE_NAME = "clusterdns";

    public AgentConfig {
        manifests = List.copyOf(manifests);
        if (maxManifestBytes < 0) {
            throw new IllegalArgumentException("--max-manifest-bytes must not be negative, got " + maxManifestBytes);
        }
        maxManifestBytes = maxManifestBytes == 0 ? dev.clusterdns.agent.source.ManifestTree.DEFAULT_MAX_FILE_BYTES : maxManifestBytes;
        serviceCidrs = serviceCidrs == null || serviceCidrs.isEmpty() ? List.of(DEFAULT_SERVICE_CIDR) : List.copyOf(serviceCidrs);
        nodePortRange = nodePortRange == null ? DEFAULT_NODE_PORT_RANGE : nodePortRange;
        loadBalancerCidr = loadBalancerCidr == null ? DEFAULT_LOADBALANCER_CIDR : loadBalancerCidr;
        clusterDomain = clusterDomain == null ? DEFAULT_CLUSTER_DOMAIN : stripDot(clusterDomain);
        podCidr = podCidr == null || podCidr.isBlank() ? DEFAULT_POD_CIDR : podCidr.trim();
        nodeName = nodeName == null || nodeName.isBlank() ? DEFAULT_NODE_NAME : nodeName.trim();
        kubeDns = kubeDns == null ? KubeDns.Target.DEFAULT : kubeDns;
    }

    private static String stripDot(String d) {
        return d.endsWith(".") ? d.substring(0, d.length() - 1) : d;
    }
}
