package dev.clusterdns.dns.file;

import dev.clusterdns.dns.pipeline.SetupContext;
import dev.clusterdns.dns.pipeline.SetupResult;
import dev.clusterdns.dns.pipeline.StageSetup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Zone files of one directory, loaded before serving and rescanned every {@code rescan}; closing
 * stops the rescan thread.
 *
 * @param dir the directory
 * @param required true when the user named it (`--zonefiles`): a missing directory is an error;
 *     the default directory may be missing (no file zones until it appears)
 * @param rescan how often the directory is checked for changes
 */
public record FileSetup(Path dir, boolean required, Duration rescan) implements StageSetup {
    public static final Path DEFAULT_DIR = Path.of("zonefiles");
    public static final Duration DEFAULT_RESCAN = Duration.ofSeconds(2);

    /** `--zonefiles DIR`, or the default directory when null. */
    public static FileSetup of(Path dirOrNull) {
        return new FileSetup(dirOrNull == null ? DEFAULT_DIR : dirOrNull, dirOrNull != null, DEFAULT_RESCAN);
    }

    @Override
    public String name() {
        return "file";
    }

    @Override
    public Optional<SetupResult> setup(SetupContext context) {
        if (required && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--zonefiles " + dir + ": not a directory");
        }
        ZoneDirectory zones = new ZoneDirectory(dir);
        zones.scan();
        zones.watch(rescan.toMillis(), TimeUnit.MILLISECONDS);
        return Optional.of(new SetupResult(new FileStage(zones::zones), zones));
    }
}
