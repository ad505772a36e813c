package dev.clusterdns.tests.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.clusterdns.tests.CommandResult;
import dev.clusterdns.tests.ServeProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * `clusterdns serve` with the bundled examples: HTTP servers stand in for the example pods at their
 * pod IPs, and `curl` through the allocated ClusterIPs and NodePort reaches them as in the
 * Kubernetes tutorials the examples come from.
 */
class ExamplesThroughProxyTest {
    private final List<HttpServer> pods = new ArrayList<>();

    @AfterEach
    void stopPods() {
        pods.forEach(p -> p.stop(0));
    }

    private void pod(String ip, int port, String name) {
        try {
            pods.add(ProxyServeTest.backend(ip, port, name));
        } catch (UncheckedIOException e) {
            Assumptions.assumeTrue(!(e.getCause() instanceof BindException),
                    "cannot bind the example pod address " + ip + ":" + port + " (" + e.getCause().getMessage()
                            + "; port 80 needs root, or another run holds it): skipped");
            throw e;
        }
    }

    @Test
    void curlThroughTheExampleServices() throws IOException {
        Assumptions.assumeTrue(CommandResult.onPath("curl"), "curl is not installed");
        pod("127.244.2.10", 8080, "echo-spring");
        pod("127.244.2.11", 8080, "echo-summer-1");
        pod("127.244.2.12", 8080, "echo-summer-2");

        try (ServeProcess serve = ServeProcess.start("--node-address", "127.0.0.1")) {
            // The Deployments' Pods are made by clusterdns: be each of them on the IP it was given.
            java.util.Map<String, String> myNginxPods = serve.podIps("default", "run=my-nginx");
            java.util.Map<String, String> nginxPods = serve.podIps("default", "app=nginx");
            java.util.Map<String, String> bootcampPods = serve.podIps("default", "app=kubernetes-bootcamp");
            myNginxPods.forEach((name, ip) -> pod(ip, 80, name));
            nginxPods.forEach((name, ip) -> pod(ip, 80, name));
            bootcampPods.forEach((name, ip) -> pod(ip, 8080, "bootcamp"));
            ObjectMapper json = new ObjectMapper();
            String myNginx = clusterIp(json, serve, "my-nginx");
            assertEquals(2, myNginxPods.size());
            assertEquals(myNginxPods.keySet(), answers("http://" + myNginx + "/", 8));

            // targetPort: http-web-svc, resolved through the pods' named containerPort.
            assertEquals(nginxPods.keySet(), answers("http://" + clusterIp(json, serve, "nginx-service") + "/", 12));

            // The echo Service selects release=summer only: the spring pod never answers.
            assertEquals(Set.of("echo-summer-1", "echo-summer-2"),
                    answers("http://" + clusterIp(json, serve, "echo") + "/", 6));

            JsonNode bootcamp = json.readTree(serve.http("/api/v1/namespaces/default/services/kubernetes-bootcamp"));
            int nodePort = bootcamp.path("spec").path("ports").path(0).path("nodePort").asInt();
            assertTrue(nodePort >= 30000 && nodePort <= 32767, bootcamp.toString());
            assertEquals(Set.of("bootcamp"), answers("http://127.0.0.1:" + nodePort + "/", 2));
            assertEquals(Set.of("bootcamp"), answers("http://" + bootcamp.path("spec").path("clusterIP").asText() + ":8080/", 2));
        }
    }

    private static String clusterIp(ObjectMapper json, ServeProcess serve, String service) throws IOException {
        JsonNode svc = json.readTree(serve.http("/api/v1/namespaces/default/services/" + service));
        String ip = svc.path("spec").path("clusterIP").asText();
        assertTrue(ip.startsWith("127."), service + " has ClusterIP " + ip + ": " + svc);
        return ip;
    }

    private static Set<String> answers(String url, int requests) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < requests; i++) {
            seen.add(ProxyServeTest.body(url));
        }
        return seen;
    }
}
