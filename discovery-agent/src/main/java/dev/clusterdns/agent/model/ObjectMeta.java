package dev.clusterdns.agent.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Object metadata. A class rather than a record so that what most objects leave empty (generateName,
 * annotations, deletionTimestamp, ownerReferences) is held in one part, absent when all of it is
 * and shared between the Pods of a workload ({@link SharedValues}): there is one per object, 150,000
 * Pods in a large cluster, and a record held ten fields each. Reads exactly as the record did: the
 * same accessors, JSON, equality and text.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"name", "generateName", "namespace", "uid", "resourceVersion", "labels", "annotations",
        "creationTimestamp", "deletionTimestamp", "ownerReferences"})
public final class ObjectMeta {
    private final String name;
    private final String namespace;
    /** As held: for a Pod the agent assigned a uid to, the marker (see {@link Uids}). */
    private final String uid;
    private final String resourceVersion;
    private final Map<String, String> labels;
    private final String creationTimestamp;
    /** The fields most objects leave empty; null when all of them are. */
    private final Rest rest;

    /** The fields most objects leave empty (never all empty: then there is no Rest). */
    record Rest(String generateName, Map<String, String> annotations, String deletionTimestamp,
                List<OwnerReference> ownerReferences) {
        static Rest of(String generateName, Map<String, String> annotations, String deletionTimestamp,
                       List<OwnerReference> ownerReferences) {
            return generateName == null && annotations.isEmpty() && deletionTimestamp == null && ownerReferences.isEmpty()
                    ? null : new Rest(generateName, annotations, deletionTimestamp, ownerReferences);
        }
    }

    @JsonCreator
    public ObjectMeta(@JsonProperty("name") String name,
                      @JsonProperty("generateName") String generateName,
                      @JsonProperty("namespace") String namespace,
                      @JsonProperty("uid") String uid,
                      @JsonProperty("resourceVersion") String resourceVersion,
                      @JsonProperty("labels") Map<String, String> labels,
                      @JsonProperty("annotations") Map<String, String> annotations,
                      @JsonProperty("creationTimestamp") String creationTimestamp,
                      @JsonProperty("deletionTimestamp") String deletionTimestamp,
                      @JsonProperty("ownerReferences") List<OwnerReference> ownerReferences) {
        this(name, Strings.shared(namespace), uid, resourceVersion, Lists.copyShared(labels),
                Strings.shared(creationTimestamp), Rest.of(Strings.shared(generateName), Lists.copy(annotations),
                        deletionTimestamp, Lists.copy(ownerReferences)));
    }

    /** From parts already normalised (by the public constructor, or taken from another ObjectMeta). */
    private ObjectMeta(String name, String namespace, String uid, String resourceVersion, Map<String, String> labels,
                       String creationTimestamp, Rest rest) {
        this.name = name;
        this.namespace = namespace;
        this.uid = uid;
        this.resourceVersion = resourceVersion;
        this.labels = labels;
        this.creationTimestamp = creationTimestamp;
        this.rest = rest;
    }

    @JsonProperty("name")
    public String name() {
        return name;
    }

    @JsonProperty("generateName")
    public String generateName() {
        return rest == null ? null : rest.generateName();
    }

    @JsonProperty("namespace")
    public String namespace() {
        return namespace;
    }

    @JsonProperty("resourceVersion")
    public String resourceVersion() {
        return resourceVersion;
    }

    @JsonProperty("labels")
    public Map<String, String> labels() {
        return labels;
    }

    @JsonProperty("annotations")
    public Map<String, String> annotations() {
        return rest == null ? Map.of() : rest.annotations();
    }

    @JsonProperty("creationTimestamp")
    public String creationTimestamp() {
        return creationTimestamp;
    }

    @JsonProperty("deletionTimestamp")
    public String deletionTimestamp() {
        return rest == null ? null : rest.deletionTimestamp();
    }

    @JsonProperty("ownerReferences")
    public List<OwnerReference> ownerReferences() {
        return rest == null ? List.of() : rest.ownerReferences();
    }

    /** The part most objects leave empty (null when all of it is), for {@link SharedValues}. */
    Rest rest() {
        return rest;
    }

    /** The same metadata holding {@code shared}, a part equal to its own (for {@link SharedValues}). */
    ObjectMeta withRest(Rest shared) {
        return new ObjectMeta(name, namespace, uid, resourceVersion, labels, creationTimestamp, shared);
    }

    /** The uid; for a Pod the agent assigned one to, computed from its namespace and name (see {@link Uids}). */
    @JsonProperty("uid")
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
        return new ObjectMeta(name, Strings.shared(ns), uid, resourceVersion, labels, creationTimestamp, rest);
    }

    public ObjectMeta withUid(String newUid) {
        return new ObjectMeta(name, namespace, newUid, resourceVersion, labels, creationTimestamp, rest);
    }

    public ObjectMeta withCreationTimestamp(String ts) {
        return new ObjectMeta(name, namespace, uid, resourceVersion, labels, Strings.shared(ts), rest);
    }

    public ObjectMeta withLabels(Map<String, String> newLabels) {
        return new ObjectMeta(name, namespace, uid, resourceVersion, Lists.copyShared(newLabels), creationTimestamp, rest);
    }

    public ObjectMeta withOwnerReferences(List<OwnerReference> refs) {
        return new ObjectMeta(name, generateName(), namespace, uid, resourceVersion, labels, annotations(), creationTimestamp,
                deletionTimestamp(), refs);
    }

    public ObjectMeta withAnnotations(Map<String, String> newAnnotations) {
        return new ObjectMeta(name, generateName(), namespace, uid, resourceVersion, labels, newAnnotations, creationTimestamp,
                deletionTimestamp(), ownerReferences());
    }

    /** The ownerReference with `controller: true`, or null: the object's managing controller. */
    public OwnerReference controller() {
        for (OwnerReference r : ownerReferences()) {
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
        return annotations().get(key);
    }

    /** `namespace/name`, the key Kubernetes uses in caches and logs. */
    public String key() {
        return namespace == null || namespace.isEmpty() ? name : namespace + "/" + name;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ObjectMeta m && Objects.equals(name, m.name) && Objects.equals(namespace, m.namespace)
                && Objects.equals(uid, m.uid) && Objects.equals(resourceVersion, m.resourceVersion)
                && labels.equals(m.labels) && Objects.equals(creationTimestamp, m.creationTimestamp)
                && Objects.equals(rest, m.rest);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, namespace, uid, resourceVersion, labels, creationTimestamp, rest);
    }

    @Override
    public String toString() {
        return "ObjectMeta[name=" + name + ", generateName=" + generateName() + ", namespace=" + namespace + ", uid=" + uid
                + ", resourceVersion=" + resourceVersion + ", labels=" + labels + ", annotations=" + annotations()
                + ", creationTimestamp=" + creationTimestamp + ", deletionTimestamp=" + deletionTimestamp()
                + ", ownerReferences=" + ownerReferences() + "]";
    }
}
