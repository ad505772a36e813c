package dev.clusterdns.cli.serve;

import dev.clusterdns.dns.pipeline.Stage;
import java.util.List;
import picocli.CommandLine.Option;

/** DNS server flags and start-up. Owned by the dns-server work (issue 3). */
@picocli.CommandLine.Command
public final class DnsOptions {

    @Option(names = "--dns-listen", paramLabel = "HOST:PORT", description = "DNS listen address, UDP and TCP (repeatable; default 127.0.0.1:1053).")
    List<String> listen;

    /**
     * Starts the DNS server with the cluster zone between {@code before} and {@code after} (stages
     * from {@link ResolverOptions}).
     */
    public AutoCloseable start(ServeContext context, List<Stage> before, List<Stage> after) throws Exception {
        return () -> {};
    }
}
