package dev.clusterdns.proxy;

import static dev.clusterdns.proxy.Fixtures.endpoint;
import static dev.clusterdns.proxy.Fixtures.port;
import static dev.clusterdns.proxy.Fixtures.ready;
import static dev.clusterdns.proxy.Fixtures.slice;
import static dev.clusterdns.proxy.Fixtures.svc;
import static dev.clusterdns.proxy.ProxyHarness.connect;
import static dev.clusterdns.proxy.ProxyHarness.readLine;
import static dev.clusterdns.proxy.ProxyHarness.whoAnswers;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.model.Service;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** TCP through a running proxy to real socket backends on loopback addresses. */
class TcpProxyTest {
    private ProxyHarness h;
    private final List<TcpBackend> backends = new java.util.ArrayList<>();

    /** The proxy settings every test starts from: NIO here, EpollTcpProxyTest runs them all on epoll. */
    ProxyConfig baseConfig() throws IOException {
        return ProxyConfig.defaults("node-a").withNodeAddresses(List.of(java.net.InetAddress.getLoopbackAddress()))
                .withNativeTransport(false);
    }

    @BeforeEach
    void start() throws IOException {
        h = new ProxyHarness(baseConfig());
    }

    @AfterEach
    void stop() throws IOException {
        h.close();
        for (TcpBackend b : backends) {
            b.close();
        }
    }

    private TcpBackend backend(String name, String ip) {
        TcpBackend b = new TcpBackend(name, ip);
        backends.add(b);
        return b;
    }

    /** Backends on one port, as pods of one Deployment would be (one ServerSocket each, distinct IPs). */
    private List<TcpBackend> pods(String... ips) throws IOException {
        int port = freePort(ips);
        List<TcpBackend> out = new java.util.ArrayList<>();
        for (int i = 0; i < ips.length; i++) {
            TcpBackend b = new TcpBackend("pod" + i, ips[i], port);
            backends.add(b);
            out.add(b);
        }
        return out;
    }

    private static int freePort(String... ips) throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            int candidate;
            try (ServerSocket s = new ServerSocket(0)) {
                candidate = s.getLocalPort();
            }
            boolean ok = true;
            for (String ip : ips) {
                try (ServerSocket s = new ServerSocket(candidate, 1, java.net.InetAddress.getByName(ip))) {
                    // free
                } catch (IOException busy) {
                    ok = false;
                }
            }
            if (ok) {
                return candidate;
            }
        }
        throw new IOException("no common free port");
    }

    @Test
    void roundRobinSpreadsConnectionsEvenlyOverReadyEndpoints() throws IOException {
        List<TcpBackend> pods = pods("127.0.0.21", "127.0.0.22", "127.0.0.23");
        Service s = svc("default", "web").clusterIP("127.96.0.10").tcp("http", 8080).build();
        h.apply(List.of(s), List.of(slice("default", "web",
                pods.stream().map(b -> ready(b.ip())).toList(), List.of(port("http", pods.get(0).port())))));

        Map<String, Integer> counts = new HashMap<>();
        List<String> order = new java.util.ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String who = whoAnswers("127.96.0.10", 8080);
            counts.merge(who, 1, Integer::sum);
            order.add(who);
        }
        assertEquals(Map.of("pod0", 10, "pod1", 10, "pod2", 10), counts);
        // Round robin: the shuffled order repeats with period 3.
        for (int i = 3; i < 30; i++) {
            assertEquals(order.get(i - 3), order.get(i), "pick " + i + " in " + order);
        }
    }

    @Test
    void notReadyEndpointsAreSkippedAndTerminatingOnesServeOnlyWhenNoneIsReady() throws IOException {
        List<TcpBackend> pods = pods("127.0.0.24", "127.0.0.25", "127.0.0.26");
        int p = pods.get(0).port();
        Service s = svc("default", "ready").clusterIP("127.96.0.11").tcp("", 80).build();
        h.apply(List.of(s), List.of(slice("default", "ready", List.of(
                ready("127.0.0.24"),
                endpoint("127.0.0.25", false, false, false, null),
                endpoint("127.0.0.26", false, true, true, null)), List.of(port(null, p)))));
        for (int i = 0; i < 6; i++) {
            assertEquals("pod0", whoAnswers("127.96.0.11", 80));
        }
        // The only ready endpoint goes: the serving-but-terminating one takes over, never the not-ready one.
        h.apply(List.of(s), List.of(slice("default", "ready", List.of(
                endpoint("127.0.0.24", false, false, true, null),
                endpoint("127.0.0.25", false, false, false, null),
                endpoint("127.0.0.26", false, true, true, null)), List.of(port(null, p)))));
        for (int i = 0; i < 6; i++) {
            assertEquals("pod2", whoAnswers("127.96.0.11", 80));
        }
        assertEquals(0, pods.get(1).accepted());
    }

    @Test
    void clientIpAffinityPinsEachClientAddress() throws IOException {
        List<TcpBackend> pods = pods("127.0.0.27", "127.0.0.28");
        Service s = svc("default", "sticky").clusterIP("127.96.0.12").tcp("http", 80).affinity(3600).build();
        h.apply(List.of(s), List.of(slice("default", "sticky",
                List.of(ready("127.0.0.27"), ready("127.0.0.28")), List.of(port("http", pods.get(0).port())))));

        String first = whoAnswers("127.0.0.2", "127.96.0.12", 80);
        for (int i = 0; i < 10; i++) {
            assertEquals(first, whoAnswers("127.0.0.2", "127.96.0.12", 80), "connection " + i);
        }
        // Another client gets the next endpoint in the rotation, and is pinned there.
        String second = whoAnswers("127.0.0.3", "127.96.0.12", 80);
        assertTrue(!second.equals(first), "second client went to " + second);
        for (int i = 0; i < 5; i++) {
            assertEquals(second, whoAnswers("127.0.0.3", "127.96.0.12", 80));
            assertEquals(first, whoAnswers("127.0.0.2", "127.96.0.12", 80));
        }
        // The pinned endpoint goes away: the client is re-pinned to a live one.
        String survivorIp = first.equals("pod0") ? "127.0.0.28" : "127.0.0.27";
        h.apply(List.of(s), List.of(slice("default", "sticky", List.of(ready(survivorIp)),
                List.of(port("http", pods.get(0).port())))));
        assertEquals(second, whoAnswers("127.0.0.2", "127.96.0.12", 80));
    }

    @Test
    void zeroEndpointsRefuseAtOnceAndEndpointsBringTheAddressBack() throws IOException {
        TcpBackend pod = backend("pod0", "127.0.0.29");
        Service s = svc("default", "empty").clusterIP("127.96.0.13").tcp("http", 80).build();
        h.apply(List.of(s), List.of());
        assertThrows(ConnectException.class, () -> connect(null, "127.96.0.13", 80));

        h.apply(List.of(s), List.of(slice("default", "empty", List.of(ready(pod.ip())), List.of(port("http", pod.port())))));
        assertEquals("pod0", whoAnswers("127.96.0.13", 80));

        // All endpoints not ready: refused again (ECONNREFUSED, not a hang or an accept-then-close).
        h.apply(List.of(s), List.of(slice("default", "empty",
                List.of(endpoint(pod.ip(), false, false, false, null)), List.of(port("http", pod.port())))));
        assertThrows(ConnectException.class, () -> connect(null, "127.96.0.13", 80));
    }

    @Test
    void removingAnEndpointKeepsEstablishedConnectionsAndSendsNewOnesElsewhere() throws Exception {
        List<TcpBackend> pods = pods("127.0.0.30", "127.0.0.31");
        int p = pods.get(0).port();
        Service s = svc("default", "rolling").clusterIP("127.96.0.14").tcp("http", 80).build();
        h.apply(List.of(s), List.of(slice("default", "rolling",
                List.of(ready("127.0.0.30"), ready("127.0.0.31")), List.of(port("http", p)))));

        // Open one connection to each pod and keep them busy.
        Socket a = connect(null, "127.96.0.14", 80);
        Socket b = connect(null, "127.96.0.14", 80);
        String nameA = readLine(a);
        String nameB = readLine(b);
        assertEquals(Set.of("pod0", "pod1"), Set.of(nameA, nameB));
        Socket toPod0 = nameA.equals("pod0") ? a : b;
        Socket toPod1 = toPod0 == a ? b : a;
        echo(toPod0, "before");

        h.apply(List.of(s), List.of(slice("default", "rolling", List.of(ready("127.0.0.31")), List.of(port("http", p)))));

        // The established connection to the removed endpoint still relays both ways.
        echo(toPod0, "after removal");
        echo(toPod1, "other");
        for (int i = 0; i < 5; i++) {
            assertEquals("pod1", whoAnswers("127.96.0.14", 80));
        }
        toPod0.close();
        toPod1.close();
    }

    private static void echo(Socket s, String text) throws IOException {
        s.getOutputStream().write((text + "\n").getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        assertEquals(text, readLine(s));
    }

    @Test
    void aFailedConnectMovesOnToTheNextEndpoint() throws IOException {
        TcpBackend live = backend("live", "127.0.0.32");
        // 127.0.0.33 has nothing listening on that port: the connect is refused.
        Service s = svc("default", "flaky").clusterIP("127.96.0.15").tcp("http", 80).build();
        h.apply(List.of(s), List.of(slice("default", "flaky",
                List.of(ready("127.0.0.33"), ready(live.ip())), List.of(port("http", live.port())))));
        // Many times over: every other connection's refused attempt is a socket closed while the
        // loop still holds events for others, which is when a reused descriptor number showed
        // (on the IoHandle path a stale EPOLLERR|EPOLLHUP once failed the live endpoint's connect).
        for (int i = 0; i < 300; i++) {
            assertEquals("live", whoAnswers("127.96.0.15", 80), "connection " + i);
        }
    }

    /**
     * An endpoint that never answers the SYN (its accept queue is full, so the kernel drops it): the
     * attempt's connect timeout (250 ms for the first) ends it and the next endpoint answers.
     */
    @Test
    void aConnectThatGetsNoAnswerTimesOutAndMovesOnToTheNextEndpoint() throws Exception {
        int port = freePort("127.0.0.70", "127.0.0.71");
        TcpBackend live = new TcpBackend("live", "127.0.0.71", port);
        backends.add(live);
        List<Socket> queued = new java.util.ArrayList<>();
        try (ServerSocket silent = new ServerSocket(port, 1, java.net.InetAddress.getByName("127.0.0.70"))) {
            // Never accepted: once the queue is full, further SYNs get no answer at all.
            boolean full = false;
            for (int i = 0; i < 16 && !full; i++) {
                Socket q = new Socket();
                queued.add(q);
                try {
                    q.connect(silent.getLocalSocketAddress(), 300);
                } catch (java.net.SocketTimeoutException e) {
                    full = true;
                }
            }
            assertTrue(full, "the silent endpoint's accept queue never filled");
            Service s = svc("default", "silent").clusterIP("127.96.0.40").tcp("http", 80).build();
            h.apply(List.of(s), List.of(slice("default", "silent",
                    List.of(ready("127.0.0.70"), ready("127.0.0.71")), List.of(port("http", port)))));
            for (int i = 0; i < 4; i++) {
                assertEquals("live", whoAnswers("127.96.0.40", 80));
            }
            // Round robin over the two: at least three of the four went to the silent one first.
            double failures = connectFailures("silent");
            assertTrue(failures >= 3, failures + " connect failures counted");
        } finally {
            for (Socket q : queued) {
                q.close();
            }
        }
    }

    private double connectFailures(String service) {
        double sum = 0;
        for (var snapshot : h.registry.scrape()) {
            if (snapshot instanceof io.prometheus.metrics.model.snapshots.CounterSnapshot c
                    && c.getMetadata().getName().equals("clusterdns_proxy_endpoint_connect_failures")) {
                for (var d : c.getDataPoints()) {
                    if (service.equals(d.getLabels().get("service"))) {
                        sum += d.getValue();
                    }
                }
            }
        }
        return sum;
    }

    /**
     * The client sends 256 KB and its FIN at once, while its endpoint is still being connected: the
     * first connect of each of two connections goes to an endpoint that never answers the SYN
     * (round robin over two), so the bytes wait (at most 64 KB held by the proxy, the rest in the
     * kernel) through a timed-out attempt and reach the next endpoint intact, in order, FIN last.
     */
    @Test
    void bytesSentWhileConnectingSurviveAFailedAttemptAndArriveWithTheFinLast() throws Exception {
        int port = freePort("127.0.0.72", "127.0.0.73");
        TcpBackend live = new TcpBackend("live", "127.0.0.73", port);
        backends.add(live);
        List<Socket> queued = new java.util.ArrayList<>();
        try (ServerSocket silent = new ServerSocket(port, 1, java.net.InetAddress.getByName("127.0.0.72"))) {
            fillAcceptQueue(silent, queued);
            Service s = svc("default", "early").clusterIP("127.96.0.41").tcp("http", 80).build();
            h.apply(List.of(s), List.of(slice("default", "early",
                    List.of(ready("127.0.0.72"), ready("127.0.0.73")), List.of(port("http", port)))));
            byte[] data = new byte[256 << 10];
            new Random(13).nextBytes(data);
            for (int i = 0; i < 2; i++) {
                try (Socket c = connect(null, "127.96.0.41", 80)) {
                    CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                        try {
                            c.getOutputStream().write(data);
                            c.shutdownOutput();
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
                    byte[] received = c.getInputStream().readAllBytes();
                    writer.get(60, TimeUnit.SECONDS);
                    java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
                    expected.write("live\n".getBytes(StandardCharsets.US_ASCII));
                    expected.write(data);
                    expected.write("bye\n".getBytes(StandardCharsets.US_ASCII));
                    assertEquals(expected.size(), received.length);
                    assertArrayEquals(expected.toByteArray(), received);
                }
            }
            assertTrue(connectFailures("early") >= 1, "no connect went to the silent endpoint");
        } finally {
            for (Socket q : queued) {
                q.close();
            }
        }
    }

    /** Connects to {@code silent} (backlog 1, never accepted) until further SYNs get no answer. */
    private static void fillAcceptQueue(ServerSocket silent, List<Socket> queued) throws IOException {
        for (int i = 0; i < 16; i++) {
            Socket q = new Socket();
            queued.add(q);
            try {
                q.connect(silent.getLocalSocketAddress(), 300);
            } catch (java.net.SocketTimeoutException e) {
                return;
            }
        }
        throw new AssertionError("the silent endpoint's accept queue never filled");
    }

    /** The endpoint resets an established connection: the client gets a reset, not a FIN. */
    @Test
    void anEndpointsResetIsPassedOnAsAReset() throws Exception {
        try (ServerSocket pod = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.49"))) {
            Service s = svc("default", "endreset").clusterIP("127.96.0.42").tcp("http", 80).build();
            h.apply(List.of(s), List.of(slice("default", "endreset", List.of(ready("127.0.0.49")),
                    List.of(port("http", pod.getLocalPort())))));
            try (Socket c = connect(null, "127.96.0.42", 80); Socket served = pod.accept()) {
                served.setSoTimeout(10_000);
                c.getOutputStream().write("request\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals("request", readLine(served));
                served.setSoLinger(true, 0);
                served.close();
                SocketException e = assertThrows(SocketException.class, () -> c.getInputStream().read());
                assertTrue(String.valueOf(e.getMessage()).contains("reset"), e.toString());
            }
        }
    }

    /** Connections, bytes each way, and the active gauge back at zero once the connection has ended. */
    @Test
    void metricsCountTheConnectionAndItsBytesBothWays() throws Exception {
        TcpBackend pod = backend("pod0", "127.0.0.50");
        Service s = svc("default", "counted").clusterIP("127.96.0.43").tcp("http", 80).build();
        h.apply(List.of(s), List.of(slice("default", "counted", List.of(ready(pod.ip())),
                List.of(port("http", pod.port())))));
        try (Socket c = connect(null, "127.96.0.43", 80)) {
            c.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
            c.shutdownOutput();
            assertEquals("pod0\nhello\nbye\n", new String(c.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (metric("clusterdns_proxy_connections_active", "counted", null) != 0 && System.nanoTime() < deadline) {
            ProxyHarness.sleep(10);
        }
        assertEquals(0, metric("clusterdns_proxy_connections_active", "counted", null));
        assertEquals(1, metric("clusterdns_proxy_connections", "counted", null));
        assertEquals(6, metric("clusterdns_proxy_bytes", "counted", "in"));
        assertEquals(15, metric("clusterdns_proxy_bytes", "counted", "out"));
    }

    /** The value of {@code name} for {@code service} (and {@code direction}, when given). */
    private double metric(String name, String service, String direction) {
        double sum = 0;
        for (var snapshot : h.registry.scrape()) {
            if (!snapshot.getMetadata().getName().equals(name)) {
                continue;
            }
            for (var d : snapshot.getDataPoints()) {
                var labels = d.getLabels();
                if (service.equals(labels.get("service")) && (direction == null || direction.equals(labels.get("direction")))) {
                    sum += d instanceof io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot cd
                            ? cd.getValue()
                            : ((io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot) d).getValue();
                }
            }
        }
        return sum;
    }

    @Test
    void allEndpointsFailingResetsTheClient() throws IOException {
        int deadPort;
        try (ServerSocket tmp = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.34"))) {
            deadPort = tmp.getLocalPort();
        }
        Service s = svc("default", "dead").clusterIP("127.96.0.16").tcp("http", 80).build();
        h.apply(List.of(s), List.of(slice("default", "dead", List.of(ready("127.0.0.34")), List.of(port("http", deadPort)))));
        assertReset(null, "127.96.0.16", 80);
    }

    @Test
    void halfCloseIsPassedOnAndTheReplyStillArrives() throws IOException {
        TcpBackend pod = backend("pod0", "127.0.0.35");
        Service s = svc("default", "half").clusterIP("127.96.0.17").tcp("http", 80).build();
        h.apply(List.of(s), List.of(slice("default", "half", List.of(ready(pod.ip())), List.of(port("http", pod.port())))));
        try (Socket c = connect(null, "127.96.0.17", 80)) {
            c.getOutputStream().write("request\n".getBytes(StandardCharsets.US_ASCII));
            c.shutdownOutput();
            String all = new String(c.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            // The backend saw our FIN (it only says bye after EOF) and its reply came through.
            assertEquals("pod0\nrequest\nbye\n", all);
        }
    }

    /**
     * The client half-closes first, then gets a reply far larger than its receive window: every
     * write to it after its FIN has to wait for it to read (on Netty 4.2.18's epoll, a socket whose
     * interest set went empty left the epoll set, and the first such wait failed and cut the reply
     * short: the {@code IoHandle} path keeps EPOLLERR in every interest set).
     */
    @Test
    void halfClosedClientReceivesALongReplyThatMustWaitForIt() throws Exception {
        byte[] reply = new byte[16 << 20];
        new Random(11).nextBytes(reply);
        try (ServerSocket pod = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.47"))) {
            CompletableFuture<Integer> served = CompletableFuture.supplyAsync(() -> {
                try (Socket s = pod.accept()) {
                    // Nothing is sent before the client's FIN, so every byte of the reply is written
                    // to a client whose input the proxy has already seen end.
                    int got = s.getInputStream().readAllBytes().length;
                    s.getOutputStream().write(reply);
                    return got;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Service s = svc("default", "longreply").clusterIP("127.96.0.27").tcp("http", 80).build();
            h.apply(List.of(s), List.of(slice("default", "longreply", List.of(ready("127.0.0.47")),
                    List.of(port("http", pod.getLocalPort())))));
            try (Socket c = new Socket()) {
                // A small window, so the proxy's writes to us block again and again.
                c.setReceiveBufferSize(4096);
                c.connect(new java.net.InetSocketAddress("127.96.0.27", 80));
                c.getOutputStream().write("request\n".getBytes(StandardCharsets.US_ASCII));
                c.shutdownOutput();
                byte[] received = c.getInputStream().readAllBytes();
                assertEquals(8, served.get(60, TimeUnit.SECONDS));
                assertEquals(reply.length, received.length);
                assertArrayEquals(reply, received);
            }
        }
    }

    /**
     * The endpoint's FIN and the client's reset reach the proxy in the same turn of its event loop
     * (the loops are held while both happen): the FIN is passed on to a socket that is already
     * reset, and the endpoint gets the client's reset. (On epoll the failed FIN used to escape as an
     * exception Netty logged with its stack trace.)
     */
    @Test
    void clientResetMeetingTheEndpointsFinResetsTheEndpoint() throws Exception {
        try (ServerSocket pod = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.48"))) {
            Service s = svc("default", "resetfin").clusterIP("127.96.0.30").tcp("http", 80).build();
            h.apply(List.of(s), List.of(slice("default", "resetfin", List.of(ready("127.0.0.48")),
                    List.of(port("http", pod.getLocalPort())))));
            Socket c = connect(null, "127.96.0.30", 80);
            try (Socket served = pod.accept()) {
                served.setSoTimeout(10_000);
                c.getOutputStream().write("request\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals("request", readLine(served));
                try (LoopsHeld held = holdLoops()) {
                    served.shutdownOutput();
                    c.setSoLinger(true, 0);
                    c.close();
                }
                SocketException e = assertThrows(SocketException.class, () -> served.getInputStream().read());
                assertTrue(String.valueOf(e.getMessage()).contains("reset"), e.toString());
            }
        }
    }

    /**
     * Both sides send their last bytes and FIN while the proxy's loops are held, so both FINs are
     * read in the same turn of the event loop (on epoll, each side then just closes): every byte
     * arrives, and each side sees an orderly end of stream, not a reset.
     */
    @Test
    void bothFinsInOneTurnEndBothSidesAfterTheirBytes() throws Exception {
        try (ServerSocket pod = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.51"))) {
            Service s = svc("default", "twofins").clusterIP("127.96.0.44").tcp("http", 80).build();
            h.apply(List.of(s), List.of(slice("default", "twofins", List.of(ready("127.0.0.51")),
                    List.of(port("http", pod.getLocalPort())))));
            try (Socket c = connect(null, "127.96.0.44", 80); Socket served = pod.accept()) {
                served.setSoTimeout(10_000);
                c.getOutputStream().write("request\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals("request", readLine(served));
                try (LoopsHeld held = holdLoops()) {
                    served.getOutputStream().write("reply\n".getBytes(StandardCharsets.US_ASCII));
                    served.shutdownOutput();
                    c.getOutputStream().write("last\n".getBytes(StandardCharsets.US_ASCII));
                    c.shutdownOutput();
                }
                assertEquals("reply\n", new String(c.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
                assertEquals("last\n", new String(served.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
            }
        }
    }

    /** Released by {@link #close}. */
    interface LoopsHeld extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Keeps every event loop of the proxy busy until the handle is closed, so whatever the sockets
     * do meanwhile is read by the proxy in one turn of its loop.
     */
    private LoopsHeld holdLoops() throws InterruptedException {
        List<io.netty.channel.EventLoop> loops = h.proxy.transport().loops();
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(loops.size());
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        for (io.netty.channel.EventLoop loop : loops) {
            loop.execute(() -> {
                held.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        if (!held.await(10, TimeUnit.SECONDS)) {
            release.countDown();
            throw new AssertionError("the proxy's event loops were not all held within 10 s");
        }
        return release::countDown;
    }

    @Test
    void bulkTransferBothWaysArrivesIntact() throws Exception {
        TcpBackend pod = backend("pod0", "127.0.0.36");
        Service s = svc("default", "bulk").clusterIP("127.96.0.18").tcp("http", 80).build();
        h.apply(List.of(s), List.of(slice("default", "bulk", List.of(ready(pod.ip())), List.of(port("http", pod.port())))));
        byte[] data = new byte[24 << 20];
        new Random(7).nextBytes(data);
        try (Socket c = connect(null, "127.96.0.18", 80)) {
            assertEquals("pod0", readLine(c));
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = c.getOutputStream();
                    for (int off = 0; off < data.length; off += 65536) {
                        out.write(data, off, Math.min(65536, data.length - off));
                    }
                    c.shutdownOutput();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            InputStream in = c.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream(data.length + 8);
            byte[] buf = new byte[65536];
            int n;
            // Read slowly at first so the proxy must hold the sender back rather than buffer.
            for (int i = 0; i < 20 && (n = in.read(buf, 0, 1024)) > 0; i++) {
                got.write(buf, 0, n);
                Thread.sleep(5);
            }
            while ((n = in.read(buf)) > 0) {
                got.write(buf, 0, n);
            }
            writer.get(60, TimeUnit.SECONDS);
            byte[] received = got.toByteArray();
            byte[] expected = new byte[data.length + 4];
            System.arraycopy(data, 0, expected, 0, data.length);
            System.arraycopy("bye\n".getBytes(StandardCharsets.US_ASCII), 0, expected, data.length, 4);
            assertEquals(expected.length, received.length);
            assertArrayEquals(expected, received);
        }
    }

    @Test
    void namedTargetPortsFollowTheSlicePortOfTheSameName() throws IOException {
        TcpBackend web = backend("web", "127.0.0.37");
        TcpBackend admin = backend("admin", "127.0.0.37");
        Service s = svc("default", "multi").clusterIP("127.96.0.19")
                .port("http", "TCP", 80, "web-port", null)
                .port("admin", "TCP", 9000, "admin-port", null).build();
        h.apply(List.of(s), List.of(slice("default", "multi", List.of(ready("127.0.0.37")),
                List.of(port("admin", admin.port()), port("http", web.port())))));
        assertEquals("web", whoAnswers("127.96.0.19", 80));
        assertEquals("admin", whoAnswers("127.96.0.19", 9000));
    }

    @Test
    void nodePortListensOnTheNodeAddress() throws IOException {
        TcpBackend pod = backend("pod0", "127.0.0.38");
        int nodePort = freePort("127.0.0.1");
        Service s = svc("default", "np").type("NodePort").clusterIP("127.96.0.20")
                .port("http", "TCP", 80, 8080, nodePort).build();
        h.apply(List.of(s), List.of(slice("default", "np", List.of(ready(pod.ip())), List.of(port("http", pod.port())))));
        assertEquals("pod0", whoAnswers("127.0.0.1", nodePort));
        assertEquals("pod0", whoAnswers("127.96.0.20", 80));
        // --node-address 127.0.0.1 keeps the NodePort off other addresses.
        assertThrows(ConnectException.class, () -> connect(null, "127.0.0.2", nodePort));
    }

    @Test
    void loadBalancerSourceRangesAdmitOnlyListedClients() throws IOException {
        TcpBackend pod = backend("pod0", "127.0.0.39");
        Service s = svc("default", "lb").clusterIP("127.96.0.21").tcp("http", 80)
                .loadBalancer("127.200.0.5", "127.0.0.2/32").build();
        h.apply(List.of(s), List.of(slice("default", "lb", List.of(ready(pod.ip())), List.of(port("http", pod.port())))));
        assertEquals("pod0", whoAnswers("127.0.0.2", "127.200.0.5", 80));
        assertReset("127.0.0.3", "127.200.0.5", 80);
        // The ClusterIP is not subject to the ranges.
        assertEquals("pod0", whoAnswers("127.0.0.3", "127.96.0.21", 80));
        assertEquals(2, pod.accepted(), "the refused client never reached the endpoint");
    }

    @Test
    void localTrafficPoliciesUseOnlyThisNodesEndpoints() throws IOException {
        List<TcpBackend> pods = pods("127.0.0.40", "127.0.0.41");
        Service s = svc("default", "local").clusterIP("127.96.0.22").tcp("http", 80).internalLocal()
                .externalIPs("127.0.0.42").externalLocal().build();
        h.apply(List.of(s), List.of(slice("default", "local", List.of(
                endpoint("127.0.0.40", true, true, false, "node-b"),
                endpoint("127.0.0.41", true, true, false, "node-a")), List.of(port("http", pods.get(0).port())))));
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            seen.add(whoAnswers("127.96.0.22", 80));
            seen.add(whoAnswers("127.0.0.42", 80));
        }
        assertEquals(Set.of("pod1"), seen);
    }

    @Test
    void removedServiceUnbindsButConnectionsSurvive() throws IOException {
        TcpBackend pod = backend("pod0", "127.0.0.43");
        Service s = svc("default", "gone").clusterIP("127.96.0.23").tcp("http", 80).build();
        h.apply(List.of(s), List.of(slice("default", "gone", List.of(ready(pod.ip())), List.of(port("http", pod.port())))));
        try (Socket c = connect(null, "127.96.0.23", 80)) {
            assertEquals("pod0", readLine(c));
            h.apply(List.of(), List.of());
            assertThrows(ConnectException.class, () -> connect(null, "127.96.0.23", 80));
            echo(c, "still here");
        }
        assertTrue(h.proxy.listening().isEmpty());
    }

    @Test
    void anUnbindableAddressIsReportedAndTheRestServe() throws IOException {
        TcpBackend pod = backend("pod0", "127.0.0.44");
        // 192.0.2.1 (TEST-NET-1) is not an address of this host: userspace mode cannot bind it.
        Service s = svc("default", "ext").clusterIP("127.96.0.24").tcp("http", 80).externalIPs("192.0.2.1").build();
        h.apply(List.of(s), List.of(slice("default", "ext", List.of(ready(pod.ip())), List.of(port("http", pod.port())))));
        assertEquals("pod0", whoAnswers("127.96.0.24", 80));
        assertEquals(Set.of("TCP 127.96.0.24:80"),
                h.proxy.listening().stream().map(Object::toString).collect(java.util.stream.Collectors.toSet()));
    }

    @Test
    void backpressureHoldsASenderWhoseRepliesAreNotRead() throws Exception {
        TcpBackend pod = backend("pod0", "127.0.0.45");
        Service s = svc("default", "slow").clusterIP("127.96.0.25").tcp("http", 80).build();
        h.apply(List.of(s), List.of(slice("default", "slow", List.of(ready(pod.ip())), List.of(port("http", pod.port())))));
        long limit = 512L << 20;
        java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
        try (Socket c = connect(null, "127.96.0.25", 80)) {
            Thread writer = new Thread(() -> {
                byte[] chunk = new byte[65536];
                try {
                    OutputStream out = c.getOutputStream();
                    while (written.get() < limit) {
                        out.write(chunk);
                        written.addAndGet(chunk.length);
                    }
                } catch (IOException e) {
                    // closed at the end of the test
                }
            });
            writer.setDaemon(true);
            writer.start();
            // The echo comes back through the proxy and nobody reads it: every socket buffer on the way
            // fills, and the writer must stall instead of the proxy buffering without bound.
            long last = -1;
            while (written.get() != last && written.get() < limit) {
                last = written.get();
                Thread.sleep(1_000);
            }
            assertTrue(written.get() < limit / 4, "the writer was never held back: " + written.get() + " bytes accepted");
        }
    }

    @Test
    void idleConnectionsAreClosedAfterTheIdleTimeout() throws Exception {
        h.close();
        h = new ProxyHarness(baseConfig().withTimeouts(java.time.Duration.ofMillis(300),
                java.time.Duration.ofSeconds(30)));
        TcpBackend pod = backend("pod0", "127.0.0.46");
        Service s = svc("default", "idle").clusterIP("127.96.0.26").tcp("http", 80).build();
        h.apply(List.of(s), List.of(slice("default", "idle", List.of(ready(pod.ip())), List.of(port("http", pod.port())))));
        try (Socket c = connect(null, "127.96.0.26", 80)) {
            assertEquals("pod0", readLine(c));
            echo(c, "active");
            // Now silent both ways: the proxy ends the connection.
            assertEquals(-1, c.getInputStream().read());
        }
    }

    @Test
    void connectionsWithTrafficOutliveTheIdleTimeoutAndCloseOnceQuiet() throws Exception {
        h.close();
        h = new ProxyHarness(baseConfig().withTimeouts(java.time.Duration.ofMillis(300),
                java.time.Duration.ofSeconds(30)));
        TcpBackend pod = backend("pod0", "127.0.0.48");
        Service s = svc("default", "busy").clusterIP("127.96.0.28").tcp("http", 80).build();
        h.apply(List.of(s), List.of(slice("default", "busy", List.of(ready(pod.ip())), List.of(port("http", pod.port())))));
        try (Socket c = connect(null, "127.96.0.28", 80)) {
            assertEquals("pod0", readLine(c));
            // Bytes every 100 ms for five times the timeout: never idle, never closed.
            for (int i = 0; i < 15; i++) {
                Thread.sleep(100);
                echo(c, "tick " + i);
            }
            long quietFrom = System.nanoTime();
            assertEquals(-1, c.getInputStream().read());
            long quietMillis = (System.nanoTime() - quietFrom) / 1_000_000;
            // Closed for idleness, not before the timeout.
            assertTrue(quietMillis >= 300, "closed after " + quietMillis + " ms of quiet");
        }
    }

    /** The connection is accepted and then reset (RST), seen on connect or on the first read. */
    private static void assertReset(String clientIp, String ip, int port) {
        IOException e = assertThrows(IOException.class, () -> {
            try (Socket c = connect(clientIp, ip, port)) {
                int r = c.getInputStream().read();
                throw new AssertionError("read returned " + r + " instead of a reset");
            }
        });
        assertTrue(e instanceof SocketException && String.valueOf(e.getMessage()).contains("reset"), e.toString());
    }
}
