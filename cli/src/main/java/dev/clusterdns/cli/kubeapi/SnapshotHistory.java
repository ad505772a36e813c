package dev.clusterdns.cli.kubeapi;

import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.agent.snapshot.ClusterView;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The last few snapshots by revision, so a watch can start from a list's resourceVersion and a
 * `continue` token can page through the list it started; older ones are "too old" (410), as etcd's
 * compaction makes them in Kubernetes.
 */
final class SnapshotHistory implements AutoCloseable {
    private final Map<Long, ClusterSnapshot> byRevision;
    private final AutoCloseable subscription;

    SnapshotHistory(ClusterView view, int keep) {
        this.byRevision = new LinkedHashMap<>(keep * 2, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, ClusterSnapshot> eldest) {
                return size() > keep;
            }
        };
        this.subscription = view.subscribe(this::add);
    }

    private synchronized void add(ClusterSnapshot s) {
        byRevision.put(s.revision(), s);
    }

    /** The snapshot with this revision, or null when it is too old (or never was). */
    synchronized ClusterSnapshot at(long revision) {
        return byRevision.get(revision);
    }

    synchronized long oldest() {
        return byRevision.keySet().stream().mapToLong(Long::longValue).min().orElse(0);
    }

    @Override
    public void close() throws Exception {
        subscription.close();
    }
}
