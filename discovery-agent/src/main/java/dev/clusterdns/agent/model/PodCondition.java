package dev.clusterdns.agent.model;

import com.fasterxml.jackson.annotation.JsonInclude;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record PodCondition(String type, String status) {
    public PodCondition {
        type = Strings.shared(type);
        status = Strings.shared(status);
    }
}
