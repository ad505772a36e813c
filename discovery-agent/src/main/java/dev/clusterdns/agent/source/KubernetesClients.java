package dev.clusterdns.agent.source;

import dev.clusterdns.agent.AgentConfig;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/** Builds a fabric8 client from `--kubeconfig` and/or `--kube-api-server`. */
public final class KubernetesClients {
    private KubernetesClients() {}

    public static KubernetesClient connect(AgentConfig.KubernetesApi api) {
        Config base;
        if (api.kubeconfig() != null) {
            try {
                base = Config.fromKubeconfig(Files.readString(api.kubeconfig()));
            } catch (IOException e) {
                throw new UncheckedIOException("--kubeconfig " + api.kubeconfig() + ": " + e.getMessage(), e);
            }
        } else {
            base = Config.empty();
        }
        ConfigBuilder b = new ConfigBuilder(base);
        if (api.server() != null && !api.server().isEmpty()) {
            b.withMasterUrl(api.server());
        }
        // No retries inside one request: the informers retry with their own backoff and report each
        // failure, where the client's ten silent retries would hide an absent server for ~100 s.
        b.withRequestRetryBackoffLimit(0);
        return new KubernetesClientBuilder().withConfig(b.build()).build();
    }
}
