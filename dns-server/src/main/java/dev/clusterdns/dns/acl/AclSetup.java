package dev.clusterdns.dns.acl;

import dev.clusterdns.agent.net.Cidr;
import dev.clusterdns.dns.pipeline.SetupContext;
import dev.clusterdns.dns.pipeline.SetupResult;
import dev.clusterdns.dns.pipeline.StageSetup;
import java.util.List;
import java.util.Optional;

/** `--allow-recursion CIDR…`: who may reach the cache and the forwarder. */
public record AclSetup(List<Cidr> allowRecursion) implements StageSetup {
    public AclSetup {
        allowRecursion = List.copyOf(allowRecursion);
    }

    @Override
    public String name() {
        return "acl";
    }

    @Override
    public Optional<SetupResult> setup(SetupContext context) {
        return Optional.of(SetupResult.of(new AclStage(allowRecursion)));
    }
}
