package dev.clusterdns.dns.transfer;

import dev.clusterdns.agent.net.Cidr;
import dev.clusterdns.dns.pipeline.SetupContext;
import dev.clusterdns.dns.pipeline.SetupResult;
import dev.clusterdns.dns.pipeline.StageSetup;
import java.util.List;
import java.util.Optional;

/** `--transfer-to CIDR…`: who may AXFR/IXFR (over TCP). */
public record TransferSetup(List<Cidr> allowed) implements StageSetup {
    public static final List<String> DEFAULT_TRANSFER_TO = List.of("127.0.0.0/8", "::1/128");

    public TransferSetup {
        allowed = List.copyOf(allowed);
    }

    @Override
    public String name() {
        return "transfer";
    }

    @Override
    public Optional<SetupResult> setup(SetupContext context) {
        return Optional.of(SetupResult.of(new TransferStage(allowed)));
    }
}
