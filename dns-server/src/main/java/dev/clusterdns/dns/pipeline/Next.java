package dev.clusterdns.dns.pipeline;

import java.util.concurrent.CompletionStage;

/** The rest of the pipeline after a stage. The last `Next` answers REFUSED. */
@FunctionalInterface
public interface Next {
    CompletionStage<Reply> serve(Query query);
}
