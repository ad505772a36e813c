package dev.clusterdns.tests.ingress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.clusterdns.ingress.WebSocketEcho;
import dev.clusterdns.tests.CommandResult;
import dev.clusterdns.tests.ServeProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * `clusterdns serve` as an Ingress controller, driven with real `curl` (HTTP/1.1, HTTP/2 over TLS,
 * `--resolve` + `--cacert` for SNI) and the JDK's WebSocket client, to real backends on pod IPs;
 * Ingress and Secret edits picked up while serving.
 */
class IngressServeTest {
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeAll
    static void tools() {
        Assumptions.assumeTrue(CommandResult.onPath("curl"), "curl is not installed");
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    /** A backend on ip:port answering its name and the X-Forwarded-Proto it saw. */
    private void backend(String ip, int port, String name) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(ip, port), 50);
        server.createContext("/", ex -> {
            String proto = ex.getRequestHeaders().getFirst("X-Forwarded-Proto");
            byte[] b = (name + " " + proto + " " + ex.getRequestURI() + "\n").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
        closing.add(() -> server.stop(0));
    }

    private static void write(Path dir, String resource, Map<String, String> vars) throws IOException {
        String text;
        try (InputStream in = IngressServeTest.class.getResourceAsStream("/ingress/" + resource)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (Map.Entry<String, String> e : vars.entrySet()) {
            text = text.replace("${" + e.getKey() + "}", e.getValue());
        }
        Path tmp = dir.resolve("." + resource + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, dir.resolve(resource), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static CommandResult curl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "10"));
        cmd.addAll(List.of(args));
        return CommandResult.run(cmd, ServeProcess.root());
    }

    /** Repeats {@code curl args} until its output passes (changes apply asynchronously), at most 15 s. */
    private static CommandResult eventually(Predicate<CommandResult> ok, String... args) throws InterruptedException {
        CommandResult r = curl(args);
        for (int i = 0; i < 150 && !ok.test(r); i++) {
            Thread.sleep(100);
            r = curl(args);
        }
        return r;
    }

    /** A self-signed certificate for {@code host} made by openssl: [cert PEM, key PEM, cert file]. */
    private static String[] certificate(Path dir, String host, String tag) throws IOException {
        Path key = dir.resolve(tag + ".key");
        Path crt = dir.resolve(tag + ".crt");
        CommandResult r = CommandResult.run(List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=" + host,
                "-addext", "subjectAltName=DNS:" + host, "-keyout", key.toString(), "-out", crt.toString()), dir);
        assertEquals(0, r.exitCode(), r.stderr());
        return new String[] {Files.readString(crt), Files.readString(key), crt.toString()};
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void routesByHostAndPathServesTlsBySniWithHttp2AndFollowsIngressAndSecretEdits() throws Exception {
        Assumptions.assumeTrue(CommandResult.onPath("openssl"), "openssl is not installed");
        Path dir = Files.createTempDirectory("ingress-e2e");
        Path certs = Files.createTempDirectory("ingress-certs");
        int port = ServeProcess.freePort();
        backend("127.244.77.1", port, "alpha");
        backend("127.244.77.2", port, "beta");
        WebSocketEcho ws = new WebSocketEcho("127.244.77.3", 0);
        closing.add(ws);
        write(dir, "apps.yaml", Map.of("PORT", String.valueOf(port), "WS_PORT", String.valueOf(ws.port())));
        write(dir, "routes.yaml", Map.of("CART", "alpha"));
        String[] first = certificate(certs, "secure.test", "first");
        write(dir, "secret.yaml", Map.of("CRT", b64(first[0]), "KEY", b64(first[1])));
        java.util.List<Integer> ingressPorts = ServeProcess.freePorts(2, java.util.Set.of(port));
        int http = ingressPorts.get(0);
        int https = ingressPorts.get(1);
        try (ServeProcess serve = ServeProcess.start("--manifests", dir.toString(), "--ingress-http", "127.0.0.1:" + http,
                "--ingress-https", "127.0.0.1:" + https)) {
            String base = "http://127.0.0.1:" + http;
            assertEquals("alpha http /cart/1?q=2", curl("-H", "Host: shop.test", base + "/cart/1?q=2").stdout().trim());
            assertEquals("404", curl("-o", "/dev/null", "-w", "%{http_code}", "-H", "Host: shop.test", base + "/other").stdout());
            assertEquals("404", curl("-o", "/dev/null", "-w", "%{http_code}", base + "/chat/more").stdout());

            // Plain HTTP for a TLS host: 308 to https, as ingress-nginx.
            CommandResult redirect = curl("-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "-H", "Host: secure.test",
                    base + "/a?b=c");
            assertEquals("308 https://secure.test:" + https + "/a?b=c", redirect.stdout());

            // HTTPS: the Secret's certificate by SNI (curl verifies it against the host name), HTTP/2 and HTTP/1.1.
            String resolve = "secure.test:" + https + ":127.0.0.1";
            String url = "https://secure.test:" + https + "/x";
            CommandResult h2 = curl("--http2", "--cacert", first[2], "--resolve", resolve, "-w", "%{http_version}", url);
            assertEquals(0, h2.exitCode(), h2.stderr());
            assertEquals("beta https /x\n2", h2.stdout());
            CommandResult h1 = curl("--http1.1", "--cacert", first[2], "--resolve", resolve, "-w", "%{http_version}", url);
            assertEquals("beta https /x\n1.1", h1.stdout());
            // Without SNI (an IP address), the default certificate: not the Secret's.
            assertEquals(60, curl("--cacert", first[2], "https://127.0.0.1:" + https + "/").exitCode());

            // WebSocket through the Ingress to the pod.
            CompletableFuture<String> got = new CompletableFuture<>();
            WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + http + "/chat"), new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                            got.complete(data.toString());
                            return null;
                        }
                    }).get(10, TimeUnit.SECONDS);
            socket.sendText("hi", true);
            assertEquals("echo:hi", got.get(10, TimeUnit.SECONDS));
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);

            // `get ingress` as kubectl prints it, with the address the controller listens on.
            CommandResult get = ServeProcess.run("get", "ingress", "--server", "http://127.0.0.1:" + serve.httpPort());
            assertEquals(0, get.exitCode(), get.stderr());
            List<String> lines = get.stdout().lines().toList();
            assertTrue(lines.get(0).matches("NAME\\s+CLASS\\s+HOSTS\\s+ADDRESS\\s+PORTS\\s+AGE"), get.stdout());
            assertTrue(lines.get(1).matches("routes\\s+<none>\\s+shop\\.test,secure\\.test\\s+127\\.0\\.0\\.1\\s+80, 443\\s+\\d+s"),
                    get.stdout());

            // Hot reload: the Ingress now sends /cart to beta; established keep-alive clients are not cut.
            write(dir, "routes.yaml", Map.of("CART", "beta"));
            CommandResult moved = eventually(r -> r.stdout().startsWith("beta"), "-H", "Host: shop.test", base + "/cart");
            assertEquals("beta http /cart", moved.stdout().trim());

            // A new certificate in the Secret is served to new handshakes.
            String[] second = certificate(certs, "secure.test", "second");
            write(dir, "secret.yaml", Map.of("CRT", b64(second[0]), "KEY", b64(second[1])));
            CommandResult renewed = eventually(r -> r.exitCode() == 0, "--cacert", second[2], "--resolve", resolve, url);
            assertEquals("beta https /x", renewed.stdout().trim(), renewed.stderr());
            assertEquals(60, curl("--cacert", first[2], "--resolve", resolve, url).exitCode(),
                    "the old certificate is no longer served");

            String metrics = serve.http("/metrics");
            assertTrue(metrics.lines().anyMatch(l -> l.startsWith("clusterdns_ingress_requests_total{")
                    && l.contains("ingress=\"routes\"") && l.contains("service=\"beta\"") && l.contains("code=\"200\"")), metrics);
        }
    }

    @Test
    void theTutorialIngressServesTheNginxPodsRoundRobinAndTheTlsExampleBySni() throws Exception {
        java.util.List<Integer> ingressPorts = ServeProcess.freePorts(2, java.util.Set.of());
        int http = ingressPorts.get(0);
        int https = ingressPorts.get(1);
        try (ServeProcess serve = ServeProcess.start("--ingress-http", "127.0.0.1:" + http, "--ingress-https",
                "127.0.0.1:" + https)) {
            // The Deployment's Pods get their IPs from the pod CIDR: be them.
            List<String> pods = List.copyOf(serve.podIps("default", "app=nginx").values());
            assertEquals(3, pods.size(), pods.toString());
            try {
                for (String ip : pods) {
                    backend(ip, 80, "nginx@" + ip);
                }
            } catch (BindException busy) {
                Assumptions.abort("port 80 on the example pod IPs is taken (another test uses them): " + busy.getMessage());
            } catch (java.net.SocketException denied) {
                Assumptions.abort("cannot listen on port 80 here: " + denied.getMessage());
            }
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < 6; i++) {
                CommandResult r = curl("http://127.0.0.1:" + http + "/");
                assertEquals(0, r.exitCode(), r.stderr());
                seen.add(r.stdout().split(" ")[0]);
            }
            Set<String> want = new HashSet<>();
            pods.forEach(ip -> want.add("nginx@" + ip));
            assertEquals(want, seen);

            CommandResult tls = curl("--cacert", "examples/nginx.example.test.crt", "--resolve",
                    "nginx.example.test:" + https + ":127.0.0.1", "https://nginx.example.test:" + https + "/");
            assertEquals(0, tls.exitCode(), tls.stderr());
            assertTrue(want.contains(tls.stdout().split(" ")[0]) && tls.stdout().contains(" https /"), tls.stdout());

            CommandResult describe = ServeProcess.run("describe", "ingress", "nginx-ingress", "--server",
                    "http://127.0.0.1:" + serve.httpPort());
            assertEquals(0, describe.exitCode(), describe.stderr());
            String backends = describe.stdout().lines().filter(l -> l.contains("/   nginx-service:80 (")).findFirst().orElse("");
            for (String ip : pods) {
                assertTrue(backends.contains(ip + ":80"), describe.stdout());
            }
            assertTrue(describe.stdout().contains("Annotations:  kubernetes.io/ingress.class: traefik"), describe.stdout());
        }
    }

    static Map<String, String> vars() {
        return new HashMap<>();
    }
}
