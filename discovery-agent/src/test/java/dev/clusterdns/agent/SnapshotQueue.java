package dev.clusterdns.agent;

import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** Collects published snapshots so a test can wait for one that matches. */
public final class SnapshotQueue implements Consumer<ClusterSnapshot> {
    private final LinkedBlockingQueue<ClusterSnapshot> seen = new LinkedBlockingQueue<>();

    @Override
    public void accept(ClusterSnapshot snapshot) {
        seen.add(snapshot);
    }

    /** The next snapshot matching {@code cond}; fails after 30 s without one so the build never hangs. */
    public ClusterSnapshot await(Predicate<ClusterSnapshot> cond) throws InterruptedException {
        while (true) {
            ClusterSnapshot s = seen.poll(30, TimeUnit.SECONDS);
            if (s == null) {
                throw new AssertionError("no matching snapshot published");
            }
            if (cond.test(s)) {
                return s;
            }
        }
    }
}
