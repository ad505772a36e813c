package dev.clusterdns.dns.cluster;

import dev.clusterdns.dns.pipeline.SetupContext;
import dev.clusterdns.dns.pipeline.SetupResult;
import dev.clusterdns.dns.pipeline.StageSetup;
import java.util.Optional;

/** The cluster zone from the live snapshots; closing stops its rebuild thread and subscription. */
public record ClusterSetup(ClusterOptions options) implements StageSetup {

    @Override
    public String name() {
        return "cluster";
    }

    @Override
    public Optional<SetupResult> setup(SetupContext context) {
        ClusterStage stage = new ClusterStage(context.cluster(), options);
        return Optional.of(new SetupResult(stage, stage));
    }
}
