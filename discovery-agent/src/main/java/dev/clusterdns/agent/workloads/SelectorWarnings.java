package dev.clusterdns.agent.workloads;

import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.snapshot.Problem;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Service whose selector matches no Pod is valid, and Kubernetes says nothing (`Endpoints:
 * <none>`); here it is one warning, since it is usually a typo in a label.
 */
public final class SelectorWarnings {
    private SelectorWarnings() {}

    /** @param origins `Service namespace/name` → where it came from */
    public static List<Problem> services(List<Service> services, List<Pod> pods, Map<String, String> origins) {
        List<Problem> out = new ArrayList<>();
        for (Service s : services) {
            if (!applies(s)) {
                continue;
            }
            Map<String, String> selector = s.spec().selector();
            boolean any = pods.stream().anyMatch(p -> s.namespace().equals(p.namespace())
                    && p.metadata().labels().entrySet().containsAll(selector.entrySet()));
            if (!any) {
                out.add(warning(s, origins.getOrDefault("Service " + s.metadata().key(), "controller")));
            }
        }
        return out;
    }

    /** True for a Service that selects pods by labels (a non-empty selector, not ExternalName). */
    public static boolean applies(Service s) {
        Map<String, String> selector = s.spec().selector();
        return selector != null && !selector.isEmpty() && !s.isExternalName();
    }

    /** The warning for a Service whose selector matches no pod; {@code origin} is where it came from. */
    public static Problem warning(Service s, String origin) {
        return new Problem(origin, "Service " + s.metadata().key(), "warning: selector "
                + selectorText(s.spec().selector()) + " matches no Pod in namespace " + s.namespace()
                + "; the Service has no endpoints");
    }

    private static String selectorText(Map<String, String> selector) {
        List<String> parts = new ArrayList<>();
        new java.util.TreeMap<>(selector).forEach((k, v) -> parts.add(k + "=" + v));
        return String.join(",", parts);
    }
}
