package dev.clusterdns.proxy;

import static dev.clusterdns.proxy.Fixtures.ready;
import static dev.clusterdns.proxy.Fixtures.slice;
import static dev.clusterdns.proxy.Fixtures.svc;
import static dev.clusterdns.proxy.Fixtures.udpPort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.model.Service;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** UDP through a running proxy to real datagram backends on loopback addresses. */
class UdpProxyTest {
    private ProxyHarness h;
    private final List<UdpBackend> backends = new java.util.ArrayList<>();

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
        backends.forEach(UdpBackend::close);
    }

    /** The proxy settings every test starts from (EpollUdpProxyTest runs them all on epoll). */
    ProxyConfig baseConfig() {
        return ProxyConfig.defaults("node-a").withNodeAddresses(List.of(InetAddress.getLoopbackAddress()))
                .withNativeTransport(false);
    }

    private void startProxy(Duration udpTimeout) throws IOException {
        h = new ProxyHarness(baseConfig().withTimeouts(Duration.ofMinutes(5), udpTimeout));
    }

    private UdpBackend backend(String name, String ip, int port) {
        UdpBackend b = new UdpBackend(name, ip, port);
        backends.add(b);
        return b;
    }

    /** Sends one datagram from {@code client} and returns the reply and where it came from. */
    private static DatagramPacket exchange(DatagramSocket client, String ip, int port, String payload) throws IOException {
        byte[] out = payload.getBytes(StandardCharsets.UTF_8);
        client.send(new DatagramPacket(out, out.length, InetAddress.getByName(ip), port));
        DatagramPacket in = new DatagramPacket(new byte[65535], 65535);
        client.receive(in);
        return in;
    }

    private static String text(DatagramPacket p) {
        return new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
    }

    private static DatagramSocket client(String ip) throws IOException {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(ip), 0));
        s.setSoTimeout(5_000);
        return s;
    }

    @Test
    void echoComesBackFromTheServiceAddressAndOneClientKeepsItsSession() throws IOException {
        startProxy(Duration.ofSeconds(30));
        UdpBackend a = backend("a", "127.0.0.51", 0);
        UdpBackend b = backend("b", "127.0.0.52", a.port());
        Service s = svc("default", "dns").clusterIP("127.96.1.10").port("dns", "UDP", 53, 5353, null).build();
        h.apply(List.of(s), List.of(slice("default", "dns", List.of(ready(a.ip()), ready(b.ip())),
                List.of(udpPort("dns", a.port())))));

        try (DatagramSocket c = client("127.0.0.1")) {
            DatagramPacket first = exchange(c, "127.96.1.10", 53, "hello");
            assertEquals(new InetSocketAddress("127.96.1.10", 53), first.getSocketAddress(), "reply source");
            String who = text(first).substring(0, 1);
            assertEquals(who + ":hello", text(first));
            for (int i = 0; i < 5; i++) {
                assertEquals(who + ":again" + i, text(exchange(c, "127.96.1.10", 53, "again" + i)), "same session");
            }
            // A big datagram survives whole.
            String big = "x".repeat(30_000);
            assertEquals(who + ":" + big, text(exchange(c, "127.96.1.10", 53, big)));
        }
        // Different client addresses are different sessions, spread round robin.
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 4; i++) {
            try (DatagramSocket c = client("127.0.0.1")) {
                counts.merge(text(exchange(c, "127.96.1.10", 53, "q")).substring(0, 1), 1, Integer::sum);
            }
        }
        assertEquals(Map.of("a", 2, "b", 2), counts);
    }

    @Test
    void idleSessionsExpireAndTheNextDatagramOpensANewOne() throws Exception {
        startProxy(Duration.ofMillis(300));
        UdpBackend a = backend("a", "127.0.0.53", 0);
        Service s = svc("default", "udp").clusterIP("127.96.1.11").port("", "UDP", 9999, 9999, null).build();
        h.apply(List.of(s), List.of(slice("default", "udp", List.of(ready(a.ip())), List.of(udpPort(null, a.port())))));
        try (DatagramSocket c = client("127.0.0.1")) {
            assertEquals("a:1", text(exchange(c, "127.96.1.11", 9999, "1")));
            assertEquals("a:2", text(exchange(c, "127.96.1.11", 9999, "2")));
            assertEquals(1, a.peers.size(), "one session, one backend socket");
            Thread.sleep(900);
            assertEquals("a:3", text(exchange(c, "127.96.1.11", 9999, "3")));
            assertEquals(2, a.peers.size(), "the idle session was closed and a new one opened");
        }
    }

    @Test
    void noEndpointsMeansNothingListensSoTheClientGetsPortUnreachable() throws IOException {
        startProxy(Duration.ofSeconds(30));
        Service s = svc("default", "none").clusterIP("127.96.1.12").port("", "UDP", 53, 53, null).build();
        h.apply(List.of(s), List.of());
        try (DatagramSocket c = client("127.0.0.1")) {
            c.connect(new InetSocketAddress("127.96.1.12", 53));
            byte[] q = {1, 2, 3};
            c.send(new DatagramPacket(q, q.length));
            DatagramPacket in = new DatagramPacket(new byte[100], 100);
            // ICMP port unreachable reaches a connected socket as PortUnreachableException: no reply, no hang.
            IOException e = assertThrows(IOException.class, () -> c.receive(in));
            assertTrue(e instanceof PortUnreachableException, "expected ICMP unreachable, got " + e);
        }
    }

    @Test
    void sourceRangesDropDatagramsFromOtherClients() throws IOException {
        startProxy(Duration.ofSeconds(30));
        UdpBackend a = backend("a", "127.0.0.54", 0);
        Service s = svc("default", "lbu").clusterIP("127.96.1.13").port("", "UDP", 53, 53, null)
                .loadBalancer("127.200.0.6", "127.0.0.2/32").build();
        h.apply(List.of(s), List.of(slice("default", "lbu", List.of(ready(a.ip())), List.of(udpPort(null, a.port())))));
        try (DatagramSocket allowed = client("127.0.0.2"); DatagramSocket denied = client("127.0.0.3")) {
            assertEquals("a:ok", text(exchange(allowed, "127.200.0.6", 53, "ok")));
            denied.setSoTimeout(500);
            assertThrows(SocketTimeoutException.class, () -> exchange(denied, "127.200.0.6", 53, "no"));
            assertEquals("a:via-cluster-ip", text(exchange(denied, "127.96.1.13", 53, "via-cluster-ip")));
        }
    }

    @Test
    void sessionsToARemovedEndpointEndAndTheClientMovesOn() throws IOException {
        startProxy(Duration.ofMinutes(5));
        UdpBackend a = backend("a", "127.0.0.55", 0);
        UdpBackend b = backend("b", "127.0.0.56", a.port());
        Service s = svc("default", "moving").clusterIP("127.96.1.14").port("", "UDP", 53, 53, null).build();
        h.apply(List.of(s), List.of(slice("default", "moving", List.of(ready(a.ip()), ready(b.ip())),
                List.of(udpPort(null, a.port())))));
        try (DatagramSocket c = client("127.0.0.1")) {
            String first = text(exchange(c, "127.96.1.14", 53, "1")).substring(0, 1);
            assertEquals(first, text(exchange(c, "127.96.1.14", 53, "2")).substring(0, 1), "same session");
            // The session's endpoint leaves (its process still answers): the next datagram goes to the other.
            UdpBackend survivor = first.equals("a") ? b : a;
            h.apply(List.of(s), List.of(slice("default", "moving", List.of(ready(survivor.ip())),
                    List.of(udpPort(null, a.port())))));
            assertEquals(survivor.name + ":3", text(exchange(c, "127.96.1.14", 53, "3")));
        }
    }
}
