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
}
