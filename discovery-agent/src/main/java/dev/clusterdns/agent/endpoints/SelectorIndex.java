package dev.clusterdns.agent.endpoints;

import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.Service;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The managed Services of one namespace by one entry of their selector, so that finding the Services
 * a pod's labels satisfy costs about the pod's label count, not a try of every Service: a namespace
 * of a hundred Services and thousands of pods would otherwise cost every pair.
 */
public final class SelectorIndex {
    /** Label key → value → the Services indexed under that entry (each under one entry of its selector). */
    private final Map<String, Map<String, List<Service>>> byEntry = new HashMap<>();
    /** Services with an empty selector: they select every pod. */
    private final List<Service> everyPod = new ArrayList<>();

    private SelectorIndex() {}

    public static SelectorIndex of(Collection<Service> services) {
        SelectorIndex index = new SelectorIndex();
        for (Service s : services) {
            if (!EndpointsController.isManaged(s)) {
                continue;
            }
            Map<String, String> selector = s.spec().selector();
            if (selector.isEmpty()) {
                index.everyPod.add(s);
                continue;
            }
            Map.Entry<String, String> first = selector.entrySet().iterator().next();
            index.byEntry.computeIfAbsent(first.getKey(), k -> new HashMap<>())
                    .computeIfAbsent(valueOf(first.getValue()), v -> new ArrayList<>()).add(s);
        }
        return index;
    }

    /** The indexed Services whose selector {@code pod} satisfies (see {@link EndpointsController#mayInclude}). */
    public List<Service> selecting(Pod pod) {
        List<Service> out = new ArrayList<>(2);
        for (Service s : everyPod) {
            if (EndpointsController.mayInclude(s, pod)) {
                out.add(s);
            }
        }
        Map<String, String> labels = pod.metadata().labels();
        if (labels == null) {
            return out;
        }
        for (Map.Entry<String, String> label : labels.entrySet()) {
            Map<String, List<Service>> byValue = byEntry.get(label.getKey());
            List<Service> candidates = byValue == null ? null : byValue.get(valueOf(label.getValue()));
            if (candidates != null) {
                for (Service s : candidates) {
                    if (EndpointsController.mayInclude(s, pod)) {
                        out.add(s);
                    }
                }
            }
        }
        return out;
    }

    /** A YAML `key:` with no value is the empty string to Kubernetes. */
    private static String valueOf(String v) {
        return v == null ? "" : v;
    }
}
