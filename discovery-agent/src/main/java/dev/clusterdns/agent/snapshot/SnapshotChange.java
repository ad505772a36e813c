package dev.clusterdns.agent.snapshot;

import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What a snapshot changed relative to the one before it, so that consumers update only what a
 * change touches. Objects are named `namespace/name` (a Namespace by its name), grouped by kind;
 * EndpointSlices and Endpoints are reported under {@link #ENDPOINTS} by the Service they belong to,
 * since that is what the DNS zone and the proxy index them by.
 *
 * <p>{@link #everything()} stands for "no reliable base": a consumer then rebuilds from scratch.
 */
public final class SnapshotChange {
    /** Kind name for "the EndpointSlices or Endpoints of these Services changed". */
    public static final String ENDPOINTS = "endpoints-of";
    /** Kind name for the namespaces that came or went (or whose Namespace object changed). */
    public static final String NAMESPACES = "Namespace";
    public static final String SERVICES = "Service";
    public static final String PODS = "Pod";
    /** Kind name for a change of the problems list. */
    public static final String PROBLEMS = "problems";

    private static final SnapshotChange EVERYTHING = new SnapshotChange(true, Map.of());
    private static final SnapshotChange NOTHING = new SnapshotChange(false, Map.of());

    private final boolean everything;
    private final Map<String, Set<String>> keysByKind;

    private SnapshotChange(boolean everything, Map<String, Set<String>> keysByKind) {
        this.everything = everything;
        this.keysByKind = keysByKind;
    }

    public static SnapshotChange everything() {
        return EVERYTHING;
    }

    public static SnapshotChange nothing() {
        return NOTHING;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** True when consumers must treat every object as changed. */
    public boolean isEverything() {
        return everything;
    }

    public boolean isEmpty() {
        return !everything && keysByKind.isEmpty();
    }

    /** The changed objects of one kind (by `namespace/name`); empty when none, or when {@link #isEverything()}. */
    public Set<String> keys(String kind) {
        return keysByKind.getOrDefault(kind, Set.of());
    }

    /** Whether anything of this kind changed (always true for {@link #everything()}). */
    public boolean touches(String kind) {
        return everything || keysByKind.containsKey(kind);
    }

    public Set<String> services() {
        return keys(SERVICES);
    }

    /** Services whose EndpointSlices or Endpoints changed. */
    public Set<String> endpointsOf() {
        return keys(ENDPOINTS);
    }

    public Set<String> pods() {
        return keys(PODS);
    }

    public Set<String> namespaces() {
        return keys(NAMESPACES);
    }

    /** The kinds that changed. */
    public Set<String> kinds() {
        return keysByKind.keySet();
    }

    /** This change followed by {@code later}: what a consumer that skipped the middle snapshot must apply. */
    public SnapshotChange then(SnapshotChange later) {
        if (everything || later.everything) {
            return EVERYTHING;
        }
        if (later.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return later;
        }
        Builder b = new Builder();
        keysByKind.forEach(b::addAll);
        later.keysByKind.forEach(b::addAll);
        return b.build();
    }

    @Override
    public String toString() {
        return everything ? "everything" : keysByKind.toString();
    }

    /** Collects changed keys; not thread-safe. */
    public static final class Builder {
        private final Map<String, Set<String>> keys = new HashMap<>();

        private Builder() {}

        public Builder add(String kind, String key) {
            keys.computeIfAbsent(kind, k -> new HashSet<>()).add(key);
            return this;
        }

        public Builder addAll(String kind, Set<String> more) {
            if (!more.isEmpty()) {
                keys.computeIfAbsent(kind, k -> new HashSet<>()).addAll(more);
            }
            return this;
        }

        /** Everything {@code other} holds, added to this one. */
        public Builder addAll(Builder other) {
            other.keys.forEach(this::addAll);
            return this;
        }

        public boolean isEmpty() {
            return keys.isEmpty();
        }

        public SnapshotChange build() {
            if (keys.isEmpty()) {
                return NOTHING;
            }
            Map<String, Set<String>> frozen = new HashMap<>();
            keys.forEach((k, v) -> frozen.put(k, Collections.unmodifiableSet(new HashSet<>(v))));
            return new SnapshotChange(false, Collections.unmodifiableMap(frozen));
        }
    }
}
