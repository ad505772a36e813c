package dev.clusterdns.dns.file;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.xbill.DNS.Name;

/** An immutable set of zones, looked up by the closest enclosing origin. */
public final class ZoneSet {
    static final ZoneSet EMPTY = new ZoneSet(Map.of());

    private final Map<Name, FileZone> byOrigin;
    private final int minLabels;
    private final int maxLabels;

    ZoneSet(Map<Name, FileZone> zones) {
        this.byOrigin = Map.copyOf(new HashMap<>(zones));
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (Name n : byOrigin.keySet()) {
            min = Math.min(min, n.labels());
            max = Math.max(max, n.labels());
        }
        this.minLabels = min;
        this.maxLabels = max;
    }

    /** The most specific zone containing {@code name}, or null. */
    public FileZone find(Name name) {
        if (byOrigin.isEmpty() || name == null) {
            return null;
        }
        int labels = name.labels();
        for (int l = Math.min(labels, maxLabels); l >= minLabels; l--) {
            Name candidate = l == labels ? name : new Name(name, labels - l);
            FileZone z = byOrigin.get(candidate);
            if (z != null) {
                return z;
            }
        }
        return null;
    }

    public FileZone zone(Name origin) {
        return byOrigin.get(origin);
    }

    public List<FileZone> all() {
        return List.copyOf(byOrigin.values());
    }

    public boolean isEmpty() {
        return byOrigin.isEmpty();
    }
}
