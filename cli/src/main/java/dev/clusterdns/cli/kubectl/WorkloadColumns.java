package dev.clusterdns.cli.kubectl;

import dev.clusterdns.agent.model.Container;
import dev.clusterdns.agent.model.LabelSelector;
import dev.clusterdns.agent.model.Workload;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * kubectl's columns for Deployments (`NAME READY UP-TO-DATE AVAILABLE AGE`), ReplicaSets
 * (`NAME DESIRED CURRENT READY AGE`) and StatefulSets (`NAME READY AGE`), with `-o wide`'s
 * CONTAINERS, IMAGES and (not for StatefulSets) SELECTOR.
 */
public final class WorkloadColumns {
    private WorkloadColumns() {}

    public static List<String> headers(String plural, boolean wide) {
        List<String> h = new ArrayList<>(switch (plural) {
            case "deployments" -> List.of("NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE");
            case "replicasets" -> List.of("NAME", "DESIRED", "CURRENT", "READY", "AGE");
            default -> List.of("NAME", "READY", "AGE");
        });
        if (wide) {
            h.addAll(List.of("CONTAINERS", "IMAGES"));
            if (!"statefulsets".equals(plural)) {
                h.add("SELECTOR");
            }
        }
        return h;
    }

    public static List<String> row(Workload w, boolean wide, Instant now) {
        Workload.Status s = w.status() == null ? new Workload.Status(0, 0, 0, 0, 0) : w.status();
        int desired = w.replicas();
        String age = Age.since(w.metadata().creationTimestamp(), now);
        List<String> row = new ArrayList<>(switch (w.kind()) {
            case Workload.DEPLOYMENT -> List.of(w.name(), n(s.readyReplicas()) + "/" + desired,
                    Integer.toString(n(s.updatedReplicas())), Integer.toString(n(s.availableReplicas())), age);
            case Workload.REPLICA_SET -> List.of(w.name(), Integer.toString(desired), Integer.toString(n(s.replicas())),
                    Integer.toString(n(s.readyReplicas())), age);
            default -> List.of(w.name(), n(s.readyReplicas()) + "/" + desired, age);
        });
        if (wide) {
            List<Container> cs = w.spec() == null || w.spec().template() == null || w.spec().template().spec() == null
                    ? List.of() : w.spec().template().spec().containers();
            row.add(cs.isEmpty() ? "<none>" : String.join(",", cs.stream().map(Container::name).toList()));
            row.add(cs.isEmpty() ? "<none>" : String.join(",", cs.stream().map(c -> c.image() == null ? "" : c.image()).toList()));
            if (!Workload.STATEFUL_SET.equals(w.kind())) {
                row.add(selector(w.spec() == null ? null : w.spec().selector()));
            }
        }
        return row;
    }

    /** metav1.FormatLabelSelector: `a=b,c in (d,e),!f`. */
    static String selector(LabelSelector sel) {
        if (sel == null || sel.matchLabels().isEmpty() && sel.matchExpressions().isEmpty()) {
            return "<none>";
        }
        List<String> parts = new ArrayList<>();
        new TreeMap<>(sel.matchLabels()).forEach((k, v) -> parts.add(k + "=" + v));
        for (LabelSelector.Requirement r : sel.matchExpressions()) {
            String values = "(" + String.join(",", r.values()) + ")";
            parts.add(switch (r.operator() == null ? "" : r.operator()) {
                case "In" -> r.key() + " in " + values;
                case "NotIn" -> r.key() + " notin " + values;
                case "Exists" -> r.key();
                case "DoesNotExist" -> "!" + r.key();
                default -> r.key() + " " + r.operator() + " " + values;
            });
        }
        return String.join(",", parts);
    }

    private static int n(Integer v) {
        return v == null ? 0 : v;
    }
}
