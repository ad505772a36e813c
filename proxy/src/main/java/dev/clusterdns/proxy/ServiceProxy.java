package dev.clusterdns.proxy;

import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.net.IpAddresses;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.agent.snapshot.SnapshotChange;
import dev.clusterdns.agent.snapshot.SnapshotFollower;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
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
 *
 * <p>A socket that cannot be bound (port in use, address not on this host, privileged port) is
 * logged once, listed by {@link #bindFailures()} and retried with exponential backoff ({@link
 * #RETRY_FIRST} doubling up to {@link #RETRY_MAX}) until it binds or the snapshot drops it, so a
 * port freed later is served without a restart.
 */
public final class ServiceProxy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceProxy.class);
    private static final long AFFINITY_SWEEP_SECONDS = 10;
    /** First retry of a failed bind; each further one waits twice as long, up to {@link #RETRY_MAX}. */
    public static final Duration RETRY_FIRST = Duration.ofSeconds(1);
    public static final Duration RETRY_MAX = Duration.ofSeconds(30);

    private final ClusterView view;
    private final ProxyConfig config;
    private final ProxyMetrics metrics;
    private final Random random = new SecureRandom();
    private final ProxyTable.NodeSettings node;
    private final CompletableFuture<Void> firstSync = new CompletableFuture<>();
    private final Set<String> reported = new HashSet<>();
    private final Map<ListenKey, Frontend> listeners = new HashMap<>();
    /** Sockets that failed to bind (reconcile thread only). */
    private final Map<ListenKey, BindFailure> failed = new HashMap<>();
    private final Clock clock = Clock.systemUTC();
    private ScheduledFuture<?> retry;
    private volatile List<BindFailure> bindFailures = List.of();

    private ScheduledExecutorService reconciler;
    private Transport transport;
    private ServiceInterface iface;
    private SnapshotFollower follower;
    private volatile ProxyTable table = ProxyTable.empty();
    private volatile Set<ListenKey> listening = Set.of();
    private volatile long appliedRevision = -1;
    private volatile boolean closed;

    public ServiceProxy(ClusterView view, ProxyConfig config, PrometheusRegistry registry) {
        this.view = view;
        this.config = config;
        this.metrics = new ProxyMetrics(registry, () -> bindFailures.size());
        this.node = new ProxyTable.NodeSettings(config.nodeName(), config.nodeAddresses(), config.servedElsewhere());
    }

    /** The event loops, once started (tests block them to line events up). */
    Transport transport() {
        return transport;
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
        follower = SnapshotFollower.start(view, "clusterdns-proxy-follow", this::apply);
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

    /**
     * The sockets the last snapshot calls for that are not bound, by address, each with its
     * reason and retry schedule. Empty when everything is bound.
     */
    public List<BindFailure> bindFailures() {
        return bindFailures;
    }

    /** The interface holding Service addresses in interface mode (null in userspace mode). */
    public String interfaceName() {
        return iface == null ? null : iface.name();
    }

    /** The current table (routes and balancers), for inspection. */
    public ProxyTable table() {
        return table;
    }

    /**
     * On the follower's thread: applies one snapshot on the reconcile thread (which also sweeps
     * affinity), so listeners are only ever touched by one thread.
     */
    private void apply(ClusterSnapshot previous, ClusterSnapshot snapshot, SnapshotChange change) throws Exception {
        if (closed) {
            return;
        }
        reconciler.submit(() -> {
            try {
                reconcile(snapshot, change);
            } catch (RuntimeException e) {
                LOG.error("proxy: reconcile of revision {} failed; keeping what is bound", snapshot.revision(), e);
            } finally {
                appliedRevision = snapshot.revision();
                firstSync.complete(null);
            }
        }).get();
    }

    private void reconcile(ClusterSnapshot snapshot, SnapshotChange change) {
        ProxyTable next = table.next(snapshot, change, node, metrics::forPort, random);
        next.problems().forEach(p -> reportOnce(p, "proxy: " + p));
        if (iface != null && change.touches(SnapshotChange.SERVICES)) {
            for (String err : iface.sync(interfaceAddresses(snapshot))) {
                reportOnce(err, "proxy: " + err);
            }
        }
        Map<ListenKey, Route> routes = next.routes();
        java.util.Collection<ListenKey> touched = next.changedKeys() == null ? null : next.changedKeys();
        if (touched == null) {
            listeners.entrySet().removeIf(e -> {
                if (routes.containsKey(e.getKey())) {
                    return false;
                }
                e.getValue().close();
                LOG.debug("proxy: unbound {}", e.getKey());
                return true;
            });
            touched = routes.keySet();
        }
        java.util.Set<ListenKey> unbound = new java.util.HashSet<>();
        for (ListenKey key : touched) {
            Route route = routes.get(key);
            if (route == null) {
                failed.remove(key);
                Frontend gone = listeners.remove(key);
                if (gone != null) {
                    gone.close();
                    LOG.debug("proxy: unbound {}", key);
                }
                continue;
            }
            Frontend f = listeners.get(key);
            if (f != null) {
                f.route(route);
            } else {
                unbound.add(key);
            }
        }
        if (next.changedKeys() == null) {
            failed.keySet().retainAll(routes.keySet());
        }
        table = next;
        bindMissing(unbound);
    }

    /** The retry timer: binds the failed sockets whose retry is due. Reconcile thread only. */
    private void bindMissing() {
        bindMissing(java.util.Set.of());
    }

    /**
     * Binds the sockets a change added ({@code fresh}) and the failed ones whose retry is due, and
     * schedules the next retry. Reconcile thread only.
     */
    private void bindMissing(java.util.Set<ListenKey> fresh) {
        if (closed) {
            return;
        }
        Map<ListenKey, Route> routes = table.routes();
        Instant now = clock.instant();
        java.util.Set<ListenKey> candidates = new java.util.HashSet<>(fresh);
        candidates.addAll(failed.keySet());
        for (ListenKey key : candidates) {
            Route route = routes.get(key);
            if (route == null || listeners.containsKey(key)) {
                continue;
            }
            Map.Entry<ListenKey, Route> e = Map.entry(key, route);
            BindFailure before = failed.get(key);
            if (before != null && now.isBefore(before.nextAttempt())) {
                continue;
            }
            try {
                Frontend f = key.protocol() == Protocol.TCP
                        ? TcpListener.bind(transport, key, e.getValue(), config.tcpIdleTimeout())
                        : UdpListener.bind(transport, key, e.getValue(), config.udpTimeout(), config.maxUdpSessions());
                listeners.put(key, f);
                if (before != null) {
                    failed.remove(key);
                    LOG.info("proxy: now listening on {} for {} (after {} failed attempts since {})", key,
                            e.getValue().servicePort(), before.attempts(), before.since());
                } else {
                    LOG.debug("proxy: listening on {} for {}", key, e.getValue().servicePort());
                }
            } catch (Exception ex) {
                String why = bindFailure(key, ex);
                int attempts = before == null ? 1 : before.attempts() + 1;
                Duration wait = backoff(attempts);
                failed.put(key, new BindFailure(key, e.getValue().servicePort(), why,
                        before == null ? now : before.since(), attempts, now.plus(wait)));
                if (before == null || !before.reason().equals(why)) {
                    LOG.warn("proxy: cannot listen on {} for {}: {}; retrying after {} s, doubling up to every {} s", key,
                            e.getValue().servicePort(), why, wait.toSeconds(), RETRY_MAX.toSeconds());
                } else {
                    LOG.debug("proxy: still cannot listen on {}: {} (attempt {})", key, why, attempts);
                }
            }
        }
        listening = Set.copyOf(listeners.keySet());
        bindFailures = failed.values().stream().sorted(Comparator.comparing((BindFailure f) -> f.key().toString())).toList();
        scheduleRetry(now);
    }

    /** {@link #RETRY_FIRST} after the first failure, doubling, at most {@link #RETRY_MAX}. */
    static Duration backoff(int attempts) {
        long millis = RETRY_FIRST.toMillis() << Math.min(attempts - 1, 20);
        return Duration.ofMillis(Math.min(millis, RETRY_MAX.toMillis()));
    }

    private void scheduleRetry(Instant now) {
        if (retry != null) {
            retry.cancel(false);
            retry = null;
        }
        Instant due = null;
        for (BindFailure f : failed.values()) {
            if (due == null || f.nextAttempt().isBefore(due)) {
                due = f.nextAttempt();
            }
        }
        if (due != null && !closed) {
            long delay = Math.max(0, Duration.between(now, due).toMillis());
            retry = reconciler.schedule((Runnable) this::bindMissing, delay, TimeUnit.MILLISECONDS);
        }
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
        if (follower != null) {
            follower.close();
        }
        if (reconciler != null) {
            reconciler.execute(() -> {
                if (retry != null) {
                    retry.cancel(false);
                }
                listeners.values().forEach(Frontend::close);
                listeners.clear();
                failed.clear();
                listening = Set.of();
                bindFailures = List.of();
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
