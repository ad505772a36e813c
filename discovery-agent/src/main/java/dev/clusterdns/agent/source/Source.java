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

    /** True once the source has reported its initial state. */
    boolean synced();

    @Override
    void close();
}
