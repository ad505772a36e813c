package dev.clusterdns.agent.model;

import com.fasterxml.jackson.annotation.JsonInclude;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ObjectReference(String kind, String namespace, String name, String uid) {
    public ObjectReference {
        kind = Strings.shared(kind);
        namespace = Strings.shared(namespace);
    }

    /** A reference to {@code pod} in {@code namespace}, sharing its held uid (see {@link Uids}). */
    public static ObjectReference to(Pod pod, String namespace) {
        String held = pod.metadata().heldUid();
        if (held == Uids.DERIVED_POD && !namespace.equals(pod.metadata().namespace())) {
            held = pod.metadata().uid(); // the marker derives from the reference's own namespace
        }
        return new ObjectReference("Pod", namespace, pod.name(), held);
    }

    /** The reference to the Pod whose metadata is {@code pod}, in the Pod's own namespace. */
    static ObjectReference toPod(ObjectMeta pod) {
        return new ObjectReference("Pod", pod.namespace(), pod.name(), pod.heldUid());
    }

    @Override
    public String uid() {
        return Uids.read(uid, namespace, name);
    }
}
