package dev.clusterdns.tests.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.clusterdns.tests.CommandResult;
import dev.clusterdns.tests.Netns;
import dev.clusterdns.tests.ServeProcess;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * All four parts in one flow, as a pod would use them: a network namespace gets the resolv.conf
 * `clusterdns resolvconf` writes and sources the variables `clusterdns env` prints; inside it the
 * system resolver finds the Service by its short name (DNS), and `curl` reaches the backend through
 * the ClusterIP (proxy in interface mode), by name and by the injected variables alike.
 */
class PodInANetworkNamespaceTest {
    private static final int BACKEND_PORT = 18081;

    @TempDir
    Path dir;

    @Test
    void aPodResolvesAndReachesItsServiceByNameAndByEnvironment() throws Exception {
        Assumptions.assumeTrue(Netns.supported(), "needs root, iproute2 and network namespaces: skipped");
        Assumptions.assumeTrue(CommandResult.onPath("curl") && CommandResult.onPath("getent") && CommandResult.onPath("bash"),
                "needs curl, getent and bash");
        int y = ThreadLocalRandom.current().nextInt(1, 250);
        String cidr = "10.252." + y + ".0/24";
        String backendIp = "127.0.67." + ThreadLocalRandom.current().nextInt(2, 250);
        Files.writeString(dir.resolve("shop.yaml"), """
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop}
                spec:
                  selector: {app: web}
                  ports: [{name: http, port: 80, targetPort: http}]
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: web-1, namespace: shop, labels: {app: web}}
                spec: {containers: [{name: web, image: web, ports: [{name: http, containerPort: %d}]}]}
                status: {podIP: %s}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: client, namespace: shop}
                spec:
                  containers:
                  - name: client
                    image: client
                    env: [{name: WEB_URL, value: "http://$(WEB_SERVICE_HOST):$(WEB_SERVICE_PORT)/"}]
                status: {podIP: 127.0.67.1}
                """.formatted(BACKEND_PORT, backendIp));

        HttpServer backend = HttpServer.create(new InetSocketAddress(backendIp, BACKEND_PORT), 16);
        backend.createContext("/", ex -> {
            byte[] body = "hello from web-1\n".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        backend.start();
        String iface = "cdf" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
        try (Netns pod = Netns.create(cidr);
             ServeProcess serve = ServeProcess.start("--manifests", dir.toString(), "--service-cidr", cidr,
                     "--proxy-mode", "interface", "--proxy-interface", iface, "--dns-listen", pod.hostIp() + ":53")) {
            List<String> agentFlags = List.of("--manifests", dir.toString(), "--service-cidr", cidr,
                    "--state-dir", serve.stateDir().toString());

            CommandResult resolv = run("resolvconf", agentFlags, "-n", "shop", "--pod", "client", "--nameserver", pod.hostIp());
            assertEquals(0, resolv.exitCode(), resolv.stderr());
            List<String> conf = resolv.stdout().lines().toList();
            // kubelet appends the host's search domains after the pod's own three.
            assertTrue(conf.get(0).startsWith("search shop.svc.cluster.local svc.cluster.local cluster.local"), resolv.stdout());
            assertEquals(List.of("nameserver " + pod.hostIp(), "options ndots:5"), conf.subList(1, 3), resolv.stdout());
            pod.resolvConf(resolv.stdout());

            CommandResult env = run("env", agentFlags, "-n", "shop", "--pod", "client", "--format", "shell");
            assertEquals(0, env.exitCode(), env.stderr());
            Path envFile = dir.resolve("client.env");
            Files.writeString(envFile, env.stdout());

            CommandResult inside = pod.exec("bash", "-c", String.join("; ",
                    "set -eu",
                    "source '" + envFile + "'",
                    "echo \"$WEB_SERVICE_HOST\"",
                    "getent hosts web | awk '{print $1}'",
                    "curl -sS --max-time 5 \"$WEB_URL\"",
                    "curl -sS --max-time 5 http://web/",
                    "curl -sS --max-time 5 http://web.shop.svc.cluster.local:$WEB_SERVICE_PORT_HTTP/"));
            assertEquals(0, inside.exitCode(), inside.stderr() + "\n" + serve.output());
            List<String> lines = inside.stdout().lines().toList();
            String clusterIp = lines.get(0);
            assertTrue(clusterIp.startsWith("10.252." + y + "."), "the ClusterIP comes from --service-cidr: " + clusterIp);
            assertEquals(clusterIp, lines.get(1), "DNS and the environment agree on the ClusterIP");
            assertEquals(List.of("hello from web-1", "hello from web-1", "hello from web-1"), lines.subList(2, 5),
                    "the backend answers through the proxy by variable, short name and full name");
        } finally {
            backend.stop(0);
        }
    }

    private static CommandResult run(String command, List<String> agentFlags, String... args) {
        List<String> all = new java.util.ArrayList<>(List.of(command));
        all.addAll(agentFlags);
        all.addAll(List.of(args));
        return ServeProcess.run(all.toArray(String[]::new));
    }
}
