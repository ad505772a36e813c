package dev.clusterdns.proxy;

import static dev.clusterdns.proxy.Fixtures.port;
import static dev.clusterdns.proxy.Fixtures.ready;
import static dev.clusterdns.proxy.Fixtures.slice;
import static dev.clusterdns.proxy.Fixtures.svc;
import static dev.clusterdns.proxy.ProxyHarness.whoAnswers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.clusterdns.agent.model.Service;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One accept socket per event loop (SO_REUSEPORT), as the kernel lists them in /proc/net/tcp. */
class ListenerSocketsTest {

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void eachEventLoopListensOnTheServiceAddressAndOthersCannotBindIt(boolean epoll) throws Exception {
        ProxyConfig config = new ProxyConfig(ProxyMode.USERSPACE, "node-a", List.of(InetAddress.getLoopbackAddress()),
                ProxyConfig.DEFAULT_TCP_IDLE_TIMEOUT, ProxyConfig.DEFAULT_UDP_TIMEOUT, ProxyConfig.DEFAULT_INTERFACE,
                3, 65536, epoll);
        try (ProxyHarness h = new ProxyHarness(config); TcpBackend pod = new TcpBackend("pod0", "127.0.0.48")) {
            Service s = svc("default", "loops").clusterIP("127.96.0.28").tcp("http", 80).build();
            h.apply(List.of(s), List.of(slice("default", "loops", List.of(ready(pod.ip())),
                    List.of(port("http", pod.port())))));
            assertEquals(3, listeners("127.96.0.28", 80));
            for (int i = 0; i < 12; i++) {
                assertEquals("pod0", whoAnswers("127.96.0.28", 80));
            }
            // A program that does not ask for SO_REUSEPORT (or runs as another user) cannot share it.
            try (ServerSocket other = new ServerSocket()) {
                assertThrows(BindException.class,
                        () -> other.bind(new InetSocketAddress(InetAddress.getByName("127.96.0.28"), 80)));
            }
        }
    }

    /**
     * A listener of this user that set SO_REUSEPORT already holds the Service address: the proxy's
     * accept sockets would join it and share the connections; the probe refuses and says who holds it.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void anAddressHeldWithReusePortIsNotSharedButReported(boolean epoll) throws Exception {
        ProxyConfig config = new ProxyConfig(ProxyMode.USERSPACE, "node-a", List.of(InetAddress.getLoopbackAddress()),
                ProxyConfig.DEFAULT_TCP_IDLE_TIMEOUT, ProxyConfig.DEFAULT_UDP_TIMEOUT, ProxyConfig.DEFAULT_INTERFACE,
                3, 65536, epoll);
        try (ServerSocketChannel squatter = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            squatter.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            squatter.bind(new InetSocketAddress(InetAddress.getByName("127.96.0.29"), 80));
            try (ProxyHarness h = new ProxyHarness(config); TcpBackend pod = new TcpBackend("pod0", "127.0.0.49")) {
                Service s = svc("default", "held").clusterIP("127.96.0.29").tcp("http", 80).build();
                h.apply(List.of(s), List.of(slice("default", "held", List.of(ready(pod.ip())),
                        List.of(port("http", pod.port())))));
                assertEquals(1, listeners("127.96.0.29", 80), "only the squatter listens");
                List<BindFailure> failures = h.proxy.bindFailures();
                assertEquals(1, failures.size(), failures.toString());
                assertEquals("address already in use (this process holds it (pid " + ProcessHandle.current().pid() + "))",
                        failures.get(0).reason());
            }
        }
    }

    /** TCP sockets in LISTEN state on ip:port ({@code /proc/net/tcp}: little-endian hex address, state 0A). */
    private static long listeners(String ip, int port) throws IOException {
        byte[] a = InetAddress.getByName(ip).getAddress();
        String local = String.format(Locale.ROOT, "%02X%02X%02X%02X:%04X", a[3], a[2], a[1], a[0], port);
        return Files.readAllLines(Path.of("/proc/net/tcp")).stream()
                .map(l -> l.trim().split("\\s+"))
                .filter(f -> f.length > 3 && f[1].equals(local) && f[3].equals("0A"))
                .count();
    }
}
