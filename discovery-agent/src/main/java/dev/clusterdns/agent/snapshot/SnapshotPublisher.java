package dev.clusterdns.agent.snapshot;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Holds the latest snapshot and hands each new one to every subscriber. */
public final class SnapshotPublisher implements ClusterView {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotPublisher.class);

    private final List<Consumer<ClusterSnapshot>> listeners = new CopyOnWriteArrayList<>();
    private volatile ClusterSnapshot current = ClusterSnapshot.empty();

    @Override
    public ClusterSnapshot current() {
        return current;
    }

    /** Publishes a snapshot; older revisions than the current one are ignored. */
    public synchronized void publish(ClusterSnapshot snapshot) {
        if (snapshot.revision() <= current.revision() && current.revision() != 0) {
            return;
        }
        current = snapshot;
        for (Consumer<ClusterSnapshot> l : listeners) {
            deliver(l, snapshot);
        }
    }

    @Override
    public synchronized AutoCloseable subscribe(Consumer<ClusterSnapshot> listener) {
        listeners.add(listener);
        deliver(listener, current);
        return () -> listeners.remove(listener);
    }

    private static void deliver(Consumer<ClusterSnapshot> listener, ClusterSnapshot snapshot) {
        try {
            listener.accept(snapshot);
        } catch (RuntimeException e) {
            // One broken consumer must not stop the others from seeing the snapshot.
            LOG.error("snapshot listener failed on revision {}", snapshot.revision(), e);
        }
    }
}
