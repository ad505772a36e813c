package dev.clusterdns.agent;

import dev.clusterdns.agent.manifest.ManifestReader;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.agent.snapshot.ClusterView;
import dev.clusterdns.agent.snapshot.Problem;
import dev.clusterdns.agent.snapshot.SnapshotPublisher;
import dev.clusterdns.agent.source.ManifestTree;
import dev.clusterdns.agent.source.ManifestWatcher;
import java.io.IOException;
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

    private final AgentConfig config;
    private final SnapshotPublisher publisher = new SnapshotPublisher();
    private final ManifestTree tree;
    private final ClusterReconciler reconciler;
    private final AtomicLong revision = new AtomicLong();
    private final Set<String> reported = new HashSet<>();
    private ManifestWatcher watcher;

    public ClusterAgent(AgentConfig config) {
        this.config = config;
        this.tree = new ManifestTree(config.manifests(), new ManifestReader());
        this.reconciler = new ClusterReconciler(config);
    }

    public AgentConfig config() {
        return config;
    }

    public ClusterView view() {
        return publisher;
    }

    /** Loads everything once, publishes the first snapshot, then watches for changes. */
    public synchronized void start() throws IOException {
        reload(true);
        watcher = new ManifestWatcher(config.manifests(), () -> reload(false));
    }

    /** One full load without watching, for `env`, `resolvconf` and `expose`. */
    public ClusterSnapshot loadOnce() {
        tree.rescan();
        return reconciler.reconcile(1, tree.manifests(), tree.problems());
    }

    /** Rescans the sources and publishes a new snapshot when anything changed. */
    public synchronized void reload(boolean force) {
        if (!tree.rescan() && !force) {
            return;
        }
        ClusterSnapshot snapshot = reconciler.reconcile(revision.incrementAndGet(), tree.manifests(), tree.problems());
        report(snapshot);
        publisher.publish(snapshot);
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
        if (watcher != null) {
            watcher.close();
        }
    }
}
