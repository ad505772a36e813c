package dev.clusterdns.agent.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

/** networking.k8s.io/v1 IngressClass (cluster-scoped): which controller serves Ingresses of a class. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IngressClass(String apiVersion, String kind, ObjectMeta metadata, Spec spec) implements KubeObject {

    /** Marks the class admission gives Ingresses that name none. */
    public static final String DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class";

    public IngressClass {
        if (spec == null) {
            spec = new Spec(null, null);
        }
    }

    public IngressClass withMetadata(ObjectMeta m) {
        return new IngressClass(apiVersion, kind, m, spec);
    }

    @JsonIgnore
    public boolean isDefault() {
        return metadata != null && "true".equals(metadata.annotation(DEFAULT_CLASS_ANNOTATION));
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Spec(String controller, Parameters parameters) {}

    /** `IngressClassParametersReference`. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Parameters(String apiGroup, String kind, String name, String scope, String namespace) {}
}
