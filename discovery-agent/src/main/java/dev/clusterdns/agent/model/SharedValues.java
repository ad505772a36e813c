package dev.clusterdns.agent.model;

import com.github.benmanes.caffeine.cache.Interner;
import java.util.List;
import java.util.Map;

/**
 * One instance of each part that many objects repeat: the Pods of a Deployment share one spec, one
 * label map and one list of conditions, so a cluster of 150,000 Pods holds a few thousand of each
 * instead of one per Pod. The parts are immutable records and collections, equal by value, so a
 * shared one reads exactly as the copy it replaces. Held weakly: a part no object uses any more is
 * dropped.
 */
public final class SharedValues {
    private final Interner<PodSpec> specs = Interner.newWeakInterner();
    private final Interner<List<PodCondition>> conditions = Interner.newWeakInterner();
    private final Interner<Map<String, String>> labels = Interner.newWeakInterner();
    private final Interner<List<OwnerReference>> owners = Interner.newWeakInterner();

    /** {@code pod} with its repeated parts replaced by the shared instances (the same Pod when nothing changes). */
    public Pod pod(Pod pod) {
        ObjectMeta m = pod.metadata();
        ObjectMeta meta = m;
        if (m != null) {
            Map<String, String> l = m.labels().isEmpty() ? m.labels() : labels.intern(m.labels());
            List<OwnerReference> o = m.ownerReferences().isEmpty() ? m.ownerReferences() : owners.intern(m.ownerReferences());
            if (l != m.labels() || o != m.ownerReferences()) {
                meta = new ObjectMeta(m.name(), m.generateName(), m.namespace(), m.uid(), m.resourceVersion(), l,
                        m.annotations(), m.creationTimestamp(), m.deletionTimestamp(), o);
            }
        }
        PodSpec spec = specs.intern(pod.spec());
        PodStatus s = pod.status();
        PodStatus status = s;
        if (!s.conditions().isEmpty()) {
            List<PodCondition> c = conditions.intern(s.conditions());
            if (c != s.conditions()) {
                status = new PodStatus(s.phase(), s.podIP(), s.podIPs(), s.hostIP(), c);
            }
        }
        if (meta == m && spec == pod.spec() && status == s) {
            return pod;
        }
        return new Pod(pod.apiVersion(), pod.kind(), meta, spec, status);
    }
}
