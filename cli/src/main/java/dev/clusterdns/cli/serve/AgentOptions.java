package dev.clusterdns.cli.serve;

import dev.clusterdns.agent.AgentConfig;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** The agent flags shared by `serve`, `env`, `resolvconf` and `expose`. */
@picocli.CommandLine.Command
public final class AgentOptions {

    @Option(names = "--config", paramLabel = "FILE", description = "YAML file of flag settings (keys are flag names without dashes); flags given on the command line win.")
    Path configFile;

    @Option(names = "--manifests", paramLabel = "PATH", description = "Manifest file or directory (repeatable; default examples/manifests).")
    List<Path> manifests;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Where allocations and the manifest parse cache persist (default: in memory only, no cache).")
    Path stateDir;

    @Option(names = "--service-cidr", paramLabel = "CIDR", description = "ClusterIP range (repeatable for dual stack; default " + AgentConfig.DEFAULT_SERVICE_CIDR + ").")
    List<String> serviceCidrs;

    @Option(names = "--node-port-range", paramLabel = "A-B", description = "NodePort range (default " + AgentConfig.DEFAULT_NODE_PORT_RANGE + ").")
    String nodePortRange;

    @Option(names = "--loadbalancer-cidr", paramLabel = "CIDR", description = "LoadBalancer ingress IP range (default " + AgentConfig.DEFAULT_LOADBALANCER_CIDR + ").")
    String loadBalancerCidr;

    @Option(names = "--cluster-domain", paramLabel = "NAME", description = "Cluster domain (default " + AgentConfig.DEFAULT_CLUSTER_DOMAIN + ").")
    String clusterDomain;

    /** The `--config` file as a tree (an empty map without one). */
    public com.fasterxml.jackson.databind.JsonNode configTree() {
        return configFile == null
                ? com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                : dev.clusterdns.cli.ConfigFile.read(configFile);
    }

    /** True when any agent flag was given (then `env`, `resolvconf` and `expose` compute the state themselves). */
    public boolean anyGiven() {
        return configFile != null || manifests != null || stateDir != null || serviceCidrs != null
                || nodePortRange != null || loadBalancerCidr != null || clusterDomain != null
                || kubeconfig != null || kubeApiServer != null;
    }

    /** Fails with a clear message when a --manifests path does not exist. */
    public void checkPaths() {
        for (Path p : config().manifests()) {
            if (!java.nio.file.Files.exists(p)) {
                throw new IllegalArgumentException("--manifests " + p + ": no such file or directory");
            }
        }
    }

    @Option(names = "--pod-cidr", paramLabel = "CIDR", description = "Where the IPs of the Pods that Deployments, ReplicaSets and StatefulSets get come from (default " + AgentConfig.DEFAULT_POD_CIDR + ").")
    String podCidr;

    @Option(names = "--max-manifest-bytes", paramLabel = "BYTES", description = "Refuse manifest files larger than this, "
            + "unread (they keep their last objects; default 16777216).")
    Long maxManifestBytes;

    @Option(names = "--kubeconfig", paramLabel = "FILE", description = "Watch this kubeconfig's Kubernetes API server instead of manifest files.")
    Path kubeconfig;

    @Option(names = "--kube-api-server", paramLabel = "URL", description = "Watch the Kubernetes API server at URL (e.g. kubectl proxy's http://127.0.0.1:8001) instead of manifest files.")
    String kubeApiServer;

    /** Whether --service-cidr / --pod-cidr were given (flag or --config), so --pod-network keeps them. */
    public boolean serviceCidrGiven() {
        return serviceCidrs != null && !serviceCidrs.isEmpty();
    }

    public boolean podCidrGiven() {
        return podCidr != null && !podCidr.isBlank();
    }

    public AgentConfig config() {
        AgentConfig.KubernetesApi api = kubeconfig == null && kubeApiServer == null ? null
                : new AgentConfig.KubernetesApi(kubeconfig, kubeApiServer);
        if (api != null && manifests != null && !manifests.isEmpty()) {
            throw new IllegalArgumentException("--manifests cannot be combined with --kubeconfig or --kube-api-server: pick one source");
        }
        List<Path> paths = api != null ? List.of()
                : manifests == null || manifests.isEmpty() ? List.of(InstallHome.resolve("examples", "manifests")) : manifests;
        return new AgentConfig(paths, stateDir, serviceCidrs, nodePortRange, loadBalancerCidr, clusterDomain, api)
                .withWorkloads(podCidr, hostName()) // serve sets --node-name's value (a proxy flag too)
                .withMaxManifestBytes(maxManifestBytes == null ? 0 : maxManifestBytes);
    }

    /** The kubelet's default node name: the host name, lower-cased. */
    private static String hostName() {
        try {
            // The kernel's name, not a resolver lookup (which can hang where DNS is broken).
            String h = java.nio.file.Files.readString(Path.of("/proc/sys/kernel/hostname")).trim().toLowerCase(java.util.Locale.ROOT);
            return h.isEmpty() ? null : h;
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }
}
