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

    /**
     * What an endpoint holds for its reference to {@code pod} in {@code namespace}: the Pod's own
     * metadata when that is its namespace (the reference is read from it, no object of its own: one
     * per Pod behind a Service), else the reference. Read back with {@link #held}.
     */
    static Object holdFor(Pod pod, String namespace) {
        ObjectMeta meta = pod.metadata();
        return namespace.equals(meta.namespace()) ? meta : to(pod, namespace);
    }

    /** The reference an endpoint holds as {@code held} (from {@link #holdFor}, a reference, or null). */
    static ObjectReference held(Object held) {
        return held instanceof ObjectMeta pod ? new ObjectReference("Pod", pod.namespace(), pod.name(), pod.heldUid())
                : (ObjectReference) held;
    }

    @Override
    public String uid() {
        return Uids.read(uid, namespace, name);
    }
}
