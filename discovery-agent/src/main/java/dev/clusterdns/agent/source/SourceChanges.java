package dev.clusterdns.agent.source;

import dev.clusterdns.agent.snapshot.Problem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a source reports at once: changed objects, and its problems (files that do not parse,
 * unsupported kinds, duplicates) when they changed.
 *
 * @param changes objects added, updated or removed, at most one per key
 * @param problems the source's whole current problem list, or null when it did not change
 */
public record SourceChanges(List<ObjectChange> changes, List<Problem> problems) {

    public SourceChanges {
        changes = List.copyOf(changes);
        problems = problems == null ? null : List.copyOf(problems);
    }

    public boolean isEmpty() {
        return changes.isEmpty() && problems == null;
    }

    /** This report followed by {@code later}: the later change of a key wins, the later problems too. */
    public SourceChanges then(SourceChanges later) {
        Map<ObjectKey, ObjectChange> byKey = new LinkedHashMap<>();
        changes.forEach(c -> byKey.put(c.key(), c));
        later.changes.forEach(c -> byKey.put(c.key(), c));
        return new SourceChanges(new ArrayList<>(byKey.values()), later.problems != null ? later.problems : problems);
    }
}
