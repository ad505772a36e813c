package dev.clusterdns.cli.serve;

/** L4 proxy flags and start-up. Owned by the proxy work (issue 6). */
@picocli.CommandLine.Command
public final class ProxyOptions implements ServeComponent {
    @Override
    public AutoCloseable start(ServeContext context) {
        return () -> {};
    }
}
