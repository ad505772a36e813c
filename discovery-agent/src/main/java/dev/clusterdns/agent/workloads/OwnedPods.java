package dev.clusterdns.agent.workloads;

import dev.clusterdns.agent.model.OwnerReference;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.Uids;
import dev.clusterdns.agent.model.Workload;
import dev.clusterdns.agent.validation.LabelMatch;
import java.util.ArrayList;
import java.util.List;

/**
 * Which of the given Pods a controller claims, as `ControllerRefManager.ClaimPods` decides: active
 * Pods (not finished, not being deleted) in its namespace whose labels match its selector, either
 * already controlled by it or orphans (no controller reference) that it adopts.
 */
final class OwnedPods {
    private OwnedPods() {}

    static boolean isActive(Pod p) {
        return !p.isTerminating() && !p.isFinished();
    }

    static boolean controlledBy(Pod p, Workload owner) {
        OwnerReference ref = p.metadata().controller();
        return ref != null && owner.kind().equals(ref.kind()) && owner.name().equals(ref.name());
    }

    static boolean isOrphan(Pod p) {
        return p.metadata().controller() == null;
    }

    /** Pods {@code owner} controls or adopts, in the given order; claimed ones are not offered to later owners. */
    static List<Pod> claim(Workload owner, List<Pod> candidates, java.util.Set<String> claimed,
                           java.util.function.Predicate<Pod> member) {
        List<Pod> out = new ArrayList<>();
        for (Pod p : candidates) {
            String key = p.metadata().key();
            if (claimed.contains(key) || !isActive(p) || !owner.namespace().equals(p.namespace())
                    || !member.test(p) || !LabelMatch.matches(owner.spec().selector(), p.metadata().labels())) {
                continue;
            }
            if (controlledBy(p, owner) || isOrphan(p)) {
                out.add(p);
                claimed.add(key);
            }
        }
        return out;
    }

    /** {@code p} with {@code owner} as its controller, as an adopting controller patches it. */
    static Pod adopt(Pod p, Workload owner) {
        if (controlledBy(p, owner)) {
            return p;
        }
        List<OwnerReference> refs = new ArrayList<>(p.metadata().ownerReferences());
        refs.add(new OwnerReference("apps/v1", owner.kind(), owner.name(), Uids.of(owner), true, true));
        return new Pod(p.apiVersion(), p.kind(), p.metadata().withOwnerReferences(refs), p.spec(), p.status());
    }
}
