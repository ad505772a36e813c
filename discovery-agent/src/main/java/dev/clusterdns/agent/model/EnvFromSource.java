package dev.clusterdns.agent.model;

import com.fasterxml.jackson.annotation.JsonInclude;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record EnvFromSource(String prefix, SourceRef configMapRef, SourceRef secretRef) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SourceRef(String name, Boolean optional) {}
}
