package dev.clusterdns.dns.hosts;

import dev.clusterdns.dns.pipeline.SetupContext;
import dev.clusterdns.dns.pipeline.SetupResult;
import dev.clusterdns.dns.pipeline.StageSetup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** `--hosts FILE`: left out without a file; closing stops the thread that watches the file. */
public record HostsSetup(Path file) implements StageSetup {

    @Override
    public String name() {
        return "hosts";
    }

    @Override
    public Optional<SetupResult> setup(SetupContext context) {
        if (file == null) {
            return Optional.empty();
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--hosts " + file + ": no such file");
        }
        HostsStage stage = HostsStage.watching(file);
        return Optional.of(new SetupResult(stage, stage));
    }
}
