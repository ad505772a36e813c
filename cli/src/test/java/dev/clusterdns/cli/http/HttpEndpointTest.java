package dev.clusterdns.cli.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Netty HTTP endpoint through real sockets: routing, limits, timeouts, slow clients. */
class HttpEndpointTest {

    private HttpEndpoint http;
    private final List<Socket> sockets = new ArrayList<>();

    private HttpEndpoint start(HttpLimits limits) throws IOException {
        http = HttpEndpoint.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), limits);
        http.route("/health", ex -> ex.reply(200, "text/plain", "OK\n"));
        http.route("/metrics", ex -> ex.reply(200, "text/plain", "metric 1\n"));
        http.route("/echo", ex -> ex.reply(200, "text/plain", ex.method() + " " + ex.body().length + " " + ex.param("q") + "\n"));
        http.routeTree("/api/", ex -> ex.reply(200, "text/plain", "api " + ex.path() + "\n"));
        http.route("/stream", ex -> {
            Exchange.Stream s = ex.stream(200, "text/plain");
            s.write("one\n");
            s.write("two\n");
            s.close();
        });
        return http;
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        if (http != null) {
            http.close();
        }
    }

    @Test
    void routesExactPathsOnly() throws Exception {
        start(HttpLimits.defaults());
        assertEquals("200 OK\n", statusAndBody("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        assertEquals("404 404 page not found\n", statusAndBody("GET /health/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        assertEquals("404 404 page not found\n", statusAndBody("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        assertEquals("200 api /api/v1\n", statusAndBody("GET /api/v1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        assertEquals("200 api /api\n", statusAndBody("GET /api HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        assertEquals("200 POST 5 a b\n", statusAndBody("POST /echo?q=a+b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"));
    }

    @Test
    void dotDotSegmentsAre400EvenEncoded() throws Exception {
        start(HttpLimits.defaults());
        for (String path : List.of("/metrics/../../etc/passwd", "/metrics/%2e%2e/%2E%2E/etc/passwd", "/api/./v1", "/api/v1/..")) {
            String answer = statusAndBody("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertTrue(answer.startsWith("400 "), path + " -> " + answer);
        }
    }

    @Test
    void curlSeesTheSameAsRawSockets() throws Exception {
        assumeTrue(onPath("curl"), "curl is not installed (apt-get install curl)");
        start(HttpLimits.defaults());
        String base = "http://127.0.0.1:" + http.address().getPort();
        assertEquals("400", curl("-o", "/dev/null", "-w", "%{http_code}", "--path-as-is", base + "/metrics/../../etc/passwd"));
        assertEquals("200", curl("-o", "/dev/null", "-w", "%{http_code}", base + "/metrics"));
        // A 64 KiB header (curl refuses to send much more itself; raw sockets send 1 MB below): 431, not a reset.
        java.nio.file.Path header = java.nio.file.Files.createTempFile("big-header", ".txt");
        try {
            java.nio.file.Files.writeString(header, "X-Big: " + "a".repeat(64 << 10) + "\n");
            assertEquals("431", curl("-o", "/dev/null", "-w", "%{http_code}", "-H", "@" + header, base + "/health"));
        } finally {
            java.nio.file.Files.delete(header);
        }
        assertEquals("one\ntwo\n", curl(base + "/stream"));
    }

    @Test
    void tooLargeHeaderIs431AndTooLargeBodyIs413() throws Exception {
        start(HttpLimits.defaults());
        String big = "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(1 << 20) + "\r\n\r\n";
        assertTrue(statusAndBody(big).startsWith("431 "));
        String longLine = "GET /health?" + "a".repeat(20000) + " HTTP/1.1\r\nHost: x\r\n\r\n";
        assertTrue(statusAndBody(longLine).startsWith("414 "));
        String body = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + (2 << 20) + "\r\n\r\n";
        assertTrue(statusAndBody(body).startsWith("413"));
    }

    @Test
    void keepAliveServesSeveralRequestsOnOneConnection() throws Exception {
        start(HttpLimits.defaults());
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(all.contains("OK\n") && all.contains("metric 1\n"), all);
        }
    }

    @Test
    void aRequestTrickledTooSlowlyIsCutOffWith408() throws Exception {
        start(HttpLimits.defaults().withRequestTimeout(Duration.ofMillis(300)));
        try (Socket s = connect()) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write("GET /health HTTP/1.1\r\nHo".getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(answer.startsWith("HTTP/1.1 408 "), answer);
        }
    }

    @Test
    void anIdleConnectionIsClosedWithoutAnAnswer() throws Exception {
        start(HttpLimits.defaults().withRequestTimeout(Duration.ofMillis(300)));
        try (Socket s = connect()) {
            s.setSoTimeout(20_000);
            assertEquals(-1, s.getInputStream().read());
        }
    }

    /** Slowloris: many connections each holding a partial header, a byte now and then; /health still answers. */
    @Test
    void slowClientsDoNotStarveHealth() throws Exception {
        start(HttpLimits.defaults().withMaxConnections(64));
        List<Socket> slow = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            Socket s = connect();
            s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\nX-a: ".getBytes(StandardCharsets.US_ASCII));
            slow.add(s);
        }
        Thread trickle = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                for (Socket s : slow) {
                    try {
                        s.getOutputStream().write('a');
                    } catch (IOException closedByServer) {
                        // evicted to make room: what we want
                    }
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        trickle.start();
        try {
            for (int i = 0; i < 20; i++) {
                assertEquals("200 OK\n", statusAndBody("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
            }
            assertTrue(http.openConnections() <= 64, "open connections " + http.openConnections());
        } finally {
            trickle.interrupt();
            trickle.join();
        }
    }

    private Socket connect() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), http.address().getPort());
        sockets.add(s);
        return s;
    }

    /** Sends raw bytes on a new connection, returns "CODE BODY". */
    private String statusAndBody(String request) throws IOException {
        try (Socket s = connect()) {
            s.setSoTimeout(20_000);
            try {
                s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            } catch (IOException resetWhileSending) {
                // the server may answer and close before the whole request is written
            }
            byte[] all = readAll(s.getInputStream());
            String text = new String(all, StandardCharsets.UTF_8);
            int sp = text.indexOf(' ');
            String code = text.substring(sp + 1, sp + 4);
            return code + " " + text.substring(text.indexOf("\r\n\r\n") + 4);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
            }
        } catch (IOException reset) {
            // a reset after the answer: keep what was read
        }
        return out.toByteArray();
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (new java.io.File(dir, tool).canExecute()) {
                return true;
            }
        }
        return false;
    }

    private static String curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-s", "--max-time", "20"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }
}
