package dev.clusterdns.agent.validation;

import dev.clusterdns.agent.model.LabelSelector;
import java.util.Map;

/** metav1.LabelSelector matching, for checking a workload's selector against its template. */
public final class LabelMatch {
    private LabelMatch() {}

    public static boolean matches(LabelSelector selector, Map<String, String> labels) {
        for (Map.Entry<String, String> e : selector.matchLabels().entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        for (LabelSelector.Requirement r : selector.matchExpressions()) {
            String v = labels.get(r.key());
            boolean ok = switch (r.operator() == null ? "" : r.operator()) {
                case "In" -> v != null && r.values().contains(v);
                case "NotIn" -> v == null || !r.values().contains(v);
                case "Exists" -> labels.containsKey(r.key());
                case "DoesNotExist" -> !labels.containsKey(r.key());
                default -> false;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
