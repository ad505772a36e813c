package dev.clusterdns.agent.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A Deployment, ReplicaSet or StatefulSet (apps/v1). clusterdns plays their controllers: the
 * Pods they own are made by `dev.clusterdns.agent.workloads`, which also fills `status`.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Workload(String apiVersion, String kind, ObjectMeta metadata, Spec spec, Status status)
        implements KubeObject {

    public static final String DEPLOYMENT = "Deployment";
    public static final String REPLICA_SET = "ReplicaSet";
    public static final String STATEFUL_SET = "StatefulSet";

    /** Without status, as manifests give it. */
    public Workload(String apiVersion, String kind, ObjectMeta metadata, Spec spec) {
        this(apiVersion, kind, metadata, spec, null);
    }

    /**
     * @param serviceName StatefulSet: the headless Service that governs its Pods' DNS names
     * @param podManagementPolicy StatefulSet: `OrderedReady` (default) or `Parallel`
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Spec(Integer replicas, LabelSelector selector, PodTemplate template, String serviceName,
                       String podManagementPolicy) {
        public Spec(Integer replicas, LabelSelector selector, PodTemplate template) {
            this(replicas, selector, template, null, null);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record PodTemplate(ObjectMeta metadata, PodSpec spec) {}

    /** What `kubectl get` shows: READY, UP-TO-DATE, AVAILABLE, CURRENT. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Status(Integer replicas, Integer readyReplicas, Integer availableReplicas, Integer updatedReplicas,
                         Integer currentReplicas) {}

    public Workload withMetadata(ObjectMeta m) {
        return new Workload(apiVersion, kind, m, spec, status);
    }

    public Workload withStatus(Status s) {
        return new Workload(apiVersion, kind, metadata, spec, s);
    }

    /** `spec.replicas` with the API server's default (1). */
    public int replicas() {
        return spec == null || spec.replicas() == null ? 1 : spec.replicas();
    }
}
