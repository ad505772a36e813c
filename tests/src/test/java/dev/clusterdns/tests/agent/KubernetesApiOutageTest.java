package dev.clusterdns.tests.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.clusterdns.tests.ServeProcess;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * `serve --kube-api-server` against an API server that is absent, comes, goes and comes back
 * changed, or is slow (fabric8's mock server in CRUD mode, in this JVM on a loopback port), as
 * CoreDNS's kubernetes plugin rides these out: DNS binds at once, the cluster zone answers SERVFAIL
 * until the first list while zone files answer as usual, serving starts after at most 5 s, an
 * outage keeps the last state serving, and a returning server is listed afresh.
 */
class KubernetesApiOutageTest {
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final String WEB = "web.shop.svc.cluster.local.";
    private static final String API = "api.shop.svc.cluster.local.";
    /** A name of the repository's zonefiles/example.net.zone, served by default. */
    private static final String ZONE_FILE_NAME = "mail.example.net.";

    @Test
    void sigtermIsPromptWhileTheFirstListIsPending() throws Exception {
        int apiPort = ServeProcess.freePort(); // nobody listens there
        try (ServeProcess serve = launch(apiPort)) {
            await("DNS bound and a zone file answering", () -> "192.0.2.25".equals(address(serve, ZONE_FILE_NAME)), serve);
            assertEquals(Rcode.SERVFAIL, rcode(serve, WEB), "the cluster zone is not synced yet");
            assertStopsPromptly(serve);
        }
    }

    @Test
    void absentThenPresentThenGoneThenBackChanged() throws Exception {
        int apiPort = ServeProcess.freePort();
        String url = "http://127.0.0.1:" + apiPort + "/";
        try (ServeProcess serve = launch(apiPort)) {
            // DNS binds at once, before the start-up wait for the first list is over.
            await("DNS bound and a zone file answering", () -> "192.0.2.25".equals(address(serve, ZONE_FILE_NAME)), serve);
            assertFalse(serve.output().contains("clusterdns serving"),
                    "DNS answered during the start-up wait, before the rest started:\n" + serve.output());
            assertEquals(Rcode.SERVFAIL, rcode(serve, WEB), "SERVFAIL for the cluster zone until synced (as CoreDNS)");

            await("serving after the 5 s start-up wait", () -> serve.output().contains("clusterdns serving"), serve);
            assertTrue(serve.output().contains("still waiting for the first list from the Kubernetes API at " + url
                    + " (connection refused) after 5 s"), serve.output());
            assertEquals(503, serve.httpStatus("/ready"));
            assertTrue(serve.http("/ready").contains("agent: the first list from the Kubernetes API at " + url
                    + " (connection refused)"), serve.http("/ready"));
            assertEquals("192.0.2.25", address(serve, ZONE_FILE_NAME), "zone files answer as usual");
            assertEquals(Rcode.SERVFAIL, rcode(serve, WEB));
            // The informers retry with backoff meanwhile; each reason is logged once, not per attempt.
            Thread.sleep(4000);
            assertEquals(1, count(serve.output(), "connection refused (retrying)"), serve.output());

            // The API server comes: its objects are listed and served.
            KubernetesMockServer api = startApi(apiPort, "web", "127.96.0.50");
            try {
                await("web served once the API server answers", () -> "127.96.0.50".equals(address(serve, WEB)), serve);
                await("/ready 200 once synced", () -> status(serve, "/ready") == 200, serve);
                assertTrue(serve.output().contains("the Kubernetes API at " + url + " is synced"), serve.output());
                await("the watches open (no problem with the API left)",
                        () -> !serve.http("/api/clusterdns/problems").contains("Kubernetes API"), serve);
            } finally {
                api.destroy();
            }

            // It goes away: the last state keeps serving, and the outage is said.
            await("the outage noticed", () -> serve.output().contains("lost the watch on the Kubernetes API at " + url), serve);
            assertEquals("127.96.0.50", address(serve, WEB), "the last state keeps serving");
            assertEquals(Rcode.NXDOMAIN, rcode(serve, API), "synced before: a missing name is NXDOMAIN, not SERVFAIL");
            String problems = serve.http("/api/clusterdns/problems");
            assertTrue(problems.contains("the Kubernetes API server is unreachable"), problems);
            assertEquals(200, serve.httpStatus("/ready"), "still serving what it had (as CoreDNS)");
            assertTrue(serve.http("/ready").contains("degraded: the Kubernetes API server is unreachable"), serve.http("/ready"));

            // It comes back with another object set: listed afresh, the change is served.
            KubernetesMockServer back = startApi(apiPort, "api", "127.96.0.51");
            try {
                await("api served after the API server returned", () -> "127.96.0.51".equals(address(serve, API)), serve);
                await("web gone after the API server returned", () -> rcode(serve, WEB) == Rcode.NXDOMAIN, serve);
                await("the problem cleared", () -> !serve.http("/api/clusterdns/problems").contains("unreachable"), serve);
                assertTrue(serve.output().contains("the Kubernetes API at " + url + " answers again"), serve.output());
            } finally {
                back.destroy();
            }

            // SIGTERM during the next outage.
            await("the second outage noticed", () -> count(serve.output(), "lost the watch on the Kubernetes API") == 2, serve);
            assertStopsPromptly(serve);
        }
    }

    @Test
    void aSlowApiServerServesAfterTheStartUpWaitAndReadyTellsWhy() throws Exception {
        int apiPort = ServeProcess.freePort();
        KubernetesMockServer api = startApi(apiPort, "web", "127.96.0.50");
        try (HoldingProxy slow = new HoldingProxy(apiPort);
             ServeProcess serve = launch(slow.port())) {
            await("DNS bound and a zone file answering", () -> "192.0.2.25".equals(address(serve, ZONE_FILE_NAME)), serve);
            assertEquals(Rcode.SERVFAIL, rcode(serve, WEB));
            await("serving after the 5 s start-up wait", () -> serve.output().contains("clusterdns serving"), serve);
            assertTrue(serve.output().contains("(no answer yet) after 5 s"), serve.output());
            assertEquals(503, serve.httpStatus("/ready"));
            assertTrue(serve.http("/ready").contains("agent: the first list from the Kubernetes API at http://127.0.0.1:"
                    + slow.port() + "/ (no answer yet)"), serve.http("/ready"));

            // The lists get through, the watches still hang: what was listed is served.
            slow.releaseLists();
            await("web served once listed", () -> "127.96.0.50".equals(address(serve, WEB)), serve);
            await("/ready 200 once listed", () -> status(serve, "/ready") == 200, serve);
            // ... and says that changes are not seen while the watches hang.
            assertTrue(serve.http("/ready").contains("degraded: no watch open on the Kubernetes API server yet"),
                    serve.http("/ready"));
            assertTrue(serve.http("/api/clusterdns/problems").contains("no watch open"), serve.http("/api/clusterdns/problems"));
            assertStopsPromptly(serve);
        } finally {
            api.destroy();
        }
    }

    private static ServeProcess launch(int apiPort) {
        return ServeProcess.launch(List.of("--kube-api-server", "http://127.0.0.1:" + apiPort, "--no-proxy", "--no-ingress"));
    }

    /** fabric8's mock server (CRUD mode) on {@code port}, holding Namespace shop and Service shop/{@code service}. */
    private static KubernetesMockServer startApi(int port, String service, String clusterIp) throws IOException {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getByName("127.0.0.1"), port);
        try (KubernetesClient client = server.createClient()) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build()).create();
            client.services().inNamespace("shop").resource(new ServiceBuilder()
                    .withNewMetadata().withName(service).withNamespace("shop").endMetadata()
                    .withNewSpec().withClusterIP(clusterIp).withClusterIPs(clusterIp)
                    .addNewPort().withName("http").withPort(80).withProtocol("TCP").endPort().endSpec().build()).create();
        }
        return server;
    }

    /**
     * SIGTERM must stop `serve` promptly whatever the API server does: that is the behaviour under
     * test (the issue saw up to 20 s while a first list was pending), not a performance limit, so
     * the bound is generous.
     */
    private static void assertStopsPromptly(ServeProcess serve) throws InterruptedException {
        long start = System.nanoTime();
        serve.process().destroy();
        boolean stopped = serve.process().waitFor(5, TimeUnit.SECONDS);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(stopped, "still running 5 s after SIGTERM:\n" + serve.output());
        System.out.println("serve stopped " + ms + " ms after SIGTERM");
    }

    private static void await(String what, BooleanSupplier condition, ServeProcess serve) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            if (!serve.process().isAlive()) {
                fail("serve exited while waiting for " + what + ":\n" + serve.output());
            }
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        fail("no " + what + " within " + PATIENCE.toSeconds() + " s:\n" + serve.output());
    }

    private static int status(ServeProcess serve, String path) {
        try {
            return serve.httpStatus(path);
        } catch (IOException e) {
            return -1;
        }
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    /** The reply to an A query over UDP, or null when nothing answers. */
    private static Message query(ServeProcess serve, String name) {
        try {
            SimpleResolver r = new SimpleResolver(InetAddress.getLoopbackAddress());
            r.setPort(serve.dnsPort());
            r.setTimeout(Duration.ofSeconds(2));
            return r.send(Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN)));
        } catch (IOException e) {
            return null;
        }
    }

    private static int rcode(ServeProcess serve, String name) {
        Message m = query(serve, name);
        return m == null ? -1 : m.getRcode();
    }

    private static String address(ServeProcess serve, String name) {
        Message m = query(serve, name);
        if (m == null) {
            return null;
        }
        return m.getSection(Section.ANSWER).stream().filter(r -> r instanceof ARecord)
                .map(r -> ((ARecord) r).getAddress().getHostAddress()).findFirst().orElse(null);
    }

    /**
     * A TCP proxy in front of the API server that makes it slow: it forwards nothing until
     * {@link #releaseLists()}, and from then on holds any connection at its first watch request
     * (the request is never passed on, so the watch neither opens nor fails).
     */
    private static final class HoldingProxy implements AutoCloseable {
        private final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final int target;
        private final CountDownLatch released = new CountDownLatch(1);
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        HoldingProxy(int target) throws IOException {
            this.target = target;
            Thread accept = new Thread(this::acceptLoop, "holding-proxy");
            accept.setDaemon(true);
            accept.start();
        }

        int port() {
            return listener.getLocalPort();
        }

        void releaseLists() {
            released.countDown();
        }

        private void acceptLoop() {
            while (!listener.isClosed()) {
                try {
                    Socket client = listener.accept();
                    Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
                    sockets.add(client);
                    sockets.add(server);
                    daemon(() -> copy(server.getInputStream(), client.getOutputStream(), false));
                    daemon(() -> copy(client.getInputStream(), server.getOutputStream(), true));
                } catch (IOException e) {
                    return; // closed
                }
            }
        }

        private void copy(InputStream in, OutputStream out, boolean towardsServer) {
            byte[] buf = new byte[8192];
            StringBuilder recent = new StringBuilder();
            try {
                if (towardsServer) {
                    released.await();
                }
                boolean holding = false;
                for (int n; (n = in.read(buf)) >= 0; ) {
                    if (towardsServer && !holding) {
                        recent.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                        holding = recent.indexOf("watch=true") >= 0;
                        if (recent.length() > 64) {
                            recent.delete(0, recent.length() - 64);
                        }
                    }
                    if (!holding) {
                        out.write(buf, 0, n);
                        out.flush();
                    }
                }
            } catch (IOException | InterruptedException e) {
                // a side closed
            }
        }

        private static void daemon(ThrowingRunnable r) {
            Thread t = new Thread(() -> {
                try {
                    r.run();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, "holding-proxy-copy");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() throws IOException {
            listener.close();
            for (Socket s : sockets) {
                s.close();
            }
        }

        private interface ThrowingRunnable {
            void run() throws IOException;
        }
    }
}
