package dev.clusterdns.agent.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ObjectMeta(
        String name,
        String generateName,
        String namespace,
        String uid,
        String resourceVersion,
        Map<String, String> labels,
        Map<String, String> annotations,
        String creationTimestamp,
        String deletionTimestamp,
        List<OwnerReference> ownerReferences) {

    public ObjectMeta {
        namespace = Strings.shared(namespace);
        generateName = Strings.shared(generateName);
        creationTimestamp = Strings.shared(creationTimestamp);
        labels = Lists.copyShared(labels);
        annotations = Lists.copy(annotations);
        ownerReferences = Lists.copy(ownerReferences);
    }

    /** The uid; for a Pod the agent assigned one to, computed from its namespace and name (see {@link Uids}). */
    @Override
    public String uid() {
        return Uids.read(uid, namespace, name);
    }

    /** The uid as held (the marker for an assigned Pod uid), for copies that keep the marker. */
    String heldUid() {
        return uid;
    }

    /** Without ownerReferences (most objects have none). */
    public ObjectMeta(String name, String generateName, String namespace, String uid, String resourceVersion,
                      Map<String, String> labels, Map<String, String> annotations, String creationTimestamp,
                      String deletionTimestamp) {
        this(name, generateName, namespace, uid, resourceVersion, labels, annotations, creationTimestamp,
                deletionTimestamp, null);
    }

    public static ObjectMeta of(String namespace, String name) {
        return new ObjectMeta(name, null, namespace, null, null, null, null, null, null);
    }

    public ObjectMeta withNamespace(String ns) {
        return new ObjectMeta(name, generateName, ns, uid, resourceVersion, labels, annotations, creationTimestamp, deletionTimestamp, ownerReferences);
    }

    public ObjectMeta withUid(String newUid) {
        return new ObjectMeta(name, generateName, namespace, newUid, resourceVersion, labels, annotations, creationTimestamp, deletionTimestamp, ownerReferences);
    }

    public ObjectMeta withCreationTimestamp(String ts) {
        return new ObjectMeta(name, generateName, namespace, uid, resourceVersion, labels, annotations, ts, deletionTimestamp, ownerReferences);
    }

    public ObjectMeta withLabels(Map<String, String> newLabels) {
        return new ObjectMeta(name, generateName, namespace, uid, resourceVersion, newLabels, annotations, creationTimestamp, deletionTimestamp, ownerReferences);
    }

    public ObjectMeta withOwnerReferences(List<OwnerReference> refs) {
        return new ObjectMeta(name, generateName, namespace, uid, resourceVersion, labels, annotations, creationTimestamp, deletionTimestamp, refs);
    }

    public ObjectMeta withAnnotations(Map<String, String> newAnnotations) {
        return new ObjectMeta(name, generateName, namespace, uid, resourceVersion, labels, newAnnotations, creationTimestamp, deletionTimestamp, ownerReferences);
    }

    /** The ownerReference with `controller: true`, or null: the object's managing controller. */
    public OwnerReference controller() {
        for (OwnerReference r : ownerReferences) {
            if (Boolean.TRUE.equals(r.controller())) {
                return r;
            }
        }
        return null;
    }

    public String label(String key) {
        return labels.get(key);
    }

    public String annotation(String key) {
        return annotations.get(key);
    }

    /** `namespace/name`, the key Kubernetes uses in caches and logs. */
    public String key() {
        return namespace == null || namespace.isEmpty() ? name : namespace + "/" + name;
    }
}
