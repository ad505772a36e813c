package dev.clusterdns.agent.model;

import com.fasterxml.jackson.annotation.JsonInclude;
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
        String deletionTimestamp) {

    public ObjectMeta {
        namespace = Strings.shared(namespace);
        generateName = Strings.shared(generateName);
        creationTimestamp = Strings.shared(creationTimestamp);
        labels = Lists.copyShared(labels);
        annotations = Lists.copy(annotations);
    }

    public static ObjectMeta of(String namespace, String name) {
        return new ObjectMeta(name, null, namespace, null, null, null, null, null, null);
    }

    public ObjectMeta withNamespace(String ns) {
        return new ObjectMeta(name, generateName, ns, uid, resourceVersion, labels, annotations, creationTimestamp, deletionTimestamp);
    }

    public ObjectMeta withUid(String newUid) {
        return new ObjectMeta(name, generateName, namespace, newUid, resourceVersion, labels, annotations, creationTimestamp, deletionTimestamp);
    }

    public ObjectMeta withCreationTimestamp(String ts) {
        return new ObjectMeta(name, generateName, namespace, uid, resourceVersion, labels, annotations, ts, deletionTimestamp);
    }

    public ObjectMeta withLabels(Map<String, String> newLabels) {
        return new ObjectMeta(name, generateName, namespace, uid, resourceVersion, newLabels, annotations, creationTimestamp, deletionTimestamp);
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
