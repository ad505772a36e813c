package dev.clusterdns.cli.serve;

import dev.clusterdns.env.dir.EnvDirWriter;
import dev.clusterdns.env.resolv.ResolvConf;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * `--env-dir`: keeps `DIR/<namespace>.env`, `DIR/<namespace>/<pod>.env` and
 * `DIR/<namespace>/<pod>.resolv.conf` current while `serve` runs. Owned by the env-injector work.
 */
@picocli.CommandLine.Command
public final class EnvOptions implements ServeComponent {

    @Option(names = "--env-dir", paramLabel = "DIR",
            description = "Keep env files (DIR/<ns>.env, DIR/<ns>/<pod>.env) and DIR/<ns>/<pod>.resolv.conf current.")
    Path envDir;

    /** Starts the writer; `/ready` waits for its first write. Nothing happens without `--env-dir`. */
    @Override
    public AutoCloseable start(ServeContext context) throws IOException {
        if (envDir == null) {
            return () -> { };
        }
        Runnable written = context.readiness().gate("env-dir");
        EnvDirWriter writer = new EnvDirWriter(envDir, context.agent().clusterDomain(), hostResolvConf(), List.of());
        return writer.start(context.cluster(), written);
    }

    /** The node's /etc/resolv.conf for dnsPolicy Default pods; none when unreadable. */
    private static ResolvConf hostResolvConf() {
        Path file = Path.of("/etc/resolv.conf");
        try {
            return ResolvConf.parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("clusterdns: --env-dir: cannot use " + file + " (" + e.getMessage()
                    + "); dnsPolicy Default pods get 127.0.0.1");
            return null;
        }
    }
}
