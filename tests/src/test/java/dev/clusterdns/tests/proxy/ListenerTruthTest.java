package dev.clusterdns.tests.proxy;

import static dev.clusterdns.tests.proxy.ProxyServeTest.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.clusterdns.tests.CommandResult;
import dev.clusterdns.tests.ServeProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 item 5, through the real `serve` process: a NodePort another process holds is listed
 * in `/api/clusterdns/problems` and `/ready`'s body (and a metric), the rest serves, and the port is
 * bound once it frees; NodePorts listen on 127.0.0.1 by default with manifests.
 */
class ListenerTruthTest {
    static final int BACKEND_PORT = 18067;

    @BeforeAll
    static void tools() {
        Assumptions.assumeTrue(CommandResult.onPath("curl"), "curl is not installed");
    }

    /** A port in the default NodePort range held open by this test, as another program would. */
    private static ServerSocket squatNodePort() {
        for (int p = 30000 + (int) (ProcessHandle.current().pid() % 2000); p < 32767; p++) {
            try {
                ServerSocket s = new ServerSocket();
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), p));
                return s;
            } catch (IOException busy) {
                // next
            }
        }
        throw new IllegalStateException("no free NodePort");
    }

    private static void await(String what, ServeProcess serve, java.util.function.BooleanSupplier ok)
            throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what + "\n" + serve.output());
            }
            Thread.sleep(100);
        }
    }

    @Test
    void aNodePortInUseIsReportedRetriedAndBoundOnceFree() throws Exception {
        HttpServer backend = ProxyServeTest.backend("127.0.67.21", BACKEND_PORT, "web-1");
        ServerSocket squatter = squatNodePort();
        int nodePort = squatter.getLocalPort();
        Path dir = Files.createTempDirectory("listeners-e2e");
        ProxyServeTest.writeManifests(dir, Map.of("BACKEND_PORT", String.valueOf(BACKEND_PORT),
                "NODE_PORT", String.valueOf(nodePort)), "listeners.yaml");
        try (ServeProcess serve = ServeProcess.start("--manifests", dir.toString())) {
            String socket = "TCP 127.0.0.1:" + nodePort;
            await("the proxy reports the port", serve, () -> serve.http("/api/clusterdns/problems").contains(socket));
            String problems = serve.http("/api/clusterdns/problems");
            assertTrue(problems.replace(" ", "").contains("\"source\":\"proxy\""), problems);
            assertTrue(problems.contains("Service default/web:http"), problems);
            assertTrue(problems.toLowerCase(Locale.ROOT).contains("address already in use"), problems);
            // /ready promises the process serves (sources synced, own listeners bound); a Service
            // socket another program holds is said in its body, not hidden.
            assertEquals(200, serve.httpStatus("/ready"));
            String ready = serve.http("/ready");
            assertTrue(ready.contains("not serving: cannot listen on " + socket), ready);
            assertTrue(serve.http("/metrics").contains("clusterdns_proxy_unbound_sockets 1.0"));
            assertEquals("web-1", body("http://127.96.67.10/"), "the rest serves");

            squatter.close();
            await("the NodePort is bound after the port frees", serve,
                    () -> !serve.http("/api/clusterdns/problems").contains(socket));
            assertEquals("web-1", body("http://127.0.0.1:" + nodePort + "/"));
            assertEquals("OK\n", serve.http("/ready"));
            assertTrue(serve.output().contains("now listening on " + socket), serve.output());
            // One socket per proxy event loop (SO_REUSEPORT), all on the same address.
            assertTrue(listenersOn(nodePort).stream().distinct().toList().equals(List.of("127.0.0.1")),
                    "NodePorts listen on loopback by default: " + listenersOn(nodePort));
        } finally {
            squatter.close();
            backend.stop(0);
        }
    }

    /** The local addresses listening on TCP {@code port}, from /proc/net/tcp and tcp6. */
    private static List<String> listenersOn(int port) throws IOException {
        Assumptions.assumeTrue(Files.exists(Path.of("/proc/net/tcp")), "no /proc/net/tcp");
        String hexPort = String.format(Locale.ROOT, ":%04X", port);
        List<String> out = new java.util.ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path p = Path.of(table);
            if (!Files.exists(p)) {
                continue;
            }
            for (String line : Files.readAllLines(p)) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 3 && f[1].endsWith(hexPort) && f[3].equals("0A")) {
                    out.add(decode(f[1].substring(0, f[1].indexOf(':'))));
                }
            }
        }
        return out;
    }

    /** /proc/net/tcp's little-endian hex IPv4, also IPv4-mapped in tcp6 (other IPv6 as the raw text). */
    private static String decode(String hex) {
        if (hex.length() == 32 && hex.startsWith("0000000000000000FFFF0000")) {
            hex = hex.substring(24);
        }
        if (hex.length() != 8) {
            return hex;
        }
        long v = Long.parseLong(hex, 16);
        return (v & 0xff) + "." + (v >> 8 & 0xff) + "." + (v >> 16 & 0xff) + "." + (v >> 24 & 0xff);
    }
}
