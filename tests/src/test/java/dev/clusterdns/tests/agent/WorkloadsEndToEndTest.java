package dev.clusterdns.tests.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.tests.CommandResult;
import dev.clusterdns.tests.ServeProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The StatefulSet tutorial's manifests through the real binary: `web-0.nginx` resolves with `dig`,
 * `get statefulsets` prints kubectl's columns, and editing `replicas` in the file scales.
 */
class WorkloadsEndToEndTest {
    private static final String WEB = """
            apiVersion: v1
            kind: Service
            metadata:
              name: nginx
              labels:
                app: nginx
            spec:
              ports:
              - port: 80
                name: web
              clusterIP: None
              selector:
                app: nginx
            ---
            apiVersion: apps/v1
            kind: StatefulSet
            metadata:
              name: web
            spec:
              selector:
                matchLabels:
                  app: nginx
              serviceName: "nginx"
              replicas: %d
              template:
                metadata:
                  labels:
                    app: nginx
                spec:
                  containers:
                  - name: nginx
                    image: registry.k8s.io/nginx-slim:0.24
                    ports:
                    - containerPort: 80
                      name: web
            """;

    @TempDir
    Path dir;

    private static String dig(ServeProcess serve, String name) {
        CommandResult r = CommandResult.run(List.of("dig", "@127.0.0.1", "-p", String.valueOf(serve.dnsPort()), "+short", name),
                ServeProcess.root());
        return r.stdout().trim();
    }

    private static List<String> sorted(String lines) {
        List<String> out = new ArrayList<>(lines.lines().toList());
        out.sort(null);
        return out;
    }

    @Test
    void statefulSetPodsResolveByHostnameAndScaleWithTheFile() throws Exception {
        Assumptions.assumeTrue(CommandResult.onPath("dig"), "needs dig (dnsutils)");
        Path file = dir.resolve("web.yaml");
        Files.writeString(file, WEB.formatted(2));
        try (ServeProcess serve = ServeProcess.start("--manifests", dir.toString())) {
            Map<String, String> pods = serve.podIps("default", "app=nginx");
            assertEquals(List.of("web-0", "web-1"), new ArrayList<>(pods.keySet()));
            assertEquals(pods.get("web-0"), dig(serve, "web-0.nginx.default.svc.cluster.local"));
            assertEquals(pods.get("web-1"), dig(serve, "web-1.nginx.default.svc.cluster.local"));
            assertEquals(sorted(String.join("\n", pods.values())), sorted(dig(serve, "nginx.default.svc.cluster.local")));

            CommandResult sts = ServeProcess.run("get", "statefulsets", "--server", "http://127.0.0.1:" + serve.httpPort());
            assertTrue(sts.stdout().lines().findFirst().orElseThrow().matches("NAME +READY +AGE"), sts.stdout());
            assertTrue(sts.stdout().lines().anyMatch(l -> l.matches("web +2/2 +\\S+")), sts.stdout());

            Files.writeString(file, WEB.formatted(3));
            String third = "";
            for (int i = 0; i < 100 && third.isEmpty(); i++) {
                Thread.sleep(100);
                third = dig(serve, "web-2.nginx.default.svc.cluster.local");
            }
            assertEquals(serve.podIps("default", "app=nginx").get("web-2"), third, serve.output());
            assertTrue(serve.output().contains("~sts default/web replicas 2→3"), serve.output());
        }
    }

    @Test
    void anEndpointBecomesReadyWhenAProcessListensOnThePodIp() throws Exception {
        int port = ServeProcess.freePort();
        Files.writeString(dir.resolve("web.yaml"), """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      containers:
                      - name: web
                        image: web
                        ports: [{name: http, containerPort: %d}]
                        readinessProbe: {tcpSocket: {port: http}, periodSeconds: 1}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec: {selector: {app: web}, ports: [{port: 80, targetPort: http}]}
                """.formatted(port));
        try (ServeProcess serve = ServeProcess.start("--manifests", dir.toString())) {
            String server = "http://127.0.0.1:" + serve.httpPort();
            String ip = serve.podIps("default", "app=web").values().iterator().next();
            CommandResult before = ServeProcess.run("get", "ep", "web", "--server", server);
            assertTrue(before.stdout().lines().anyMatch(l -> l.matches("web +<none> +\\S+")), "not ready yet:\n" + before.stdout());
            CommandResult pods = ServeProcess.run("get", "pods", "--server", server);
            assertTrue(pods.stdout().lines().anyMatch(l -> l.matches("web-\\S+ +0/1 +Running .*")), pods.stdout());

            try (java.net.ServerSocket backend = new java.net.ServerSocket()) {
                backend.bind(new java.net.InetSocketAddress(ip, port));
                String ready = "";
                for (int i = 0; i < 100 && !ready.contains(ip + ":" + port); i++) {
                    Thread.sleep(100);
                    ready = ServeProcess.run("get", "ep", "web", "--server", server).stdout();
                }
                assertTrue(ready.contains(ip + ":" + port), ready + serve.output());
                assertTrue(serve.output().contains("ready false→true"), serve.output());
            }
        }
    }
}
