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
                ObjectMeta.Rest shared = rests.of(rest);
                if (shared != rest) {
                    meta = meta.withRest(shared);
                }
            }
        }
        PodSpec spec = specs.of(pod.spec());
        PodStatus s = pod.status();
        PodStatus status = s;
        if (!s.conditions().isEmpty()) {
            List<PodCondition> c = conditions.of(s.conditions());
            if (c != s.conditions()) {
                status = new PodStatus(s.phase(), s.podIP(), s.podIPs(), s.hostIP(), c);
            }
        }
        if (meta == m && spec == pod.spec() && status == s) {
            return pod;
        }
        return new Pod(pod.apiVersion(), pod.kind(), meta, spec, status);
    }

    /**
     * The shared instances of one kind of part. The one shared last is compared first: the Pods of a
     * workload come one after another, and an equals is cheaper than the interner's lookup (which
     * was a fifth of a first load's reconcile in JFR).
     */
    private static final class Shared<T> {
        private final Interner<T> interner = Interner.newWeakInterner();
        private T last;

        T of(T value) {
            if (value != last) {
                value = value.equals(last) ? last : interner.intern(value);
                last = value;
            }
            return value;
        }
    }
}
