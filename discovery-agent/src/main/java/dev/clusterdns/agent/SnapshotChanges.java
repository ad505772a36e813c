package dev.clusterdns.agent;

import dev.clusterdns.agent.snapshot.NamespaceObjects;
import dev.clusterdns.agent.snapshot.SnapshotChange;

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

    /** The lines for the objects {@code after.change()} names (nothing when it names everything). */
    static List<String> between(ClusterSnapshot before, ClusterSnapshot after) {
        List<String> lines = new ArrayList<>();
        SnapshotChange change = after.change();
        if (before == null || before.revision() == 0 || change.isEverything()) {
            return lines;
        }
        diff("svc", change.services(), k -> find(before, k, NamespaceObjects::services), k -> find(after, k, NamespaceObjects::services),
                SnapshotChanges::serviceChange, lines);
        for (String kind : List.of(Workload.DEPLOYMENT, Workload.STATEFUL_SET, Workload.REPLICA_SET)) {
            diff(shortName(kind), change.keys(kind), k -> workload(before, kind, k), k -> workload(after, kind, k),
                    SnapshotChanges::workloadChange, lines);
        }
        diff("pod", change.pods(), k -> find(before, k, NamespaceObjects::pods), k -> find(after, k, NamespaceObjects::pods),
                SnapshotChanges::podChange, lines);
        if (lines.size() > MAX_LINES) {
            int more = lines.size() - MAX_LINES;
            lines = new ArrayList<>(lines.subList(0, MAX_LINES));
            lines.add("… and " + more + " more change(s)");
        }
        return lines;
    }

    private static <T extends KubeObject> T find(ClusterSnapshot s, String key,
                                                 java.util.function.Function<NamespaceObjects, List<T>> kind) {
        int slash = key.indexOf('/');
        String name = key.substring(slash + 1);
        for (T o : kind.apply(s.objects(key.substring(0, slash)))) {
            if (name.equals(o.name())) {
                return o;
            }
        }
        return null;
    }

    private static Workload workload(ClusterSnapshot s, String kind, String key) {
        int slash = key.indexOf('/');
        String name = key.substring(slash + 1);
        for (Workload w : s.objects(key.substring(0, slash)).workloads()) {
            if (kind.equals(w.kind()) && name.equals(w.name())) {
                return w;
            }
        }
        return null;
    }

    static String shortName(String kind) {
        return switch (kind) {
            case Workload.DEPLOYMENT -> "deploy";
            case Workload.REPLICA_SET -> "rs";
            case Workload.STATEFUL_SET -> "sts";
            default -> kind.toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static <T extends KubeObject> void diff(String kind, java.util.Set<String> keys,
                                                    java.util.function.Function<String, T> before,
                                                    java.util.function.Function<String, T> after,
                                                    BiFunction<T, T, String> change, List<String> out) {
        for (String key : new java.util.TreeSet<>(keys)) {
            T was = before.apply(key);
            T now = after.apply(key);
            if (was == null && now != null) {
                out.add("+" + kind + " " + key);
            } else if (was != null && now == null) {
                out.add("-" + kind + " " + key);
            } else if (was != null) {
                String what = change.apply(was, now);
                if (what != null) {
                    out.add("~" + kind + " " + key + (what.isEmpty() ? "" : " " + what));
                }
            }
        }
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
