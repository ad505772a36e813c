package dev.clusterdns.agent.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record PodStatus(String phase, String podIP, List<PodIP> podIPs, String hostIP, List<PodCondition> conditions) {
    public PodStatus {
        phase = Strings.shared(phase);
        hostIP = Strings.shared(hostIP);
        podIPs = Lists.copy(podIPs);
        conditions = Lists.copy(conditions);
        // `podIP` repeats `podIPs[0]`: one string for both.
        if (podIP != null && !podIPs.isEmpty() && podIP.equals(podIPs.get(0).ip())) {
            podIP = podIPs.get(0).ip();
        }
    }

    static PodStatus empty() {
        return new PodStatus(null, null, null, null, null);
    }
}
