package dev.clusterdns.agent.snapshot;

import java.util.function.Consumer;

/** Read side of the agent: the latest snapshot, and a stream of every new one. */
public interface ClusterView {

    /** The latest snapshot; never null (an empty revision-0 snapshot before the first load). */
    ClusterSnapshot current();

    /**
     * Calls {@code listener} with the current snapshot now and with every later one, in revision
     * order, on the publisher's thread: keep it short, hand heavy work to your own thread.
     */
    AutoCloseable subscribe(Consumer<ClusterSnapshot> listener);
}
