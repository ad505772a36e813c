package dev.clusterdns.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `clusterdns kubeconfig`: a kubeconfig for kubectl against a running server (no credentials: the API is read-only). */
@Command(name = "kubeconfig", mixinStandardHelpOptions = true,
        description = "Print a kubeconfig for kubectl against a running server, e.g. KUBECONFIG=<(clusterdns kubeconfig) kubectl get pods.")
final class KubeconfigCommand implements Callable<Integer> {

    @Option(names = "--server", paramLabel = "URL", defaultValue = "http://127.0.0.1:9153",
            description = "The server's HTTP address (default ${DEFAULT-VALUE}); a bare HOST:PORT means http.")
    String server;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NS", defaultValue = "default",
            description = "The context's namespace (default ${DEFAULT-VALUE}).")
    String namespace;

    @Override
    public Integer call() {
        String url = server.contains("://") ? server : "http://" + server;
        System.out.print(render(url, namespace));
        return 0;
    }

    static String render(String url, String namespace) {
        return "apiVersion: v1\n"
                + "kind: Config\n"
                + "clusters:\n"
                + "- name: clusterdns\n"
                + "  cluster:\n"
                + "    server: " + url + "\n"
                + "contexts:\n"
                + "- name: clusterdns\n"
                + "  context:\n"
                + "    cluster: clusterdns\n"
                + "    namespace: " + namespace + "\n"
                + "    user: clusterdns\n"
                + "current-context: clusterdns\n"
                + "preferences: {}\n"
                + "users:\n"
                + "- name: clusterdns\n"
                + "  user: {}\n";
    }
}
