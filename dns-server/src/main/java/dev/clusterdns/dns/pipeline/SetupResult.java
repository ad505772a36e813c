package dev.clusterdns.dns.pipeline;

/**
 * What a {@link StageSetup} hands the pipeline: the stage, and what the pipeline closes when it is
 * closed (threads, event loops, subscriptions).
 */
public record SetupResult(Stage stage, AutoCloseable resources) {

    /** A stage that holds nothing that needs closing. */
    public static SetupResult of(Stage stage) {
        return new SetupResult(stage, () -> { });
    }
}
