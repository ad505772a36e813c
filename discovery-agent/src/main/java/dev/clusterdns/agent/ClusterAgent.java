package dev.clusterdns.agent;

import dev.clusterdns.agent.manifest.ManifestFile;
import dev.clusterdns.agent.manifest.ManifestReader;
import dev.clusterdns.agent.readiness.ReadinessProber;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.agent.snapshot.ClusterView;
import dev.clusterdns.agent.snapshot.Problem;
import dev.clusterdns.agent.snapshot.SnapshotPublisher;
import dev.clusterdns.agent.source.KubernetesApiSource;
import dev.clusterdns.agent.source.KubernetesClients;
import dev.clusterdns.agent.source.ManifestTree;
import dev.clusterdns.agent.source.ManifestWatcher;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The discovery agent: reads manifests, reconciles them into a snapshot (defaults, validation,
 * allocation, endpoints) and publishes it; `start` then watches the manifest paths and publishes a
 * new snapshot after every change. Bad input is reported and left out; the rest keeps serving.
 */
public final class ClusterAgent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterAgent.class);
    private static final Duration API_SYNC_TIMEOUT = Duration.ofSeconds(60);

    private final AgentConfig config;
    private final SnapshotPublisher publisher = new SnapshotPublisher();
    private final ManifestTree tree;
    private final ClusterReconciler reconciler;
    private final ReadinessProber prober;
    private KubernetesApiSource api;
    private final ScheduledExecutorService debounce = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "clusterdns-agent");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean pending = new AtomicBoolean();
    private final AtomicLong revision = new AtomicLong();
    private final Set<String> reported = new HashSet<>();
    private ManifestWatcher watcher;

    public ClusterAgent(AgentConfig config) {
        this.config = config;
        this.tree = new ManifestTree(config.manifests(), new ManifestReader());
        // [workloads] a readiness flip republishes with the Pod's new Ready condition
        this.prober = new ReadinessProber(this::scheduleReload);
        this.reconciler = new ClusterReconciler(config, prober);
    }

    public AgentConfig config() {
        return config;
    }

    public ClusterView view() {
        return publisher;
    }

    /** Loads everything once, publishes the first snapshot, then watches for changes. */
    public synchronized void start() throws IOException {
        if (config.kubernetesApi() != null) {
            api = startApi(this::scheduleReload);
            reload(true);
            return;
        }
        reload(true);
        watcher = new ManifestWatcher(config.manifests(), () -> reload(false));
    }

    /** One full load without watching, for `env`, `resolvconf` and `expose`. */
    public ClusterSnapshot loadOnce() {
        if (config.kubernetesApi() != null) {
            try (KubernetesApiSource once = startApi(() -> {})) {
                ManifestFile f = once.read();
                return reconciler.reconcile(1, f.manifests(), f.problems());
            }
        }
        tree.rescan();
        return reconciler.reconcile(1, tree.manifests(), tree.problems());
    }

    private KubernetesApiSource startApi(Runnable onChange) {
        KubernetesApiSource source = new KubernetesApiSource(KubernetesClients.connect(config.kubernetesApi()),
                new ManifestReader(), onChange);
        try {
            source.start(API_SYNC_TIMEOUT);
        } catch (Exception e) {
            source.close();
            throw new IllegalStateException("cannot list from the Kubernetes API at "
                    + describe(config.kubernetesApi()) + ": " + rootCause(e), e);
        }
        return source;
    }

    private static String describe(AgentConfig.KubernetesApi api) {
        return api.server() != null ? api.server() : "the server of " + api.kubeconfig();
    }

    /** The most telling cause: a network error if there is one (refused, unknown host), else the deepest. */
    private static String rootCause(Throwable e) {
        Throwable t = e;
        Throwable chosen = e;
        while (t != null) {
            chosen = t;
            if (t.getClass().getName().startsWith("java.net.")) {
                break;
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        String m = chosen.getMessage();
        String name = chosen instanceof java.net.ConnectException ? "connection refused" : chosen.getClass().getSimpleName();
        return name + (m == null || m.isEmpty() ? "" : ": " + m);
    }

    /** Coalesces a burst of watch events into one rebuild shortly after the first. */
    private void scheduleReload() {
        if (pending.compareAndSet(false, true)) {
            debounce.schedule(() -> {
                pending.set(false);
                reload(true);
            }, 50, TimeUnit.MILLISECONDS);
        }
    }

    /** Rescans the sources and publishes a new snapshot when anything changed. */
    public synchronized void reload(boolean force) {
        ClusterSnapshot snapshot;
        if (api != null) {
            ManifestFile f = api.read();
            snapshot = reconciler.reconcile(revision.incrementAndGet(), f.manifests(), f.problems());
        } else {
            if (!tree.rescan() && !force) {
                return;
            }
            snapshot = reconciler.reconcile(revision.incrementAndGet(), tree.manifests(), tree.problems());
        }
        report(snapshot);
        ClusterSnapshot before = publisher.current();
        publisher.publish(snapshot);
        // [workloads] say what changed, not only counts
        SnapshotChanges.between(before, snapshot).forEach(line -> LOG.info("{}", line));
        LOG.info("revision {}: {} services, {} pods, {} endpoint slices, {} problem(s)", snapshot.revision(),
                snapshot.services().size(), snapshot.pods().size(), snapshot.endpointSlices().size(),
                snapshot.problems().size());
    }

    /** Logs each problem once, not on every reload. */
    private void report(ClusterSnapshot snapshot) {
        Set<String> now = new HashSet<>();
        for (Problem p : snapshot.problems()) {
            String text = p.toString();
            now.add(text);
            if (!reported.contains(text)) {
                LOG.warn("{}", text);
            }
        }
        reported.clear();
        reported.addAll(now);
    }

    @Override
    public synchronized void close() throws IOException {
        prober.close(); // first: a readiness flip must not schedule a reload on a stopped executor
        debounce.shutdownNow();
        if (watcher != null) {
            watcher.close();
        }
        if (api != null) {
            api.close();
        }
    }
}
