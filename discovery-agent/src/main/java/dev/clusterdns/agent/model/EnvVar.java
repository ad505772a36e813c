package dev.clusterdns.agent.model;

import com.fasterxml.jackson.annotation.JsonInclude;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record EnvVar(String name, String value, EnvVarSource valueFrom) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record EnvVarSource(
            FieldRef fieldRef, ResourceFieldRef resourceFieldRef, KeyRef configMapKeyRef, KeyRef secretKeyRef) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FieldRef(String apiVersion, String fieldPath) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ResourceFieldRef(String containerName, String resource, String divisor) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record KeyRef(String name, String key, Boolean optional) {}
}
