package dev.clusterdns.agent.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record PodStatus(String phase, String podIP, List<PodIP> podIPs, String hostIP, List<PodCondition> conditions) {
    /**
     * Held instead of {@code podIPs} when that is exactly {@code [podIP]} (nearly every Pod): the list
     * is made again when read, so 150,000 Pods do not keep 150,000 one-element lists.
     */
    private static final List<PodIP> JUST_POD_IP = Collections.unmodifiableList(new ArrayList<>());

    public PodStatus {
        phase = Strings.shared(phase);
        hostIP = Strings.shared(hostIP);
        conditions = Lists.copy(conditions);
        if (podIPs != JUST_POD_IP) {
            podIPs = Lists.copy(podIPs);
            if (podIP != null && podIPs.size() == 1 && podIP.equals(podIPs.get(0).ip())) {
                podIP = podIPs.get(0).ip(); // one string for both
                podIPs = JUST_POD_IP;
            }
        }
    }

    @Override
    public List<PodIP> podIPs() {
        return podIPs == JUST_POD_IP ? List.of(new PodIP(podIP)) : podIPs;
    }

    static PodStatus empty() {
        return new PodStatus(null, null, null, null, null);
    }
}
