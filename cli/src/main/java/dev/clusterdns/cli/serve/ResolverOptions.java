package dev.clusterdns.cli.serve;

import dev.clusterdns.dns.pipeline.Stage;
import java.util.List;

/** Zone files, forwarding, cache and autopath flags. Owned by issue 4's work. */
@picocli.CommandLine.Command
public final class ResolverOptions {

    /** Stages that run before the cluster zone (e.g. cache, autopath). */
    public List<Stage> before(ServeContext context) throws Exception {
        return List.of();
    }

    /** Stages that run after the cluster zone (e.g. zone files, forwarding). */
    public List<Stage> after(ServeContext context) throws Exception {
        return List.of();
    }
}
