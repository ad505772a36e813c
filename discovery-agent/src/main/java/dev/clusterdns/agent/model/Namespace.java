package dev.clusterdns.agent.model;

import com.fasterxml.jackson.annotation.JsonInclude;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Namespace(String apiVersion, String kind, ObjectMeta metadata) implements KubeObject {

    public static Namespace named(String name) {
        return new Namespace("v1", "Namespace", ObjectMeta.of(null, name));
    }
}
