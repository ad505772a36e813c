package dev.clusterdns.env.pod;

/**
 * A container's environment cannot be built (kubelet would refuse to start the container): a
 * missing non-optional ConfigMap, Secret or key, or an unsupported field reference. The message names
 * the pod, the container, the variable and the reference.
 */
public final class EnvReferenceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    EnvReferenceException(String message) {
        super(message);
    }
}
