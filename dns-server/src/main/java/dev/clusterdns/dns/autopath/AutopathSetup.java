package dev.clusterdns.dns.autopath;

import dev.clusterdns.dns.cluster.PodMode;
import dev.clusterdns.dns.pipeline.SetupContext;
import dev.clusterdns.dns.pipeline.SetupResult;
import dev.clusterdns.dns.pipeline.StageSetup;
import java.util.List;
import java.util.Optional;

/**
 * `--autopath`: needs `--pods verified`, as CoreDNS's `autopath @kubernetes` does: the client's
 * namespace comes from the pod at its source IP, which must really exist.
 *
 * @param pods the cluster zone's pod mode
 * @param hostSearch the host's search domains (tried after the cluster's)
 */
public record AutopathSetup(PodMode pods, List<String> hostSearch) implements StageSetup {

    public AutopathSetup {
        hostSearch = List.copyOf(hostSearch);
    }

    @Override
    public String name() {
        return "autopath";
    }

    @Override
    public Optional<SetupResult> setup(SetupContext context) {
        if (pods != PodMode.VERIFIED) {
            throw new IllegalArgumentException("--autopath needs --pods verified (the client's namespace comes from "
                    + "the pod with its source IP), got --pods " + pods.name().toLowerCase(java.util.Locale.ROOT));
        }
        return Optional.of(SetupResult.of(new AutopathStage(context.cluster(), context.clusterDomain(), hostSearch)));
    }
}
