package dev.clusterdns.dns.pipeline;

import java.util.concurrent.CompletionStage;

/**
 * One stage of the query pipeline, in CoreDNS's plugin style: it answers the query itself, or passes
 * it on with {@code next.serve(query)} (possibly wrapping or rewriting what comes back, as a cache
 * does). Stages must never block the calling thread: an event-loop thread runs them. Stages that
 * answer from memory return an already completed stage.
 */
public interface Stage {

    /** Short name for logs, metrics and the README's stage list (e.g. `cluster`, `cache`). */
    String name();

    CompletionStage<Reply> serve(Query query, Next next);

    /**
     * The reply {@link #serve} would give at once, from memory, without passing the query on; null
     * when there is none (or this stage does not say), and then {@link #serve} runs. A stage that
     * answers here must answer exactly as {@link #serve} does. Lets the pipeline answer its common
     * queries without a future or a call per stage ({@link Pipeline#answerNow}).
     */
    default Reply answerNow(Query query) {
        return null;
    }

    /**
     * True when {@link #serve} hands this query to the next stage unchanged and returns that stage's
     * reply as it is, so the pipeline may skip this stage for it ({@link Pipeline#answerNow}).
     * Default false: a stage that wraps, rewrites or counts must not be skipped.
     */
    default boolean passesOn(Query query) {
        return false;
    }
}
