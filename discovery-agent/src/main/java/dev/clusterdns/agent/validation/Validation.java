package dev.clusterdns.agent.validation;

import dev.clusterdns.agent.model.ConfigMap;
import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Endpoints;
import dev.clusterdns.agent.model.Namespace;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.Secret;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.Workload;
import java.util.List;

/** Placeholder until the validation work lands. */
public final class Validation {
    private Validation() {}

    public static List<FieldError> service(Service s, int nodePortBase, int nodePortLast) {
        return List.of();
    }

    public static List<FieldError> pod(Pod p) {
        return List.of();
    }

    public static List<FieldError> namespace(Namespace n) {
        return List.of();
    }

    public static List<FieldError> endpointSlice(EndpointSlice s) {
        return List.of();
    }

    public static List<FieldError> endpoints(Endpoints e) {
        return List.of();
    }

    public static List<FieldError> configMap(ConfigMap c) {
        return List.of();
    }

    public static List<FieldError> secret(Secret s) {
        return List.of();
    }

    public static List<FieldError> workload(Workload w) {
        return List.of();
    }
}
