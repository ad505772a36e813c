package dev.clusterdns.agent.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Pod(String apiVersion, String kind, ObjectMeta metadata, PodSpec spec, PodStatus status)
        implements KubeObject {

    public Pod {
        apiVersion = Strings.shared(apiVersion);
        kind = Strings.shared(kind);
        if (spec == null) {
            spec = PodSpec.empty();
        }
        if (status == null) {
            status = PodStatus.empty();
        }
    }

    /** All pod IPs, primary first: `status.podIPs`, else `status.podIP`. */
    @JsonIgnore
    public List<String> podIPs() {
        List<String> ips = new ArrayList<>();
        for (PodIP ip : status.podIPs()) {
            if (ip.ip() != null && !ip.ip().isEmpty() && !ips.contains(ip.ip())) {
                ips.add(ip.ip());
            }
        }
        if (ips.isEmpty() && status.podIP() != null && !status.podIP().isEmpty()) {
            ips.add(status.podIP());
        }
        return ips;
    }

    /**
     * Ready as the endpoints controller sees it: the Ready condition is True. A pod manifest with an
     * IP and no conditions at all counts as ready here (hand-written manifests rarely carry status
     * conditions); an explicit Ready=False is honoured.
     */
    @JsonIgnore
    public boolean isReady() {
        for (PodCondition c : status.conditions()) {
            if ("Ready".equals(c.type())) {
                return "True".equals(c.status());
            }
        }
        return status.conditions().isEmpty() && !podIPs().isEmpty();
    }

    @JsonIgnore
    public boolean isTerminating() {
        return metadata.deletionTimestamp() != null && !metadata.deletionTimestamp().isEmpty();
    }

    @JsonIgnore
    public boolean isFinished() {
        return "Failed".equals(status.phase()) || "Succeeded".equals(status.phase());
    }
}
