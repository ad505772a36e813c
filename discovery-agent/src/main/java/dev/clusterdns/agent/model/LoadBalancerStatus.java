package dev.clusterdns.agent.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record LoadBalancerStatus(List<LoadBalancerIngress> ingress) {
    public LoadBalancerStatus {
        ingress = Lists.copy(ingress);
    }
}
