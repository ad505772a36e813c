package dev.clusterdns.agent.source;

import java.util.function.Consumer;

/**
 * Where objects come from (the manifest tree, a Kubernetes API server). A source reports changes,
 * never whole states, so the agent's work follows the size of a change.
 */
public interface Source extends AutoCloseable {

    /**
     * Reports every current object (as additions) to {@code sink} before returning, then keeps
     * reporting changes from its own threads until closed. A source that waits on a server (the
     * Kubernetes API) may return first and report its initial state when it has it; see
     * {@link #firstSync()}.
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

    /** What the source still waits for before its first sync, and why (for `/ready` and the log); null when nothing. */
    default String waitingFor() {
        return null;
    }

    /** Trouble with the source itself while serving (e.g. an unreachable API server), not with one object. */
    default java.util.List<dev.clusterdns.agent.snapshot.Problem> problems() {
        return java.util.List.of();
    }

    @Override
    void close();
}
