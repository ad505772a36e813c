package dev.clusterdns.proxy;

import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.agent.snapshot.SnapshotPublisher;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;

/** A started {@link ServiceProxy} fed by a real {@link SnapshotPublisher}, plus client helpers. */
final class ProxyHarness implements AutoCloseable {
    final SnapshotPublisher publisher = new SnapshotPublisher();
    final PrometheusRegistry registry = new PrometheusRegistry();
    final ServiceProxy proxy;
    private long revision;

    ProxyHarness(ProxyConfig config) throws IOException {
        proxy = new ServiceProxy(publisher, config, registry);
        proxy.start();
    }

    ProxyHarness() throws IOException {
        this(ProxyConfig.defaults("node-a").withNodeAddresses(List.of(InetAddress.getLoopbackAddress())));
    }

    /** Publishes a snapshot and waits until the proxy has applied it. */
    void apply(List<Service> services, List<EndpointSlice> slices) {
        long rev = ++revision;
        publisher.publish(ClusterSnapshot.builder(rev).services(services).endpointSlices(slices).build());
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (proxy.appliedRevision() < rev) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("proxy did not apply revision " + rev);
            }
            sleep(5);
        }
    }

    static Socket connect(String clientIp, String ip, int port) throws IOException {
        Socket s = new Socket();
        s.setSoTimeout(10_000);
        if (clientIp != null) {
            s.bind(new InetSocketAddress(InetAddress.getByName(clientIp), 0));
        }
        s.connect(new InetSocketAddress(InetAddress.getByName(ip), port), 5_000);
        return s;
    }

    /** Connects, returns the backend's name line, and closes. */
    static String whoAnswers(String clientIp, String ip, int port) throws IOException {
        try (Socket s = connect(clientIp, ip, port)) {
            return readLine(s);
        }
    }

    static String whoAnswers(String ip, int port) throws IOException {
        return whoAnswers(null, ip, port);
    }

    /** One line, read byte by byte so nothing after it is consumed; null at EOF. */
    static String readLine(Socket s) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = s.getInputStream().read()) >= 0) {
            if (c == '\n') {
                return sb.toString();
            }
            sb.append((char) c);
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        proxy.close();
    }
}
