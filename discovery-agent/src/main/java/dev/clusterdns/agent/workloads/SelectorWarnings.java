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
            Map<String, String> selector = s.spec().selector();
            if (selector == null || selector.isEmpty() || s.isExternalName()) {
                continue;
            }
            boolean any = pods.stream().anyMatch(p -> s.namespace().equals(p.namespace())
                    && p.metadata().labels().entrySet().containsAll(selector.entrySet()));
            if (!any) {
                String object = "Service " + s.metadata().key();
                out.add(new Problem(origins.getOrDefault(object, "controller"), object, "warning: selector "
                        + selectorText(selector) + " matches no Pod in namespace " + s.namespace()
                        + "; the Service has no endpoints"));
            }
        }
        return out;
    }

    private static String selectorText(Map<String, String> selector) {
        List<String> parts = new ArrayList<>();
        new java.util.TreeMap<>(selector).forEach((k, v) -> parts.add(k + "=" + v));
        return String.join(",", parts);
    }
}
