package dev.clusterdns.agent.snapshot;

import dev.clusterdns.agent.model.KubeObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds an object of a list by name; the first wins when names repeat, as a scan of the list would.
 * The agent keeps its lists in name order, so most are searched in place (a binary search, nothing
 * kept besides the list: at 150,000 Pods a hash map cost 6 MB); a list in another order gets a map.
 */
public final class ByName<T extends KubeObject> {
    private final List<T> sorted;
    private final Map<String, T> map;

    private ByName(List<T> sorted, Map<String, T> map) {
        this.sorted = sorted;
        this.map = map;
    }

    public static <T extends KubeObject> ByName<T> of(List<T> objects) {
        if (inNameOrder(objects)) {
            return new ByName<>(objects, null);
        }
        Map<String, T> out = new HashMap<>(objects.size() * 4 / 3 + 1);
        for (T o : objects) {
            out.putIfAbsent(o.name(), o);
        }
        return new ByName<>(null, out);
    }

    public T get(String name) {
        if (map != null) {
            return map.get(name);
        }
        if (name == null) {
            return null;
        }
        int lo = 0;
        int hi = sorted.size();
        while (lo < hi) { // the first index whose name is not below `name`
            int mid = (lo + hi) >>> 1;
            if (sorted.get(mid).name().compareTo(name) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo < sorted.size() && sorted.get(lo).name().equals(name) ? sorted.get(lo) : null;
    }

    private static boolean inNameOrder(List<? extends KubeObject> objects) {
        String last = null;
        for (KubeObject o : objects) {
            String name = o.metadata() == null ? null : o.name();
            if (name == null || last != null && last.compareTo(name) > 0) {
                return false;
            }
            last = name;
        }
        return true;
    }
}
