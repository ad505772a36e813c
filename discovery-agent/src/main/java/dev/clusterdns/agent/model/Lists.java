package dev.clusterdns.agent.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Defensive copies for record components: unmodifiable, null-tolerant, order-preserving, and as
 * compact as the JDK makes them (a cluster holds hundreds of thousands of these small collections).
 */
final class Lists {
    private Lists() {}

    static <T> List<T> copy(List<T> list) {
        if (list == null || list.isEmpty()) {
            return List.of();
        }
        try {
            return List.copyOf(list); // no copy when it already is one
        } catch (NullPointerException nullElement) {
            return Collections.unmodifiableList(new ArrayList<>(list));
        }
    }

    /** The classes of the unmodifiable maps made here and by {@code Map.of}: copying one again only costs memory. */
    private static final Set<Class<?>> UNMODIFIABLE_MAPS = Set.of(Map.of(1, 1).getClass(), Map.of(1, 1, 2, 2).getClass(),
            Collections.unmodifiableMap(new LinkedHashMap<>()).getClass());

    static <K, V> Map<K, V> copy(Map<K, V> map) {
        if (map == null || map.isEmpty()) {
            return Map.of();
        }
        if (UNMODIFIABLE_MAPS.contains(map.getClass())) {
            return map; // a record's copy passed on to the next record (a Pod's labels through each `with…`)
        }
        if (map.size() == 1) {
            Map.Entry<K, V> e = map.entrySet().iterator().next();
            if (e.getKey() != null && e.getValue() != null) {
                return Map.of(e.getKey(), e.getValue());
            }
        }
        return Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    /** Labels: keys and values shared across objects (many objects carry the same few). */
    static Map<String, String> copyShared(Map<String, String> map) {
        if (map == null || map.isEmpty()) {
            return Map.of();
        }
        if (UNMODIFIABLE_MAPS.contains(map.getClass())) {
            return map;
        }
        Map<String, String> shared = new LinkedHashMap<>(map.size() * 2);
        map.forEach((k, v) -> shared.put(Strings.shared(k), Strings.shared(v)));
        return copy(shared);
    }

    /** Keeps null as null: Kubernetes gives a nil selector a different meaning from an empty one. */
    static <K, V> Map<K, V> copyNullable(Map<K, V> map) {
        if (map == null || UNMODIFIABLE_MAPS.contains(map.getClass())) {
            return map;
        }
        return Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }
}
