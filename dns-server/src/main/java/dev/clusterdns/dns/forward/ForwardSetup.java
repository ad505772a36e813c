package dev.clusterdns.dns.forward;

import dev.clusterdns.dns.pipeline.SetupContext;
import dev.clusterdns.dns.pipeline.SetupResult;
import dev.clusterdns.dns.pipeline.StageSetup;
import java.util.Optional;

/**
 * Forwarding to upstreams; left out when there is no upstream at all (`--upstream none` and no stub
 * domains). Closing stops the forwarder's event loop and health checks.
 */
public record ForwardSetup(ForwardConfig config) implements StageSetup {

    @Override
    public String name() {
        return "forward";
    }

    @Override
    public Optional<SetupResult> setup(SetupContext context) {
        if (config.upstreams().isEmpty() && config.stubDomains().isEmpty()) {
            return Optional.empty();
        }
        ForwardStage stage = new ForwardStage(config, context.metrics());
        return Optional.of(new SetupResult(stage, stage));
    }
}
