package dev.clusterdns.agent.model;

import com.fasterxml.jackson.annotation.JsonInclude;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ServiceStatus(LoadBalancerStatus loadBalancer) {
    public ServiceStatus {
        if (loadBalancer == null) {
            loadBalancer = new LoadBalancerStatus(null);
        }
    }

    static ServiceStatus empty() {
        return new ServiceStatus(null);
    }
}
