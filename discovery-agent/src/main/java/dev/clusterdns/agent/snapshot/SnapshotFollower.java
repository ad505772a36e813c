package dev.clusterdns.agent.snapshot;

import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The "newest snapshot wins" worker every consumer uses: applies the view's current snapshot on the
 * caller's thread when started (so a consumer is never served empty when data is there), then each
 * later snapshot on a thread of its own. Snapshots that arrive while a step runs are coalesced:
 * only the newest is applied next, with the changes of the skipped ones folded into its
 * {@link SnapshotChange}. The publisher's thread only hands over and returns.
 */
public final class SnapshotFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotFollower.class);

    /** What a consumer does with one snapshot. */
    @FunctionalInterface
    public interface Step {
        /**
         * @param previous the snapshot applied before, or null for the first
         * @param current the snapshot to apply
         * @param change what {@code current} changed since {@code previous} ({@link SnapshotChange#everything()} for the first)
         */
        void apply(ClusterSnapshot previous, ClusterSnapshot current, SnapshotChange change) throws Exception;
    }

    /**
     * A snapshot waiting to be applied, with every change since revision {@code base} (folded
     * from each snapshot delivered in between).
     */
    private record Pending(ClusterSnapshot snapshot, SnapshotChange change, long base) {}

    private final String name;
    private final Step step;
    private final Object lock = new Object();
    private Pending pending;
    private ClusterSnapshot applied;
    private volatile long appliedRevision = -1;
    private volatile boolean closed;
    private final Thread thread;
    private final AutoCloseable subscription;

    private SnapshotFollower(ClusterView view, String name, Step step) {
        this.name = name;
        this.step = step;
        ClusterSnapshot first = view.current();
        run(new Pending(first, SnapshotChange.everything(), -1));
        this.thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
        this.subscription = view.subscribe(this::offer);
    }

    /**
     * Applies {@code view.current()} now, then follows the view on a daemon thread called {@code name}.
     */
    public static SnapshotFollower start(ClusterView view, String name, Step step) {
        return new SnapshotFollower(view, name, step);
    }

    /** The revision of the last snapshot applied (successfully or not). */
    public long appliedRevision() {
        return appliedRevision;
    }

    /** On the publisher's thread: fold into what is pending and wake the worker. */
    private void offer(ClusterSnapshot snapshot) {
        synchronized (lock) {
            if (snapshot == applied && pending == null) {
                return; // the one applied at start, delivered again by subscribe
            }
            if (pending == null) {
                pending = new Pending(snapshot, snapshot.change(), snapshot.baseRevision());
            } else if (snapshot.revision() > pending.snapshot().revision()) {
                SnapshotChange folded = snapshot.baseRevision() == pending.snapshot().revision()
                        ? pending.change().then(snapshot.change()) : SnapshotChange.everything();
                pending = new Pending(snapshot, folded, pending.base());
            }
        }
        LockSupport.unpark(thread);
    }

    private void loop() {
        while (!closed) {
            Pending next;
            synchronized (lock) {
                next = pending;
                pending = null;
            }
            if (next == null) {
                LockSupport.park(this);
                continue;
            }
            run(next);
        }
    }

    private void run(Pending next) {
        ClusterSnapshot previous = applied;
        // The change set describes the step from its base: from anywhere else, rebuild.
        SnapshotChange change = previous == null || next.base() != previous.revision()
                ? SnapshotChange.everything() : next.change();
        try {
            step.apply(previous, next.snapshot(), change);
        } catch (Exception | LinkageError e) {
            // A failed step must not stop the consumer from following later snapshots.
            LOG.error("{}: applying snapshot revision {} failed", name, next.snapshot().revision(), e);
        }
        synchronized (lock) {
            applied = next.snapshot();
        }
        appliedRevision = next.snapshot().revision();
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
        try {
            subscription.close();
        } catch (Exception e) {
            LOG.debug("{}: unsubscribe failed", name, e);
        }
    }
}
