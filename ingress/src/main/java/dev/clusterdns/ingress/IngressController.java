package dev.clusterdns.ingress;

import dev.clusterdns.agent.model.Ingress;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.agent.snapshot.ClusterView;
import dev.clusterdns.agent.snapshot.SnapshotChange;
import dev.clusterdns.agent.snapshot.SnapshotFollower;
import dev.clusterdns.ingress.http.AccessLog;
import dev.clusterdns.ingress.http.IngressListeners;
import dev.clusterdns.ingress.http.IngressMetrics;
import dev.clusterdns.ingress.route.RouteTable;
import dev.clusterdns.ingress.tls.CertificateStore;
import dev.clusterdns.ingress.tls.Certificates;
import dev.clusterdns.ingress.tls.GeneratedDefault;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ingress controller: one more consumer of the cluster snapshot. Each snapshot that changes
 * Ingresses, Services, endpoints or Secrets rebuilds the route table and the certificates on the
 * {@link SnapshotFollower}'s thread (newest snapshot wins: a burst of changes costs one rebuild), and
 * the result is swapped in for the next request and handshake.
 */
public final class IngressController implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IngressController.class);

    private final ClusterView view;
    private final IngressConfig config;
    private final IngressMetrics metrics;
    private final CompletableFuture<Void> firstSync = new CompletableFuture<>();
    private final List<InetSocketAddress> boundHttp = new ArrayList<>();
    private final List<InetSocketAddress> boundHttps = new ArrayList<>();
    private volatile RouteTable routes = RouteTable.empty();
    private volatile Certificates certificates;
    private CertificateStore store;
    private IngressListeners listeners;
    private volatile SnapshotFollower follower;

    public IngressController(ClusterView view, IngressConfig config, PrometheusRegistry registry) {
        this.view = view;
        this.config = config;
        this.metrics = new IngressMetrics(registry);
    }

    /**
     * Binds every listener (a failed bind is logged and the others
     * serve) and starts following the snapshots.
     */
    public void start() throws Exception {
        this.store = new CertificateStore(new GeneratedDefault());
        this.certificates = new Certificates(Map.of(), store.fallback());
        int httpsPort = -1;
        this.listeners = new IngressListeners(() -> routes, () -> certificates, metrics, new AccessLog(config.accessLog()),
                0, config.connectTimeout(), config.upstreamTimeout(), config.threads());
        for (InetSocketAddress a : config.https()) {
            try {
                InetSocketAddress b = listeners.bindHttps(a);
                boundHttps.add(b);
                LOG.info("Ingress HTTPS on {}", b);
            } catch (Exception e) {
                LOG.warn("Ingress: cannot listen for HTTPS on {}: {}", a, e.toString());
            }
        }
        if (!boundHttps.isEmpty()) {
            httpsPort = boundHttps.get(0).getPort();
        }
        listeners.httpsPort(httpsPort);
        for (InetSocketAddress a : config.http()) {
            try {
                InetSocketAddress b = listeners.bindHttp(a);
                boundHttp.add(b);
                LOG.info("Ingress HTTP on {}", b);
            } catch (Exception e) {
                LOG.warn("Ingress: cannot listen for HTTP on {}: {}", a, e.toString());
            }
        }
        follower = SnapshotFollower.start(view, "clusterdns-ingress-routes", this::rebuild);
    }

    /** Kinds whose changes can move a route or a certificate. */
    private static final List<String> ROUTING_KINDS = List.of("Ingress", "IngressClass", "Secret",
            SnapshotChange.SERVICES, SnapshotChange.ENDPOINTS);

    private void rebuild(ClusterSnapshot previous, ClusterSnapshot s, SnapshotChange change) {
        if (previous != null && !change.isEverything() && ROUTING_KINDS.stream().noneMatch(change::touches)) {
            firstSync.complete(null);
            return;
        }
        try {
            RouteTable t = RouteTable.build(s, config.classes());
            List<String> problems = new ArrayList<>();
            Certificates c = store.update(s, t, config.defaultCertificate(), problems);
            certificates = c;
            routes = t;
            t.conflicts().forEach(m -> LOG.warn("Ingress: {}", m));
            problems.forEach(m -> LOG.warn("Ingress TLS: {}", m));
            LOG.debug("Ingress routes from snapshot {}: {} Ingresses", s.revision(), t.served().size());
        } catch (RuntimeException e) {
            // Never take down what serves: the last good table stays.
            LOG.error("Ingress: cannot build routes from snapshot {}; the previous routes stay", s.revision(), e);
        }
        firstSync.complete(null);
    }

    /** Completes once the first snapshot's routes are live. */
    public CompletableFuture<Void> firstSync() {
        return firstSync;
    }

    /** The revision of the last snapshot the routes were built from (or skipped as irrelevant). */
    public long appliedRevision() {
        SnapshotFollower f = follower;
        return f == null ? -1 : f.appliedRevision();
    }

    /** The live route table (what is served now). */
    public RouteTable routes() {
        return routes;
    }

    /**
     * The Ingress with the status this controller gives it: `status.loadBalancer.ingress` = the
     * HTTP listen addresses when it serves the Ingress (its class passes `--ingress-class`),
     * unchanged otherwise. A wildcard listen address is shown as {@code nodeAddress}.
     */
    public Ingress withStatus(Ingress ingress, String nodeAddress) {
        if (!RouteTable.serves(ingress, config.classes()) || boundHttp.isEmpty()) {
            return ingress;
        }
        java.util.LinkedHashSet<String> ips = new java.util.LinkedHashSet<>();
        for (InetSocketAddress a : boundHttp) {
            ips.add(a.getAddress().isAnyLocalAddress() ? nodeAddress : a.getAddress().getHostAddress());
        }
        List<Ingress.LoadBalancerIngress> lb = ips.stream()
                .map(ip -> new Ingress.LoadBalancerIngress(ip, null, List.of())).toList();
        return ingress.withStatus(new Ingress.Status(new Ingress.LoadBalancer(lb)));
    }

    public List<InetSocketAddress> httpAddresses() {
        return List.copyOf(boundHttp);
    }

    public List<InetSocketAddress> httpsAddresses() {
        return List.copyOf(boundHttps);
    }

    @Override
    public void close() throws Exception {
        if (follower != null) {
            follower.close();
        }
        if (listeners != null) {
            listeners.close();
        }
    }
}
