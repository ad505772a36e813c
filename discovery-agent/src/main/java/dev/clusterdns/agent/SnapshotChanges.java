package dev.clusterdns.agent;

import dev.clusterdns.agent.model.KubeObject;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.Workload;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * What changed between two snapshots, one line per object, in kubectl's short kind names:
 * `+svc default/web`, `-pod default/web-0`, `~deploy default/my-nginx replicas 2→3`,
 * `~pod default/web-0 ready false→true`. Nothing for the first snapshot (the counts say enough).
 */
final class SnapshotChanges {
    static final int MAX_LINES = 40;

    private SnapshotChanges() {}

    static List<String> between(ClusterSnapshot before, ClusterSnapshot after) {
        List<String> lines = new ArrayList<>();
        if (before == null || before.revision() == 0) {
            return lines;
        }
        diff("svc", before.services(), after.services(), SnapshotChanges::serviceChange, lines);
        List<Workload> oldWorkloads = before.workloads();
        List<Workload> newWorkloads = after.workloads();
        for (String kind : List.of(Workload.DEPLOYMENT, Workload.STATEFUL_SET, Workload.REPLICA_SET)) {
            diff(shortName(kind), oldWorkloads.stream().filter(w -> kind.equals(w.kind())).toList(),
                    newWorkloads.stream().filter(w -> kind.equals(w.kind())).toList(), SnapshotChanges::workloadChange, lines);
        }
        diff("pod", before.pods(), after.pods(), SnapshotChanges::podChange, lines);
        if (lines.size() > MAX_LINES) {
            int more = lines.size() - MAX_LINES;
            lines = new ArrayList<>(lines.subList(0, MAX_LINES));
            lines.add("… and " + more + " more change(s)");
        }
        return lines;
    }

    static String shortName(String kind) {
        return switch (kind) {
            case Workload.DEPLOYMENT -> "deploy";
            case Workload.REPLICA_SET -> "rs";
            case Workload.STATEFUL_SET -> "sts";
            default -> kind.toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static <T extends KubeObject> void diff(String kind, List<T> before, List<T> after,
                                                    BiFunction<T, T, String> change, List<String> out) {
        Map<String, T> old = index(before);
        Map<String, T> now = index(after);
        for (Map.Entry<String, T> e : now.entrySet()) {
            T was = old.get(e.getKey());
            if (was == null) {
                out.add("+" + kind + " " + e.getKey());
            } else {
                String what = change.apply(was, e.getValue());
                if (what != null) {
                    out.add("~" + kind + " " + e.getKey() + (what.isEmpty() ? "" : " " + what));
                }
            }
        }
        for (String key : old.keySet()) {
            if (!now.containsKey(key)) {
                out.add("-" + kind + " " + key);
            }
        }
    }

    private static <T extends KubeObject> Map<String, T> index(List<T> objects) {
        Map<String, T> out = new TreeMap<>();
        objects.forEach(o -> out.put(o.metadata().key(), o));
        return out;
    }

    /** Null when unchanged. */
    private static String serviceChange(Service a, Service b) {
        return Objects.equals(a.spec(), b.spec()) && Objects.equals(a.metadata().labels(), b.metadata().labels()) ? null : "";
    }

    private static String workloadChange(Workload a, Workload b) {
        List<String> parts = new ArrayList<>();
        if (a.replicas() != b.replicas()) {
            parts.add("replicas " + a.replicas() + "→" + b.replicas());
        }
        if (a.spec() != null && b.spec() != null && !Objects.equals(a.spec().template(), b.spec().template())) {
            parts.add("template");
        }
        int readyA = ready(a);
        int readyB = ready(b);
        if (readyA != readyB) {
            parts.add("ready " + readyA + "→" + readyB);
        }
        if (parts.isEmpty()) {
            return Objects.equals(a.spec(), b.spec()) ? null : "";
        }
        return String.join(", ", parts);
    }

    private static int ready(Workload w) {
        return w.status() == null || w.status().readyReplicas() == null ? 0 : w.status().readyReplicas();
    }

    private static String podChange(Pod a, Pod b) {
        List<String> parts = new ArrayList<>();
        if (a.isReady() != b.isReady()) {
            parts.add("ready " + a.isReady() + "→" + b.isReady());
        }
        if (!a.podIPs().equals(b.podIPs())) {
            parts.add("ip " + String.join(",", a.podIPs()) + "→" + String.join(",", b.podIPs()));
        }
        if (parts.isEmpty()) {
            return Objects.equals(a.spec(), b.spec()) && Objects.equals(a.metadata().labels(), b.metadata().labels()) ? null : "";
        }
        return String.join(", ", parts);
    }
}
