package dev.clusterdns.cli.serve;

/** `--env-dir` writer flags and start-up. Owned by the env-injector work (issue 5). */
@picocli.CommandLine.Command
public final class EnvOptions implements ServeComponent {
    @Override
    public AutoCloseable start(ServeContext context) {
        return () -> {};
    }
}
