package dev.clusterdns.agent.endpoints;

import dev.clusterdns.agent.model.Pod;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The pods that can back a Service, by namespace, with an inverted label index so that a selector
 * costs about the size of its smallest matching label set instead of a scan of the namespace.
 * Built once per reconcile; finished (Failed/Succeeded) pods and pods without an IP are left out
 * here because neither controller ever includes them.
 */
final class PodIndex {
    private static final Comparator<CandidatePod> BY_NAME = Comparator
            .comparing((CandidatePod c) -> nullToEmpty(c.pod().name()))
            .thenComparing(c -> nullToEmpty(c.pod().metadata().uid()));

    private final Map<String, Namespace> byNamespace;

    private PodIndex(Map<String, Namespace> byNamespace) {
        this.byNamespace = byNamespace;
    }

    static PodIndex of(List<Pod> pods) {
        Map<String, List<CandidatePod>> grouped = new HashMap<>();
        for (Pod pod : pods) {
            CandidatePod candidate = CandidatePod.of(pod);
            if (candidate != null) {
                grouped.computeIfAbsent(EndpointsController.namespaceOf(pod), k -> new ArrayList<>()).add(candidate);
            }
        }
        Map<String, Namespace> index = new HashMap<>();
        grouped.forEach((ns, list) -> {
            list.sort(BY_NAME);
            index.put(ns, new Namespace(List.copyOf(list)));
        });
        return new PodIndex(index);
    }

    /**
     * The candidate pods of the namespace whose labels contain every selector entry, ordered by
     * name. An empty selector selects every pod of the namespace.
     */
    List<CandidatePod> select(String namespace, Map<String, String> selector) {
        Namespace ns = byNamespace.get(namespace);
        if (ns == null) {
            return List.of();
        }
        return ns.select(selector);
    }

    /** A YAML `key:` with no value is the empty string to Kubernetes. */
    private static String valueOf(String labelValue) {
        return labelValue == null ? "" : labelValue;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    /** One namespace's pods; the label index is built on the first non-empty selector. */
    private static final class Namespace {
        private final List<CandidatePod> pods;
        private Map<String, Map<String, int[]>> postings;

        Namespace(List<CandidatePod> pods) {
            this.pods = pods;
        }

        List<CandidatePod> select(Map<String, String> selector) {
            if (selector.isEmpty()) {
                return pods;
            }
            int[] smallest = null;
            for (Map.Entry<String, String> e : selector.entrySet()) {
                int[] posting = postings().getOrDefault(e.getKey(), Map.of()).get(valueOf(e.getValue()));
                if (posting == null) {
                    return List.of();
                }
                if (smallest == null || posting.length < smallest.length) {
                    smallest = posting;
                }
            }
            List<CandidatePod> selected = new ArrayList<>(smallest.length);
            for (int i : smallest) {
                CandidatePod pod = pods.get(i);
                if (matches(selector, pod.pod().metadata().labels())) {
                    selected.add(pod);
                }
            }
            return selected;
        }

        private static boolean matches(Map<String, String> selector, Map<String, String> labels) {
            for (Map.Entry<String, String> e : selector.entrySet()) {
                if (!labels.containsKey(e.getKey()) || !valueOf(e.getValue()).equals(valueOf(labels.get(e.getKey())))) {
                    return false;
                }
            }
            return true;
        }

        private Map<String, Map<String, int[]>> postings() {
            if (postings == null) {
                Map<String, Map<String, List<Integer>>> building = new HashMap<>();
                for (int i = 0; i < pods.size(); i++) {
                    for (Map.Entry<String, String> label : pods.get(i).pod().metadata().labels().entrySet()) {
                        building.computeIfAbsent(label.getKey(), k -> new HashMap<>())
                                .computeIfAbsent(valueOf(label.getValue()), v -> new ArrayList<>())
                                .add(i);
                    }
                }
                Map<String, Map<String, int[]>> built = new HashMap<>();
                building.forEach((key, values) -> {
                    Map<String, int[]> byValue = new HashMap<>();
                    values.forEach((value, positions) ->
                            byValue.put(value, positions.stream().mapToInt(Integer::intValue).toArray()));
                    built.put(key, byValue);
                });
                postings = built;
            }
            return postings;
        }
    }
}
