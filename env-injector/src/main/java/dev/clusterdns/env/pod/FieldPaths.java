package dev.clusterdns.env.pod;

import dev.clusterdns.agent.model.Pod;
import java.util.List;

/**
 * Downward-API `fieldRef` paths a container's env may use (the set the API server accepts for env),
 * resolved as kubelet does.
 */
final class FieldPaths {
    static final List<String> SUPPORTED = List.of("metadata.name", "metadata.namespace", "metadata.uid",
            "metadata.labels['<key>']", "metadata.annotations['<key>']", "spec.nodeName", "spec.serviceAccountName",
            "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs");

    private FieldPaths() {}

    /** The value, or null when the path is not one kubelet resolves for env. */
    static String resolve(Pod pod, String path) {
        if (path == null) {
            return null;
        }
        switch (path) {
            case "metadata.name":
                return orEmpty(pod.metadata().name());
            case "metadata.namespace":
                return orEmpty(pod.metadata().namespace());
            case "metadata.uid":
                return orEmpty(pod.metadata().uid());
            case "spec.nodeName":
                return orEmpty(pod.spec().nodeName());
            case "spec.serviceAccountName": {
                // The ServiceAccount admission plugin sets "default" on every pod that names none.
                String sa = pod.spec().serviceAccountName();
                return sa == null || sa.isEmpty() ? "default" : sa;
            }
            case "status.hostIP":
            case "status.hostIPs":
                return orEmpty(pod.status().hostIP());
            case "status.podIP": {
                List<String> ips = pod.podIPs();
                return ips.isEmpty() ? "" : ips.get(0);
            }
            case "status.podIPs":
                return String.join(",", pod.podIPs());
            default:
                break;
        }
        String labelKey = subscript(path, "metadata.labels");
        if (labelKey != null) {
            return orEmpty(pod.metadata().label(labelKey));
        }
        String annotationKey = subscript(path, "metadata.annotations");
        if (annotationKey != null) {
            return orEmpty(pod.metadata().annotation(annotationKey));
        }
        return null;
    }

    /** `metadata.labels['app']` → `app` for base `metadata.labels`; null when the path is not that shape. */
    private static String subscript(String path, String base) {
        String open = base + "['";
        if (path.startsWith(open) && path.endsWith("']") && path.length() > open.length() + 2) {
            return path.substring(open.length(), path.length() - 2);
        }
        return null;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
