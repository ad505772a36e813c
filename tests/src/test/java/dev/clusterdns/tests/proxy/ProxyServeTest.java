package dev.clusterdns.tests.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.clusterdns.tests.CommandResult;
import dev.clusterdns.tests.ServeProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * `curl` through `clusterdns serve`: ClusterIPs, a NodePort, a Service without endpoints, a UDP
 * Service, a selector-less Service with its own EndpointSlice, readiness changes picked up from the manifests,
 * and the proxy metrics.
 * Backends are real HTTP servers on loopback addresses named as pod IPs in the manifests.
 */
class ProxyServeTest {
    static final int BACKEND_PORT = 18066;
    private final List<HttpServer> backends = new ArrayList<>();

    @BeforeAll
    static void tools() {
        Assumptions.assumeTrue(CommandResult.onPath("curl"), "curl is not installed");
    }

    @AfterEach
    void stopBackends() {
        backends.forEach(b -> b.stop(0));
    }

    /** An HTTP server on ip:port answering every request with its name and a newline. */
    static HttpServer backend(String ip, int port, String name) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(ip, port), 100);
            server.createContext("/", ex -> {
                byte[] b = (name + "\n").getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(200, b.length);
                ex.getResponseBody().write(b);
                ex.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void startBackend(String ip, int port, String name) {
        backends.add(backend(ip, port, name));
    }

    /** Copies resources/proxy/{@code names} into {@code dir} with ${KEY} replaced. */
    static void writeManifests(Path dir, Map<String, String> vars, String... names) {
        try {
            for (String name : names) {
                String text;
                try (InputStream in = ProxyServeTest.class.getResourceAsStream("/proxy/" + name)) {
                    text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                for (Map.Entry<String, String> e : vars.entrySet()) {
                    text = text.replace("${" + e.getKey() + "}", e.getValue());
                }
                // Write beside and rename, so the watcher never reads half a file.
                Path tmp = dir.resolve("." + name + ".tmp");
                Files.writeString(tmp, text);
                Files.move(tmp, dir.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static CommandResult curl(String url) {
        return CommandResult.run(List.of("curl", "-sS", "--max-time", "5", url), ServeProcess.root());
    }

    static String body(String url) {
        CommandResult r = curl(url);
        assertEquals(0, r.exitCode(), "curl " + url + ": " + r.stderr());
        return r.stdout().trim();
    }

    private static int freeNodePort() {
        for (int p = 30000 + (int) (ProcessHandle.current().pid() % 2000); p < 32767; p++) {
            try (java.net.ServerSocket s = new java.net.ServerSocket(p)) {
                return p;
            } catch (IOException busy) {
                // next
            }
        }
        throw new IllegalStateException("no free NodePort");
    }

    @Test
    void curlReachesAOnePodServiceAndAHandWrittenSliceAndIsRefusedWithoutEndpoints() throws Exception {
        startBackend("127.0.66.24", BACKEND_PORT, "static");
        startBackend("127.0.66.25", BACKEND_PORT, "manual");
        Path dir = Files.createTempDirectory("proxy-e2e");
        writeManifests(dir, Map.of("BACKEND_PORT", String.valueOf(BACKEND_PORT), "STATIC_IP", "127.96.66.12",
                "NODE_PORT", String.valueOf(freeNodePort()), "WEB2_READY", "True"), "static.yaml", "web.yaml", "manual.yaml",
                "udp.yaml");
        try (ServeProcess serve = ServeProcess.start("--manifests", dir.toString(), "--node-address", "127.0.0.1")) {
            assertEquals("static", body("http://127.96.66.12/"));
            assertEquals("manual", body("http://127.96.66.13/"));
            assertEquals("echo:ping", udpExchange("127.0.66.26", "127.96.66.14", 5353, "ping"));
            CommandResult refused = curl("http://127.96.66.11/");
            assertEquals(7, refused.exitCode(), "curl exit 7 = could not connect (refused): " + refused.stderr());
            String metrics = serve.http("/metrics");
            assertTrue(metrics.lines().anyMatch(l -> l.startsWith("clusterdns_proxy_connections_total{")
                    && l.contains("service=\"static\"") && l.endsWith(" 1.0")), metrics);
        }
    }

    @Test
    void curlReachesReadyPodsThroughClusterIpAndNodePortAndFollowsReadiness() throws Exception {
        startBackend("127.0.66.21", BACKEND_PORT, "web-1");
        startBackend("127.0.66.22", BACKEND_PORT, "web-2");
        startBackend("127.0.66.23", BACKEND_PORT, "web-3");
        Path dir = Files.createTempDirectory("proxy-e2e");
        int nodePort = freeNodePort();
        Map<String, String> vars = new HashMap<>(Map.of("NODE_PORT", String.valueOf(nodePort),
                "BACKEND_PORT", String.valueOf(BACKEND_PORT), "WEB2_READY", "True"));
        writeManifests(dir, vars, "web.yaml");

        try (ServeProcess serve = ServeProcess.start("--manifests", dir.toString(), "--node-address", "127.0.0.1")) {
            Map<String, Integer> counts = new HashMap<>();
            for (int i = 0; i < 20; i++) {
                counts.merge(body("http://127.96.66.10/"), 1, Integer::sum);
            }
            assertEquals(Map.of("web-1", 10, "web-2", 10), counts, "round robin over the ready pods only");

            String viaNodePort = body("http://127.0.0.1:" + nodePort + "/");
            assertTrue(viaNodePort.equals("web-1") || viaNodePort.equals("web-2"), viaNodePort);

            // Readiness change in the manifests: web-2 goes not ready, and new connections avoid it.
            vars.put("WEB2_READY", "False");
            writeManifests(dir, vars, "web.yaml");
            awaitOnly("http://127.96.66.10/", "web-1", serve);
        }
    }

    /** Waits (bounded) until five requests in a row are answered by {@code name}. */
    @Test
    void aHalfCloseIsPassedOnAndAnIdleConnectionIsClosedAfterTheTimeout() throws Exception {
        try (java.net.ServerSocket backend = new java.net.ServerSocket()) {
            backend.bind(new InetSocketAddress("127.0.66.24", BACKEND_PORT));
            backend.setSoTimeout(10_000);
            Path dir = Files.createTempDirectory("proxy-e2e");
            writeManifests(dir, Map.of("BACKEND_PORT", String.valueOf(BACKEND_PORT), "STATIC_IP", "127.96.66.15"),
                    "static.yaml");
            try (ServeProcess serve = ServeProcess.start("--manifests", dir.toString(), "--node-address", "127.0.0.1",
                    "--proxy-tcp-idle-timeout", "1s")) {
                // The client's FIN reaches the endpoint after the request; the endpoint answers after it
                // and closes; the client reads the whole answer, then the end of the stream.
                try (java.net.Socket c = new java.net.Socket("127.96.66.15", 80); java.net.Socket b = backend.accept()) {
                    c.setSoTimeout(10_000);
                    b.setSoTimeout(10_000);
                    c.getOutputStream().write("request".getBytes(StandardCharsets.US_ASCII));
                    c.shutdownOutput();
                    assertEquals("request", new String(b.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
                    b.getOutputStream().write("answer after the FIN".getBytes(StandardCharsets.US_ASCII));
                    b.close();
                    assertEquals("answer after the FIN",
                            new String(c.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
                }
                // No bytes either way: both sides see the connection end, no earlier than the timeout.
                try (java.net.Socket c = new java.net.Socket("127.96.66.15", 80)) {
                    long connected = System.nanoTime();
                    c.setSoTimeout(10_000);
                    try (java.net.Socket b = backend.accept()) {
                        b.setSoTimeout(10_000);
                        assertEquals(-1, c.getInputStream().read());
                        long idleMillis = (System.nanoTime() - connected) / 1_000_000;
                        assertTrue(idleMillis >= 1_000, "closed after " + idleMillis + " ms\n" + serve.output());
                        assertEquals(-1, b.getInputStream().read());
                    }
                }
            }
        }
    }

    private static void awaitOnly(String url, String name, ServeProcess serve) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        int streak = 0;
        String last = "";
        while (System.nanoTime() < deadline) {
            last = body(url);
            streak = last.equals(name) ? streak + 1 : 0;
            if (streak == 5) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("still answered by " + last + " instead of only " + name + "\n" + serve.output());
    }

    /** Runs a one-datagram echo server on {@code backendIp}, sends through the Service, returns the reply. */
    private static String udpExchange(String backendIp, String serviceIp, int port, String payload) throws IOException {
        try (java.net.DatagramSocket backend = new java.net.DatagramSocket(new InetSocketAddress(backendIp, BACKEND_PORT));
             java.net.DatagramSocket client = new java.net.DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            backend.setSoTimeout(5_000);
            client.setSoTimeout(5_000);
            Thread echo = new Thread(() -> {
                try {
                    java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[1500], 1500);
                    backend.receive(p);
                    byte[] reply = ("echo:" + new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8))
                            .getBytes(StandardCharsets.UTF_8);
                    backend.send(new java.net.DatagramPacket(reply, reply.length, p.getSocketAddress()));
                } catch (IOException e) {
                    // the client times out and the assertion says so
                }
            });
            echo.start();
            byte[] out = payload.getBytes(StandardCharsets.UTF_8);
            client.send(new java.net.DatagramPacket(out, out.length, new InetSocketAddress(serviceIp, port)));
            java.net.DatagramPacket in = new java.net.DatagramPacket(new byte[1500], 1500);
            client.receive(in);
            assertEquals(new InetSocketAddress(serviceIp, port), in.getSocketAddress(), "reply from the Service address");
            return new String(in.getData(), 0, in.getLength(), StandardCharsets.UTF_8);
        }
    }
}
