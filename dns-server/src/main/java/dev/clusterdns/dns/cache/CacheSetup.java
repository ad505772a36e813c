package dev.clusterdns.dns.cache;

import dev.clusterdns.dns.pipeline.SetupContext;
import dev.clusterdns.dns.pipeline.SetupResult;
import dev.clusterdns.dns.pipeline.StageSetup;
import java.util.Optional;

/** The response cache; left out with `--cache-size 0`. */
public record CacheSetup(CacheConfig config) implements StageSetup {

    @Override
    public String name() {
        return "cache";
    }

    @Override
    public Optional<SetupResult> setup(SetupContext context) {
        if (config.maxEntries() <= 0) {
            return Optional.empty();
        }
        return Optional.of(SetupResult.of(new CacheStage(config, context.metrics())));
    }
}
