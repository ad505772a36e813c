package dev.clusterdns.agent.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A Pod's status: its IP, and the rest ({@link Common}: phase, host IP, conditions), which the Pods
 * of a workload share. A class rather than a record because a {@link Pod} keeps the two parts itself
 * and makes its status when asked (one object fewer per Pod); reads exactly as the record did: the
 * same accessors, JSON, equality and text.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"phase", "podIP", "podIPs", "hostIP", "conditions"})
public final class PodStatus {
    /**
     * Held instead of {@code podIPs} when that is exactly {@code [podIP]} (nearly every Pod): the list
     * is made again when read, so 150,000 Pods do not keep 150,000 one-element lists.
     */
    private static final List<PodIP> JUST_POD_IP = Collections.unmodifiableList(new ArrayList<>());
    private static final PodStatus EMPTY = new PodStatus(null, null, null, null, null);

    /** Everything but the IP: many Pods hold equal ones, shared through {@link SharedValues}. */
    record Common(String phase, List<PodIP> podIPs, String hostIP, List<PodCondition> conditions) {}

    private final String podIP;
    private final Common common;

    @JsonCreator
    public PodStatus(@JsonProperty("phase") String phase, @JsonProperty("podIP") String podIP,
                     @JsonProperty("podIPs") List<PodIP> podIPs, @JsonProperty("hostIP") String hostIP,
                     @JsonProperty("conditions") List<PodCondition> conditions) {
        List<PodIP> ips = Lists.copy(podIPs);
        if (podIP != null && ips.size() == 1 && podIP.equals(ips.get(0).ip())) {
            podIP = ips.get(0).ip(); // one string for both
            ips = JUST_POD_IP;
        }
        this.podIP = podIP;
        this.common = new Common(Strings.shared(phase), ips, Strings.shared(hostIP), Lists.copy(conditions));
    }

    /** From parts already normalised (a Pod's, see {@link Pod#status()}). */
    PodStatus(String podIP, Common common) {
        this.podIP = podIP;
        this.common = common;
    }

    static PodStatus empty() {
        return EMPTY;
    }

    Common common() {
        return common;
    }

    /** Whether {@code c} holds nothing of one Pod's own (its IP list is just its IP, or none). */
    static boolean sharable(Common c) {
        return c.podIPs() == JUST_POD_IP || c.podIPs().isEmpty();
    }

    @JsonProperty("phase")
    public String phase() {
        return common.phase();
    }

    @JsonProperty("podIP")
    public String podIP() {
        return podIP;
    }

    @JsonProperty("podIPs")
    public List<PodIP> podIPs() {
        return podIPs(podIP, common);
    }

    /** {@link #podIPs()} of a status held as its two parts. */
    static List<PodIP> podIPs(String podIP, Common common) {
        return common.podIPs() == JUST_POD_IP ? List.of(new PodIP(podIP)) : common.podIPs();
    }

    @JsonProperty("hostIP")
    public String hostIP() {
        return common.hostIP();
    }

    @JsonProperty("conditions")
    public List<PodCondition> conditions() {
        return common.conditions();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PodStatus s && Objects.equals(podIP, s.podIP) && common.equals(s.common);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hashCode(podIP) + common.hashCode();
    }

    @Override
    public String toString() {
        return "PodStatus[phase=" + phase() + ", podIP=" + podIP + ", podIPs=" + podIPs() + ", hostIP=" + hostIP()
                + ", conditions=" + conditions() + "]";
    }
}
