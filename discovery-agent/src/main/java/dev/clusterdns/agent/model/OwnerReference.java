package dev.clusterdns.agent.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/** metadata.ownerReferences[]: who owns (and, with `controller: true`, manages) an object. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OwnerReference(String apiVersion, String kind, String name, String uid, Boolean controller,
                             Boolean blockOwnerDeletion) {

    /** The reference a controller puts on what it makes (controller and blockOwnerDeletion true). */
    public static OwnerReference controllerOf(KubeObject owner) {
        return new OwnerReference(owner.apiVersion(), owner.kind(), owner.name(), owner.metadata().uid(), true, true);
    }
}
