package dev.clusterdns.dns.loadbalance;

import dev.clusterdns.dns.pipeline.SetupContext;
import dev.clusterdns.dns.pipeline.SetupResult;
import dev.clusterdns.dns.pipeline.StageSetup;
import java.util.Optional;

/** `--loadbalance`: shuffles A/AAAA records of every answer. */
public record LoadbalanceSetup() implements StageSetup {

    @Override
    public String name() {
        return "loadbalance";
    }

    @Override
    public Optional<SetupResult> setup(SetupContext context) {
        return Optional.of(SetupResult.of(new LoadbalanceStage()));
    }
}
