package dev.clusterdns.proxy;

import static dev.clusterdns.proxy.Fixtures.port;
import static dev.clusterdns.proxy.Fixtures.ready;
import static dev.clusterdns.proxy.Fixtures.slice;
import static dev.clusterdns.proxy.Fixtures.svc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.clusterdns.agent.model.Service;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** `--proxy-mode interface`: a ClusterIP outside loopback, reached with curl from a network namespace. */
class InterfaceModeTest {

    static HttpServer httpBackend(String ip, String body) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(ip, 0), 50);
        server.createContext("/", ex -> {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
        return server;
    }

    @Test
    void clusterIpOutsideLoopbackIsReachableFromANamespaceAndRemovedOnShutdown() throws Exception {
        Assumptions.assumeTrue(NetnsClient.supported(), "needs root and network namespaces (ip netns)");
        int y = ThreadLocalRandom.current().nextInt(1, 250);
        String vip = "10.252." + y + ".10";
        String emptyVip = "10.252." + y + ".11";
        String ifName = "cdt" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
        ProxyConfig config = new ProxyConfig(ProxyMode.INTERFACE, "node-a", List.of(java.net.InetAddress.getLoopbackAddress()),
                Duration.ofMinutes(1), Duration.ofSeconds(30), ifName, 1, 1024, false);
        HttpServer backend = httpBackend("127.0.0.61", "hello from pod\n");
        try (NetnsClient client = NetnsClient.create("10.252." + y + ".0/24");
             ProxyHarness h = new ProxyHarness(config)) {
            Service web = svc("default", "web").clusterIP(vip).tcp("http", 80).build();
            Service empty = svc("default", "empty").clusterIP(emptyVip).tcp("http", 80).build();
            h.apply(List.of(web, empty), List.of(slice("default", "web", List.of(ready("127.0.0.61")),
                    List.of(port("http", backend.getAddress().getPort())))));
            String dev = h.proxy.interfaceName();
            assertTrue(addressesOf(dev).contains(vip + "/32"), dev + " holds " + vip);

            NetnsClient.Result ok = client.exec("curl", "-sS", "--max-time", "10", "http://" + vip + "/");
            assertEquals(0, ok.exit(), ok.output());
            assertEquals("hello from pod\n", ok.output());

            // No endpoints: the address is local but nothing listens, so curl is refused (exit 7), not left hanging.
            NetnsClient.Result refused = client.exec("curl", "-sS", "--max-time", "10", "http://" + emptyVip + "/");
            assertEquals(7, refused.exit(), refused.output());

            h.close();
            assertFalse(addressesOf(dev).contains(vip + "/32"), "address removed on shutdown");
        } finally {
            backend.stop(0);
        }
        assertFalse(NetnsClient.run(List.of("ip", "-o", "link", "show")).output().contains(ifName + ":"),
                "dummy interface removed");
    }

    private static String addressesOf(String dev) throws IOException {
        return NetnsClient.run(List.of("ip", "-o", "addr", "show", "dev", dev)).output();
    }
}
