package dev.clusterdns.agent.model;

import com.github.benmanes.caffeine.cache.Interner;
import java.util.List;
import java.util.Map;

/**
 * One instance of each part that many objects repeat: the Pods of a Deployment share one spec, one
 * label map, one list of conditions and one metadata part (generateName, owner), so a cluster of 150,000 Pods holds a few thousand of each
 * instead of one per Pod. The parts are immutable records and collections, equal by value, so a
 * shared one reads exactly as the copy it replaces. Held weakly: a part no object uses any more is
 * dropped. Not thread-safe (one reconciler uses it).
 */
public final class SharedValues {
    private final Shared<PodSpec> specs = new Shared<>();
    /** A status without its IP (phase, host IP, conditions): one per workload's Pods in the same state. */
    private final Shared<PodStatus.Common> statuses = new Shared<>();
    private final Shared<List<PodCondition>> conditions = new Shared<>();
    private final Shared<Map<String, String>> labels = new Shared<>();
    private final Shared<List<OwnerReference>> owners = new Shared<>();
    /** generateName, annotations and ownerReferences: one per workload's Pods. */
    private final Shared<ObjectMeta.Rest> rests = new Shared<>();

    /** {@code pod} with its repeated parts replaced by the shared instances (the same Pod when nothing changes). */
    public Pod pod(Pod pod) {
        ObjectMeta m = pod.metadata();
        ObjectMeta meta = m;
        if (m != null) {
            Map<String, String> l = m.labels().isEmpty() ? m.labels() : labels.of(m.labels());
            List<OwnerReference> o = m.ownerReferences().isEmpty() ? m.ownerReferences() : owners.of(m.ownerReferences());
            if (l != m.labels() || o != m.ownerReferences()) {
                meta = new ObjectMeta(m.name(), m.generateName(), m.namespace(), m.heldUid(), m.resourceVersion(), l,
                        m.annotations(), m.creationTimestamp(), m.deletionTimestamp(), o);
            }
            ObjectMeta.Rest rest = meta.rest();
            if (rest != null) {
                // Annotations are often one per Pod (an address, a checksum): interned, each would
                // cost an entry of the interner; the Pods of a workload still share by coming in turn.
                ObjectMeta.Rest shared = rest.annotations().isEmpty() ? rests.of(rest) : rests.sameAsLast(rest);
                if (shared != rest) {
                    meta = meta.withRest(shared);
                }
            }
        }
        PodSpec spec = specs.of(pod.spec());
        PodStatus.Common s = pod.statusCommon();
        PodStatus.Common status;
        if (PodStatus.sharable(s)) {
            status = statuses.of(s);
        } else {
            // A dual-stack Pod's status holds its own IP list: unique, so only its conditions are shared.
            List<PodCondition> c = s.conditions().isEmpty() ? s.conditions() : conditions.of(s.conditions());
            status = c == s.conditions() ? s : new PodStatus.Common(s.phase(), s.podIPs(), s.hostIP(), c);
        }
        if (meta == m && spec == pod.spec() && status == s) {
            return pod;
        }
        return pod.withShared(meta, spec, status);
    }

    /**
     * The shared instances of one kind of part. The one shared last is compared first: the Pods of a
     * workload come one after another, and an equals is cheaper than the interner's lookup (which
     * was a fifth of a first load's reconcile in JFR).
     */
    private static final class Shared<T> {
        private final Interner<T> interner = Interner.newWeakInterner();
        private T last;

        /** The previous value when equal to this one, else this one. */
        T sameAsLast(T value) {
            if (value != last) {
                value = value.equals(last) ? last : value;
                last = value;
            }
            return value;
        }

        T of(T value) {
            if (value != last) {
                value = value.equals(last) ? last : interner.intern(value);
                last = value;
            }
            return value;
        }
    }
}
