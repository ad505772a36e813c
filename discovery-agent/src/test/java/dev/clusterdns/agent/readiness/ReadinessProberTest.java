package dev.clusterdns.agent.readiness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.clusterdns.agent.manifest.ManifestFile;
import dev.clusterdns.agent.manifest.ManifestReader;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.validation.Defaults;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Probes against real servers listening on loopback pod IPs. A probe "second" lasts 50 ms here so
 * that thresholds can be exercised quickly; the assertions are about order and counts, not speed.
 */
class ReadinessProberTest {
    private static final AtomicInteger NEXT_IP = new AtomicInteger((int) (ProcessHandle.current().pid() % 200) + 20);

    private final Semaphore changes = new Semaphore(0);
    private ReadinessProber prober;
    private HttpServer http;
    private final AtomicInteger status = new AtomicInteger(200);
    private final AtomicInteger hits = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
    private String ip;

    @BeforeEach
    void start() {
        prober = new ReadinessProber(ns -> changes.release(), Duration.ofMillis(50));
        ip = "127.244." + NEXT_IP.getAndIncrement() % 250 + "." + (ProcessHandle.current().pid() % 250 + 2);
    }

    @AfterEach
    void stop() {
        prober.close();
        if (http != null) {
            http.stop(0);
        }
    }

    private int serveHttp() throws Exception {
        http = HttpServer.create(new InetSocketAddress(ip, 0), 0);
        http.createContext("/", ex -> {
            hits.incrementAndGet();
            seen.add(ex.getRequestMethod() + " " + ex.getRequestURI() + " " + ex.getRequestHeaders().getFirst("User-Agent"));
            int code = status.get();
            if (code >= 400) {
                failed.incrementAndGet();
            }
            ex.sendResponseHeaders(code, -1);
            ex.close();
        });
        http.start();
        return http.getAddress().getPort();
    }

    private Pod pod(String containerYaml) {
        String yaml = """
                apiVersion: v1
                kind: Pod
                metadata: {name: web, namespace: default}
                spec:
                  containers:
                %s
                status:
                  podIP: %s
                """.formatted(containerYaml.indent(2), ip);
        ManifestFile f = new ManifestReader().read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "t.yaml", false);
        assertEquals(List.of(), f.problems());
        return Defaults.pod((Pod) f.manifests().get(0).object());
    }

    private void await(BooleanSupplier condition, String what) throws InterruptedException {
        for (int i = 0; i < 600 && !condition.getAsBoolean(); i++) {
            changes.tryAcquire(50, TimeUnit.MILLISECONDS);
        }
        assertTrue(condition.getAsBoolean(), what);
    }

    @Test
    void aPodWithoutProbeIsReadyAndAnExecProbeIsReportedAndPasses() {
        Pod plain = pod("- {name: c, image: nginx}");
        prober.sync(List.of(plain));
        assertTrue(prober.ready(plain));
        Pod exec = pod("- {name: c, image: nginx, readinessProbe: {exec: {command: [cat, /tmp/ready]}}}");
        prober.sync(List.of(exec));
        assertTrue(prober.ready(exec));
        assertEquals(1, prober.problems().size());
        assertTrue(prober.problems().get(0).message().contains("only httpGet and tcpSocket"), prober.problems().toString());
    }

    @Test
    void httpGetBecomesReadyAfterSuccessThresholdAndUnreadyAfterFailureThreshold() throws Exception {
        int port = serveHttp();
        Pod p = pod("""
                - name: c
                  image: nginx
                  ports: [{name: http, containerPort: %d}]
                  readinessProbe:
                    httpGet: {path: /healthz, port: http}
                    periodSeconds: 1
                    successThreshold: 3
                    failureThreshold: 2
                """.formatted(port));
        prober.sync(List.of(p));
        assertFalse(prober.ready(p), "a probed container starts not ready");
        await(() -> prober.ready(p), "ready once the server answers 200");
        assertTrue(hits.get() >= 3, "ready only after 3 successes, saw " + hits.get());
        assertTrue(seen.peek().startsWith("GET /healthz kube-probe/"), seen.peek());

        status.set(503);
        await(() -> !prober.ready(p), "not ready once the server answers 503");
        assertTrue(failed.get() >= 2, "not ready only after 2 failures, saw " + failed.get());
        assertEquals(List.of(), prober.problems());
    }

    @Test
    void redirectsCountAsSuccessAndClientErrorsAsFailure() throws Exception {
        int port = serveHttp();
        status.set(302);
        Pod p = pod("- {name: c, image: nginx, readinessProbe: {httpGet: {port: %d}, periodSeconds: 1}}".formatted(port));
        prober.sync(List.of(p));
        await(() -> prober.ready(p), "3xx counts as success");
        status.set(404);
        await(() -> !prober.ready(p), "4xx counts as failure");
    }

    @Test
    void tcpSocketFollowsWhetherAnythingListensOnThePodIp() throws Exception {
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(ip, 0));
        Pod p = pod("- {name: c, image: redis, readinessProbe: {tcpSocket: {port: %d}, periodSeconds: 1, failureThreshold: 1}}"
                .formatted(server.getLocalPort()));
        prober.sync(List.of(p));
        await(() -> prober.ready(p), "ready while something listens");
        server.close();
        await(() -> !prober.ready(p), "not ready once nothing listens");
    }

    @Test
    void theFirstProbeWaitsForInitialDelaySeconds() throws Exception {
        int port = serveHttp();
        Pod p = pod("- {name: c, image: nginx, readinessProbe: {httpGet: {port: %d}, initialDelaySeconds: 10, periodSeconds: 1}}"
                .formatted(port));
        long started = System.nanoTime();
        prober.sync(List.of(p));
        await(() -> prober.ready(p), "ready after the delay");
        assertTrue(System.nanoTime() - started >= Duration.ofMillis(500).toNanos(), "probed before initialDelaySeconds");
    }

    @Test
    void aPortNameThatNamesNoContainerPortIsAProblemAndNeverReady() throws Exception {
        Pod p = pod("- {name: c, image: nginx, readinessProbe: {httpGet: {port: metrics}}}");
        prober.sync(List.of(p));
        assertFalse(prober.ready(p));
        assertEquals(1, prober.problems().size());
        assertTrue(prober.problems().get(0).message().contains("\"metrics\" names no port of container \"c\""),
                prober.problems().get(0).message());
    }

    @Test
    void podsNoLongerGivenStopBeingProbed() throws Exception {
        int port = serveHttp();
        Pod p = pod("- {name: c, image: nginx, readinessProbe: {httpGet: {port: %d}, periodSeconds: 1}}".formatted(port));
        prober.sync(List.of(p));
        await(() -> prober.ready(p), "ready");
        prober.sync(List.of());
        assertFalse(prober.ready(p), "a Pod probed again starts not ready");
        int after = hits.get();
        Thread.sleep(300);
        assertTrue(hits.get() <= after + 1, "still probed after removal: " + (hits.get() - after));
    }
}
