package dev.clusterdns.agent.model;

import com.fasterxml.jackson.annotation.JsonInclude;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ObjectReference(String kind, String namespace, String name, String uid) {
    public ObjectReference {
        kind = Strings.shared(kind);
        namespace = Strings.shared(namespace);
    }
}
