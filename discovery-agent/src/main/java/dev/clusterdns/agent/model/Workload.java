package dev.clusterdns.agent.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A Deployment or ReplicaSet (apps/v1). They are not run: their selector and pod template matter
 * to `expose`, and listing them lets `get` show what a tutorial created.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Workload(String apiVersion, String kind, ObjectMeta metadata, Spec spec) implements KubeObject {

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Spec(Integer replicas, LabelSelector selector, PodTemplate template) {}

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record PodTemplate(ObjectMeta metadata, PodSpec spec) {}
}
