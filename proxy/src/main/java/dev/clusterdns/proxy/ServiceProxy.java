package dev.clusterdns.proxy;

import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.net.IpAddresses;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.agent.snapshot.ClusterView;
import dev.clusterdns.proxy.iface.ServiceInterface;
import dev.clusterdns.proxy.table.Balancer;
import dev.clusterdns.proxy.table.Frontend;
import dev.clusterdns.proxy.table.ListenKey;
import dev.clusterdns.proxy.table.ProxyTable;
import dev.clusterdns.proxy.table.Protocol;
import dev.clusterdns.proxy.table.Route;
import dev.clusterdns.proxy.tcp.TcpListener;
import dev.clusterdns.proxy.transport.Transport;
import dev.clusterdns.proxy.udp.UdpListener;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kube-proxy for this host, in user space: listens on every local address of every Service port
 * (ClusterIPs, NodePorts, externalIPs, LoadBalancer IPs) and relays TCP connections and UDP sessions
 * to the Service's endpoints.
 *
 * <p>Snapshots arrive on the agent's thread and are handed to one reconcile thread (coalesced: only
 * the newest pending snapshot is applied). Reconciling builds an immutable {@link ProxyTable}, binds
 * new listeners, unbinds removed ones and swaps the route of the rest; established connections are
 * never touched.
 */
public final class ServiceProxy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceProxy.class);
    private static final long AFFINITY_SWEEP_SECONDS = 10;

    private final ClusterView view;
    private final ProxyConfig config;
    private final ProxyMetrics metrics;
    private final Random random = new SecureRandom();
    private final ProxyTable.NodeSettings node;
    private final AtomicReference<ClusterSnapshot> pending = new AtomicReference<>();
    private final CompletableFuture<Void> firstSync = new CompletableFuture<>();
    private final Set<String> reported = new HashSet<>();
    private final Map<ListenKey, Frontend> listeners = new HashMap<>();

    private ScheduledExecutorService reconciler;
    private Transport transport;
    private ServiceInterface iface;
    private AutoCloseable subscription;
    private volatile ProxyTable table = ProxyTable.empty();
    private volatile Set<ListenKey> listening = Set.of();
    private volatile long appliedRevision = -1;
    private volatile boolean closed;

    public ServiceProxy(ClusterView view, ProxyConfig config, PrometheusRegistry registry) {
        this.view = view;
        this.config = config;
        this.metrics = new ProxyMetrics(registry);
        this.node = new ProxyTable.NodeSettings(config.nodeName(), config.nodeAddresses(), config.servedElsewhere());
    }

    /**
     * Starts the event loops (and the dummy interface in interface mode) and subscribes to the
     * cluster view. Listeners are bound asynchronously; see {@link #firstSync()}.
     *
     * @throws IOException when interface mode cannot create its interface
     */
    public synchronized void start() throws IOException {
        if (config.mode() == ProxyMode.INTERFACE) {
            iface = ServiceInterface.open(config.interfaceName());
        }
        transport = Transport.start(config.threads(), config.nativeTransport());
        reconciler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "clusterdns-proxy-sync");
            t.setDaemon(true);
            return t;
        });
        reconciler.scheduleWithFixedDelay(this::sweepAffinity, AFFINITY_SWEEP_SECONDS, AFFINITY_SWEEP_SECONDS,
                TimeUnit.SECONDS);
        LOG.info("proxy: {} mode, {} transport, node {}", config.mode().name().toLowerCase(), transport.name(),
                config.nodeName());
        try {
            subscription = view.subscribe(this::offer);
        } catch (Exception e) {
            throw new IOException("cannot subscribe to the cluster view", e);
        }
    }

    /** Completes once the first snapshot's listeners are bound (or reported unbindable). */
    public CompletableFuture<Void> firstSync() {
        return firstSync;
    }

    /** The revision of the last snapshot applied (-1 before the first). */
    public long appliedRevision() {
        return appliedRevision;
    }

    /** The sockets bound after the last reconcile. */
    public Set<ListenKey> listening() {
        return listening;
    }

    /** The interface holding Service addresses in interface mode (null in userspace mode). */
    public String interfaceName() {
        return iface == null ? null : iface.name();
    }

    /** The current table (routes and balancers), for inspection. */
    public ProxyTable table() {
        return table;
    }

    /** Called on the agent's thread: only records the snapshot and wakes the reconcile thread. */
    private void offer(ClusterSnapshot snapshot) {
        if (pending.getAndSet(snapshot) == null && !closed) {
            reconciler.execute(this::drain);
        }
    }

    private void drain() {
        ClusterSnapshot s = pending.getAndSet(null);
        if (s == null || closed) {
            return;
        }
        try {
            reconcile(s);
        } catch (RuntimeException e) {
            LOG.error("proxy: reconcile of revision {} failed; keeping what is bound", s.revision(), e);
        } finally {
            appliedRevision = s.revision();
            firstSync.complete(null);
        }
    }

    private void reconcile(ClusterSnapshot snapshot) {
        ProxyTable next = ProxyTable.build(snapshot, node, table, metrics::forPort, random);
        next.problems().forEach(p -> reportOnce(p, "proxy: " + p));
        if (iface != null) {
            for (String err : iface.sync(interfaceAddresses(snapshot))) {
                reportOnce(err, "proxy: " + err);
            }
        }
        Map<ListenKey, Route> routes = next.routes();
        listeners.entrySet().removeIf(e -> {
            if (routes.containsKey(e.getKey())) {
                return false;
            }
            e.getValue().close();
            LOG.debug("proxy: unbound {}", e.getKey());
            return true;
        });
        for (Map.Entry<ListenKey, Route> e : routes.entrySet()) {
            ListenKey key = e.getKey();
            Frontend f = listeners.get(key);
            if (f != null) {
                f.route(e.getValue());
                continue;
            }
            try {
                f = key.protocol() == Protocol.TCP
                        ? TcpListener.bind(transport, key, e.getValue(), config.tcpIdleTimeout())
                        : UdpListener.bind(transport, key, e.getValue(), config.udpTimeout(), config.maxUdpSessions());
                listeners.put(key, f);
                LOG.debug("proxy: listening on {} for {}", key, e.getValue().servicePort());
            } catch (Exception ex) {
                reportOnce("bind " + key, "proxy: cannot listen on " + key + " for " + e.getValue().servicePort()
                        + ": " + bindFailure(key, ex));
            }
        }
        table = next;
        listening = Set.copyOf(listeners.keySet());
    }

    /** The reason a bind failed, with the likely fix. */
    private String bindFailure(ListenKey key, Exception ex) {
        String why = ex.getMessage() == null ? ex.toString() : ex.getMessage();
        if (why.contains("Permission denied") && key.port() < 1024) {
            return why + " (ports below 1024 need root or CAP_NET_BIND_SERVICE)";
        }
        if (why.contains("Cannot assign requested address") && config.mode() == ProxyMode.USERSPACE) {
            return why + " (not an address of this host; --proxy-mode interface puts ClusterIPs on it)";
        }
        return why;
    }

    /** ClusterIPs and LoadBalancer IPs that are not already local by being in 127.0.0.0/8 or ::1. */
    private static Set<InetAddress> interfaceAddresses(ClusterSnapshot snapshot) {
        Set<InetAddress> out = new LinkedHashSet<>();
        for (Service s : snapshot.services()) {
            if (!s.hasClusterIP()) {
                continue;
            }
            for (String ip : s.clusterIPs()) {
                addIfRemote(out, ip);
            }
            for (String ip : s.loadBalancerIPs()) {
                addIfRemote(out, ip);
            }
        }
        return out;
    }

    private static void addIfRemote(Set<InetAddress> out, String ip) {
        if (IpAddresses.isValid(ip)) {
            InetAddress a = IpAddresses.toInetAddress(ip);
            if (!a.isLoopbackAddress()) {
                out.add(a);
            }
        }
    }

    private void reportOnce(String key, String message) {
        if (reported.add(key)) {
            LOG.warn(message);
        }
    }

    private void sweepAffinity() {
        for (Balancer b : table.balancers().values()) {
            b.sweep();
        }
    }

    /** Unbinds every listener, ends every connection, and removes interface addresses. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (subscription != null) {
            try {
                subscription.close();
            } catch (Exception e) {
                LOG.debug("proxy: unsubscribe failed", e);
            }
        }
        if (reconciler != null) {
            reconciler.execute(() -> {
                listeners.values().forEach(Frontend::close);
                listeners.clear();
                listening = Set.of();
            });
            reconciler.shutdown();
            try {
                reconciler.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (transport != null) {
            transport.close();
        }
        if (iface != null) {
            iface.close();
        }
        firstSync.complete(null);
    }
}
