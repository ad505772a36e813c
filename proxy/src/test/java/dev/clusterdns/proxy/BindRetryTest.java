package dev.clusterdns.proxy;

import static dev.clusterdns.proxy.Fixtures.port;
import static dev.clusterdns.proxy.Fixtures.ready;
import static dev.clusterdns.proxy.Fixtures.slice;
import static dev.clusterdns.proxy.Fixtures.svc;
import static dev.clusterdns.proxy.Fixtures.udpPort;
import static dev.clusterdns.proxy.ProxyHarness.whoAnswers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.model.Service;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 item 5: a Service socket whose port another process holds is reported (not only logged),
 * the rest serves, and the bind is retried until the port frees. Real sockets on loopback.
 */
class BindRetryTest {
    private ProxyHarness h;

    @BeforeEach
    void start() throws Exception {
        h = new ProxyHarness();
    }

    @AfterEach
    void stop() {
        h.close();
    }

    private static void await(String what, BooleanSupplier condition) {
        // Generous: the first retry is due after one second; a loaded machine may be slow.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            ProxyHarness.sleep(20);
        }
    }

    @Test
    void aNodePortHeldByAnotherProcessIsReportedAndBoundOnceItFrees() throws Exception {
        try (TcpBackend pod = new TcpBackend("pod", "127.0.0.41")) {
            TcpBackend squatter = new TcpBackend("squatter", "127.0.0.1");
            int nodePort = squatter.port();
            Service s = svc("default", "web").type("NodePort").clusterIP("127.96.0.41")
                    .port("http", "TCP", 80, pod.port(), nodePort).build();
            h.apply(List.of(s), List.of(slice("default", "web", List.of(ready("127.0.0.41")),
                    List.of(port("http", pod.port())))));

            List<BindFailure> failures = h.proxy.bindFailures();
            assertEquals(1, failures.size(), failures.toString());
            BindFailure f = failures.get(0);
            assertEquals("TCP 127.0.0.1:" + nodePort, f.key().toString());
            assertTrue(f.reason().contains("in use"), f.reason());
            assertTrue(f.servicePort().contains("default/web"), f.servicePort());
            assertTrue(f.nextAttempt().isAfter(f.since()), f.toString());
            // The other process still answers there; the ClusterIP of the same Service serves.
            assertEquals("squatter", whoAnswers("127.0.0.1", nodePort));
            assertEquals("pod", whoAnswers("127.96.0.41", 80));

            squatter.close();
            await("the NodePort is bound", () -> h.proxy.bindFailures().isEmpty());
            assertEquals("pod", whoAnswers("127.0.0.1", nodePort));
            assertTrue(h.proxy.listening().stream().anyMatch(k -> k.port() == nodePort));
        }
    }

    @Test
    void aUdpPortHeldByAnotherProcessIsRetriedToo() throws Exception {
        try (UdpBackend pod = new UdpBackend("pod", "127.0.0.42", 0);
                DatagramSocket squatter = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            int nodePort = squatter.getLocalPort();
            Service s = svc("default", "dns").type("NodePort").clusterIP("127.96.0.42")
                    .port("dns", "UDP", 53, pod.port(), nodePort).build();
            h.apply(List.of(s), List.of(slice("default", "dns", List.of(ready("127.0.0.42")),
                    List.of(udpPort("dns", pod.port())))));
            assertEquals(1, h.proxy.bindFailures().size(), h.proxy.bindFailures().toString());
            assertEquals("UDP 127.0.0.1:" + nodePort, h.proxy.bindFailures().get(0).key().toString());
            squatter.close();
            await("the UDP NodePort is bound", () -> h.proxy.bindFailures().isEmpty());
            try (DatagramSocket client = new DatagramSocket()) {
                client.setSoTimeout(5_000);
                byte[] ping = "ping".getBytes(StandardCharsets.UTF_8);
                client.send(new DatagramPacket(ping, ping.length, InetAddress.getByName("127.0.0.1"), nodePort));
                DatagramPacket reply = new DatagramPacket(new byte[512], 512);
                client.receive(reply);
                assertTrue(new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8).contains("pod"));
            }
        }
    }

    @Test
    void aFailureTheSnapshotNoLongerNeedsIsForgotten() throws Exception {
        try (TcpBackend pod = new TcpBackend("pod", "127.0.0.43");
                TcpBackend squatter = new TcpBackend("squatter", "127.0.0.1")) {
            Service s = svc("default", "web").type("NodePort").clusterIP("127.96.0.43")
                    .port("http", "TCP", 80, pod.port(), squatter.port()).build();
            List<dev.clusterdns.agent.model.EndpointSlice> slices = List.of(slice("default", "web",
                    List.of(ready("127.0.0.43")), List.of(port("http", pod.port()))));
            h.apply(List.of(s), slices);
            assertEquals(1, h.proxy.bindFailures().size());
            Service clusterIpOnly = svc("default", "web").clusterIP("127.96.0.43").port("http", "TCP", 80, pod.port(), null).build();
            h.apply(List.of(clusterIpOnly), slices);
            assertEquals(List.of(), h.proxy.bindFailures());
            assertEquals("pod", whoAnswers("127.96.0.43", 80));
        }
    }

    @Test
    void retriesBackOffExponentiallyUpToTheCap() {
        assertEquals(Duration.ofSeconds(1), ServiceProxy.backoff(1));
        assertEquals(Duration.ofSeconds(2), ServiceProxy.backoff(2));
        assertEquals(Duration.ofSeconds(16), ServiceProxy.backoff(5));
        assertEquals(ServiceProxy.RETRY_MAX, ServiceProxy.backoff(6));
        assertEquals(ServiceProxy.RETRY_MAX, ServiceProxy.backoff(1000));
    }
}
