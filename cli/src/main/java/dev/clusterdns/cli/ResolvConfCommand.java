package dev.clusterdns.cli;

import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.net.IpAddresses;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.cli.serve.AgentOptions;
import dev.clusterdns.env.resolv.PodResolvConf;
import dev.clusterdns.env.resolv.ResolvConf;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `clusterdns resolvconf`: the resolv.conf kubelet would write for a pod. */
@Command(name = "resolvconf", mixinStandardHelpOptions = true,
        description = {"Print the resolv.conf kubelet would write for a pod in NAMESPACE (ClusterFirst), or with --pod",
            "for that pod's dnsPolicy and dnsConfig. kubelet's limit warnings go to stderr."})
final class ResolvConfCommand implements Callable<Integer> {
    /** kubelet reads at most this much of the host file. */
    private static final long MAX_HOST_FILE = 10L << 20;

    @Mixin AgentOptions agentOptions;
    @Mixin ClusterSource source;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NS", defaultValue = "default",
            description = "Namespace (default ${DEFAULT-VALUE}).")
    String namespace;

    @Option(names = "--pod", paramLabel = "NAME", description = "A pod: its dnsPolicy, hostNetwork and dnsConfig.")
    String pod;

    @Option(names = "--nameserver", paramLabel = "IP",
            description = "kubelet's clusterDNS (repeatable; default: the ClusterIP of kube-system/kube-dns, else 127.0.0.1).")
    List<String> nameservers;

    @Option(names = "--host-resolv-conf", paramLabel = "FILE", defaultValue = "/etc/resolv.conf",
            description = "The node's resolv.conf for dnsPolicy Default (default ${DEFAULT-VALUE}; \"\" for none).")
    String hostResolvConf;

    @Override
    public Integer call() {
        try {
            ResolvConf host = readHost();
            ClusterSource.State state = source.load(agentOptions, "resolvconf");
            ClusterSnapshot snapshot = state.snapshot();
            List<String> clusterDns = nameservers == null || nameservers.isEmpty()
                    ? PodResolvConf.defaultClusterDns(snapshot) : nameservers;
            for (String ip : clusterDns) {
                if (!IpAddresses.isValid(ip)) {
                    throw new EnvCommand.Failure("--nameserver " + ip + ": not an IP address");
                }
            }
            PodResolvConf.Kubelet kubelet = new PodResolvConf.Kubelet(clusterDns, state.clusterDomain(), host);
            PodResolvConf.Result result;
            if (pod == null) {
                EnvCommand.requireNamespace(snapshot, namespace);
                result = PodResolvConf.forNamespace(namespace, kubelet);
            } else {
                Pod p = snapshot.pod(namespace, pod).orElseThrow(() -> {
                    EnvCommand.requireNamespace(snapshot, namespace);
                    return new EnvCommand.Failure("pod \"" + pod + "\" not found in namespace " + namespace);
                });
                result = PodResolvConf.forPod(p, kubelet);
            }
            result.warnings().forEach(w -> System.err.println("clusterdns resolvconf: warning: " + w));
            System.out.write(result.conf().render().getBytes(StandardCharsets.UTF_8));
            System.out.flush();
            return 0;
        } catch (EnvCommand.Failure | IllegalArgumentException e) {
            System.err.println("clusterdns resolvconf: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            System.err.println("clusterdns resolvconf: " + e.getMessage());
            return 1;
        }
    }

    /** The host file as kubelet reads it; null for `""` (kubelet's "no host resolv.conf"). */
    private ResolvConf readHost() throws IOException {
        if (hostResolvConf == null || hostResolvConf.isEmpty()) {
            return null;
        }
        Path file = Path.of(hostResolvConf);
        try {
            byte[] bytes;
            try (var in = Files.newInputStream(file)) {
                bytes = in.readNBytes((int) MAX_HOST_FILE);
            }
            return ResolvConf.parse(new String(bytes, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            throw new EnvCommand.Failure("--host-resolv-conf " + file + ": no such file");
        } catch (IllegalArgumentException e) {
            throw new EnvCommand.Failure("--host-resolv-conf " + file + ": " + e.getMessage());
        }
    }
}
