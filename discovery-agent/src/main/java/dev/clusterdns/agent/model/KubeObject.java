package dev.clusterdns.agent.model;

/** What every loaded Kubernetes object has. */
public interface KubeObject {
    String apiVersion();

    String kind();

    ObjectMeta metadata();

    default String name() {
        return metadata().name();
    }

    default String namespace() {
        return metadata().namespace();
    }
}
