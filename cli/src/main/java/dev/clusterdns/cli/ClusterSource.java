package dev.clusterdns.cli;

import dev.clusterdns.agent.ClusterAgent;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.cli.kubectl.ApiClient;
import dev.clusterdns.cli.kubectl.LiveState;
import dev.clusterdns.cli.serve.AgentOptions;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import picocli.CommandLine.Option;

/**
 * Where `env`, `resolvconf` and `expose` get the cluster state: from the running server (`--server`)
 * when one answers and no agent flag was given, so they agree with it; otherwise computed here from
 * the agent flags, as `serve` would (saying so on stderr when no server answered).
 */
@picocli.CommandLine.Command
final class ClusterSource {

    @Option(names = "--server", paramLabel = "URL", defaultValue = "http://127.0.0.1:9153",
            description = "A running server to read the state from (default ${DEFAULT-VALUE}); agent flags compute it here instead.")
    String server;

    /** The state, and where it came from. */
    record State(ClusterSnapshot snapshot, String clusterDomain, java.util.List<java.nio.file.Path> manifests, boolean live) {}

    State load(AgentOptions agent, String command) throws IOException {
        if (!agent.anyGiven()) {
            try {
                LiveState live = LiveState.read(new ApiClient(server));
                return new State(live.snapshot(), live.clusterDomain(), live.manifests(), true);
            } catch (IOException e) {
                if (!refused(e)) {
                    throw e;
                }
                System.err.println("clusterdns " + command + ": no server answers at " + server
                        + "; computing the state from " + agent.config().manifests() + " as serve would");
            }
        }
        agent.checkPaths();
        try (ClusterAgent a = new ClusterAgent(agent.config())) {
            return new State(a.loadOnce(), agent.config().clusterDomain(), agent.config().manifests(), false);
        }
    }

    private static boolean refused(IOException e) {
        return e instanceof ConnectException || e instanceof HttpConnectTimeoutException
                || (e.getMessage() != null && e.getMessage().contains("was refused"));
    }
}
