package dev.clusterdns.ingress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.ingress.tls.SelfSignedCertificate;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
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
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The controller on real sockets: real HTTP backends on loopback "pod IPs", requests over plain
 * sockets and the JDK's HTTP and WebSocket clients, TLS with SNI.
 */
class IngressControllerTest {
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final TestCluster cluster = new TestCluster();
    private final ByteArrayOutputStream accessLog = new ByteArrayOutputStream();
    private IngressController controller;
    private int http;
    private int https;

    @BeforeEach
    void start() throws Exception {
        IngressConfig config = new IngressConfig(List.of(new InetSocketAddress("127.0.0.1", 0)),
                List.of(new InetSocketAddress("127.0.0.1", 0)), Set.of(), null,
                new PrintStream(accessLog, true, StandardCharsets.UTF_8), Duration.ofSeconds(2), Duration.ofSeconds(2), 1);
        controller = new IngressController(cluster, config, new PrometheusRegistry());
        controller.start();
        http = controller.httpAddresses().get(0).getPort();
        https = controller.httpsAddresses().get(0).getPort();
    }

    @AfterEach
    void stop() throws Exception {
        controller.close();
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    /** Two backends on the same free port of two loopback addresses. */
    private List<Backend> backends(String... ips) throws IOException {
        for (int attempt = 0; attempt < 20; attempt++) {
            List<Backend> out = new ArrayList<>();
            int port = 0;
            try {
                for (int i = 0; i < ips.length; i++) {
                    Backend b = new Backend("pod-" + (i + 1), ips[i], port);
                    closing.add(b);
                    out.add(b);
                    port = b.port();
                }
                return out;
            } catch (java.net.BindException busy) {
                out.forEach(Backend::close);
            }
        }
        throw new IOException("no common free port");
    }

    private void apply(String yaml) throws Exception {
        cluster.apply(yaml);
        long rev = cluster.current().revision();
        // Routes apply asynchronously (newest snapshot wins): wait until this revision is served.
        while (controller.appliedRevision() < rev) {
            Thread.sleep(5);
        }
    }

    private static String ingress(String name, String host, String path, String type, String service) {
        return """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: %s}
                spec:
                  rules:
                  - %shttp:
                      paths:
                      - {path: %s, pathType: %s, backend: {service: {name: %s, port: {number: 80}}}}
                ---
                """.formatted(name, host == null ? "" : "host: " + host + "\n    ", path, type, service);
    }

    /** One raw HTTP/1.1 exchange; returns status line, headers and body as text. */
    private String raw(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", http)) {
            s.setSoTimeout(30000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Map<String, String> fields(String body) {
        Map<String, String> m = new HashMap<>();
        body.lines().forEach(l -> {
            int eq = l.indexOf('=');
            if (eq > 0) {
                m.put(l.substring(0, eq), l.substring(eq + 1));
            }
        });
        return m;
    }

    @Test
    void routesByHostAndPathWithForwardedHeadersAndDropsHopByHopFields() throws Exception {
        backends("127.0.3.1");
        int port = ((Backend) closing.get(0)).port();
        apply(TestCluster.service("web", port, "127.0.3.1") + ingress("web", "shop.test", "/cart", "Prefix", "web"));
        String r = raw("GET /cart/1?x=y HTTP/1.1\r\nHost: shop.test:8080\r\nConnection: close, X-Private\r\n"
                + "X-Private: secret\r\nKeep-Alive: timeout=5\r\nX-Forwarded-For: 203.0.113.7\r\n\r\n");
        assertTrue(r.startsWith("HTTP/1.1 200"), r);
        Map<String, String> f = fields(r);
        assertEquals("pod-1", f.get("backend"));
        assertEquals("/cart/1?x=y", f.get("uri"));
        assertEquals("shop.test:8080", f.get("h.host"));
        assertEquals("203.0.113.7, 127.0.0.1", f.get("h.x-forwarded-for"));
        assertEquals("127.0.0.1", f.get("h.x-real-ip"));
        assertEquals("http", f.get("h.x-forwarded-proto"));
        assertEquals("shop.test:8080", f.get("h.x-forwarded-host"));
        assertEquals(String.valueOf(http), f.get("h.x-forwarded-port"));
        assertFalse(f.containsKey("h.x-private"), r);
        assertFalse(f.containsKey("h.keep-alive"), r);

        assertTrue(raw("GET /other HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\n\r\n").startsWith("HTTP/1.1 404"));
        assertTrue(raw("GET /cart HTTP/1.1\r\nHost: elsewhere.test\r\nConnection: close\r\n\r\n").startsWith("HTTP/1.1 404"));
        String log = accessLog.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("\"GET /cart/1?x=y HTTP/1.1\" 200"), log);
        assertTrue(log.contains("\"GET /other HTTP/1.1\" 404"), log);
    }

    @Test
    void keepAliveOnBothSidesRoundRobinAndStreamedBodies() throws Exception {
        List<Backend> bs = backends("127.0.3.2", "127.0.3.3");
        apply(TestCluster.service("web", bs.get(0).port(), "127.0.3.2", "127.0.3.3") + ingress("web", null, "/", "Prefix", "web"));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/x")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            seen.add(fields(r.body()).get("backend"));
        }
        assertEquals(Set.of("pod-1", "pod-2"), seen);
        // Ten requests, two endpoints: upstream connections were kept alive and reused.
        assertTrue(bs.get(0).clientPorts.size() + bs.get(1).clientPorts.size() <= 4,
                bs.get(0).clientPorts + " " + bs.get(1).clientPorts);

        // A body of unknown length (chunked) of 3 MB goes through whole, and a close-delimited response comes back chunked.
        byte[] big = new byte[3 * 1024 * 1024];
        HttpResponse<String> post = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/chunked"))
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, post.statusCode());
        assertEquals(String.valueOf(big.length), fields(post.body()).get("body"));
        assertEquals("chunked", fields(post.body()).get("h.transfer-encoding"));
    }

    @Test
    void expectContinueIsAnsweredAndTheBodyForwarded() throws Exception {
        List<Backend> bs = backends("127.0.3.4");
        apply(TestCluster.service("web", bs.get(0).port(), "127.0.3.4") + ingress("web", null, "/", "Prefix", "web"));
        try (Socket s = new Socket("127.0.0.1", http)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /up HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            assertEquals("HTTP/1.1 100 Continue", in.readLine());
            in.readLine();
            out.write("hello".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            StringBuilder rest = new StringBuilder();
            for (String l; (l = in.readLine()) != null; ) {
                rest.append(l).append('\n');
            }
            assertTrue(rest.toString().startsWith("HTTP/1.1 200"), rest.toString());
            assertEquals("5", fields(rest.toString()).get("body"));
        }
    }

    @Test
    void noEndpoints503RefusedConnect502AndTheNextEndpointIsTried() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.3.5"))) {
            closed = s.getLocalPort();
        }
        Backend live = new Backend("live", "127.0.3.6", closed);
        closing.add(live);
        apply(TestCluster.service("empty", 80) + TestCluster.service("dead", closed, "127.0.3.5")
                + TestCluster.service("half", closed, "127.0.3.5", "127.0.3.6")
                + ingress("a", "empty.test", "/", "Prefix", "empty") + ingress("b", "dead.test", "/", "Prefix", "dead")
                + ingress("c", "half.test", "/", "Prefix", "half"));
        String empty = raw("GET / HTTP/1.1\r\nHost: empty.test\r\nConnection: close\r\n\r\n");
        assertTrue(empty.startsWith("HTTP/1.1 503"), empty);
        assertTrue(empty.contains("<title>503 Service Unavailable</title>"), empty);
        assertTrue(raw("GET / HTTP/1.1\r\nHost: dead.test\r\nConnection: close\r\n\r\n").startsWith("HTTP/1.1 502"));
        for (int i = 0; i < 4; i++) {
            String r = raw("GET / HTTP/1.1\r\nHost: half.test\r\nConnection: close\r\n\r\n");
            assertTrue(r.startsWith("HTTP/1.1 200") && r.contains("backend=live"), r);
        }
    }

    @Test
    void upstreamSilenceIs504() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 5, java.net.InetAddress.getByName("127.0.3.7"))) {
            apply(TestCluster.service("slow", silent.getLocalPort(), "127.0.3.7") + ingress("s", null, "/", "Prefix", "slow"));
            String r = raw("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertTrue(r.startsWith("HTTP/1.1 504"), r);
        }
    }

    @Test
    void webSocketUpgradesAreTunnelled() throws Exception {
        WebSocketEcho echo = new WebSocketEcho("127.0.3.8", 0);
        closing.add(echo);
        apply(TestCluster.service("ws", echo.port(), "127.0.3.8") + ingress("ws", null, "/", "Prefix", "ws"));
        CompletableFuture<String> got = new CompletableFuture<>();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + http + "/chat"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        got.complete(data.toString());
                        return null;
                    }
                }).get(5, TimeUnit.SECONDS);
        ws.sendText("hello", true);
        assertEquals("echo:hello", got.get(5, TimeUnit.SECONDS));
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
    }

    @Test
    void tlsPicksTheSecretsCertificateBySniRedirectsPlainHttpAndFollowsSecretChanges() throws Exception {
        List<Backend> bs = backends("127.0.3.9");
        SelfSignedCertificate first = SelfSignedCertificate.generate("secure.test");
        String base = TestCluster.service("web", bs.get(0).port(), "127.0.3.9") + """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: secure}
                spec:
                  tls: [{hosts: [secure.test], secretName: secure-tls}]
                  rules:
                  - host: secure.test
                    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
                ---
                """;
        apply(base + secret("secure-tls", first));
        assertEquals(first.certificate(), peer("secure.test"));
        assertFalse(first.certificate().equals(peer("other.test")), "an unknown host gets the default certificate");
        assertFalse(first.certificate().equals(peer(null)), "no SNI gets the default certificate");
        // the generated default, made once on first use and then served to every such client
        X509Certificate generated = peer(null);
        assertTrue(generated.getSubjectX500Principal().getName().contains("CN=clusterdns Ingress default certificate"),
                generated.getSubjectX500Principal().getName());
        assertEquals(generated, peer("other.test"));
        String body = httpsGet("secure.test", "/hello");
        assertTrue(body.startsWith("HTTP/1.1 200"), body);
        assertEquals("https", fields(body).get("h.x-forwarded-proto"));

        String redirect = raw("GET /a?b=c HTTP/1.1\r\nHost: secure.test\r\nConnection: close\r\n\r\n");
        assertTrue(redirect.startsWith("HTTP/1.1 308"), redirect);
        assertTrue(redirect.contains("location: https://secure.test:" + https + "/a?b=c"), redirect);

        SelfSignedCertificate second = SelfSignedCertificate.generate("secure.test");
        apply(base + secret("secure-tls", second));
        assertEquals(second.certificate(), peer("secure.test"));
    }

    @Test
    void http2ClientsOverTlsGetStreamedBodiesBothWaysOnConcurrentStreams() throws Exception {
        List<Backend> bs = backends("127.0.3.10");
        apply(TestCluster.service("web", bs.get(0).port(), "127.0.3.10") + ingress("web", null, "/", "Prefix", "web"));
        SSLContext trustAll = SSLContext.getInstance("TLS");
        // An extended trust manager does the host name check itself: this one checks nothing.
        trustAll.init(null, new TrustManager[] {new javax.net.ssl.X509ExtendedTrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine) {}

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(trustAll).build();
        URI uri = URI.create("https://127.0.0.1:" + https + "/upload?n=1");
        byte[] body = new byte[Integer.getInteger("h2size", 1024 * 1024 + 17)];
        List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
        for (int i = 0; i < Integer.getInteger("h2n", 8); i++) {
            inFlight.add(client.sendAsync(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> f : inFlight) {
            HttpResponse<String> r = f.get(20, TimeUnit.SECONDS);
            assertEquals(HttpClient.Version.HTTP_2, r.version());
            assertEquals(200, r.statusCode());
            Map<String, String> got = fields(r.body());
            assertEquals(String.valueOf(body.length), got.get("body"));
            assertEquals("/upload?n=1", got.get("uri"));
            assertEquals("https", got.get("h.x-forwarded-proto"));
            assertEquals("127.0.0.1:" + https, got.get("h.host"));
            assertFalse(got.keySet().stream().anyMatch(k -> k.startsWith("h.x-http2")), got.toString());
        }
    }

    @Test
    void aDefaultCertificateFromASecretReplacesTheGeneratedOne() throws Exception {
        SelfSignedCertificate fallback = SelfSignedCertificate.generate("fallback.test");
        IngressConfig config = new IngressConfig(List.of(), List.of(new InetSocketAddress("127.0.0.1", 0)), Set.of(),
                "default/fallback-tls", null, Duration.ofSeconds(2), Duration.ofSeconds(2), 1);
        X509Certificate generated = peer(null);
        controller.close();
        controller = new IngressController(cluster, config, new PrometheusRegistry());
        controller.start();
        https = controller.httpsAddresses().get(0).getPort();
        X509Certificate before = peer(null);
        assertFalse(fallback.certificate().equals(before), "the Secret does not exist yet");
        apply(secret("fallback-tls", fallback));
        assertEquals(fallback.certificate(), peer(null));
        assertEquals(fallback.certificate(), peer("any.test"));
        assertFalse(generated.equals(fallback.certificate()));
    }

    private static String secret(String name, SelfSignedCertificate c) {
        return """
                apiVersion: v1
                kind: Secret
                metadata: {name: %s}
                type: kubernetes.io/tls
                data:
                  tls.crt: %s
                  tls.key: %s
                ---
                """.formatted(name, b64(c.certificatePem()), b64(c.keyPem()));
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.US_ASCII));
    }

    private SSLSocket tls(String sni) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", https);
        s.setSoTimeout(5000);
        SSLParameters p = s.getSSLParameters();
        if (sni != null) {
            p.setServerNames(List.of(new SNIHostName(sni)));
        }
        p.setApplicationProtocols(new String[] {"http/1.1"});
        s.setSSLParameters(p);
        s.startHandshake();
        return s;
    }

    private X509Certificate peer(String sni) throws Exception {
        try (SSLSocket s = tls(sni)) {
            return (X509Certificate) s.getSession().getPeerCertificates()[0];
        }
    }

    private String httpsGet(String host, String path) throws Exception {
        try (SSLSocket s = tls(host)) {
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
