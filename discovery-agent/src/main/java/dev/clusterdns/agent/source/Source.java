package dev.clusterdns.agent.source;

import java.util.function.Consumer;

/**
 * Where objects come from (the manifest tree, a Kubernetes API server). A source reports changes,
 * never whole states, so the agent's work follows the size of a change.
 */
public interface Source extends AutoCloseable {

    /**
     * Reports every current object (as additions) to {@code sink} before returning, then keeps
     * reporting changes from its own threads until closed.
     *
     * @throws Exception when the source cannot start (unreadable roots are problems, not errors)
     */
    void start(Consumer<SourceChanges> sink) throws Exception;

    /** Every current object, read once without watching (for commands that do not serve). */
    SourceChanges readAll() throws Exception;

    /** Completes once the source has reported its initial state (at once for files). */
    java.util.concurrent.CompletableFuture<Void> firstSync();

    /** True once the source has reported its initial state. */
    default boolean synced() {
        return firstSync().isDone();
    }

    @Override
    void close();
}
