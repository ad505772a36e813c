package dev.clusterdns.dns.cluster;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * An immutable map kept in 256 hashed buckets, each a plain hash map. A new version copies the bucket
 * array and only the buckets its changes touch, so an edit to one Service costs a bucket (a few dozen
 * entries at 10,000 Services), not a copy of every Service's entry; a lookup is one array index more
 * than a {@link HashMap}'s (a persistent tree cost a sixth of a query's CPU).
 */
final class BucketedMap<K, V> {
    private static final int BITS = 8;
    private static final Map<?, ?>[] NONE = new Map<?, ?>[1 << BITS];
    private static final BucketedMap<?, ?> EMPTY = new BucketedMap<>(NONE, 0);

    static {
        Arrays.fill(NONE, Map.of());
    }

    /** Never changed once this version is published; buckets are shared with other versions. */
    private final Map<?, ?>[] buckets;
    private final int size;

    private BucketedMap(Map<?, ?>[] buckets, int size) {
        this.buckets = buckets;
        this.size = size;
    }

    @SuppressWarnings("unchecked")
    static <K, V> BucketedMap<K, V> empty() {
        return (BucketedMap<K, V>) EMPTY;
    }

    /**
     * The top bits of a multiplicative hash: a bucket's own hash map indexes by the low bits of the key's
     * hash, which must not be the same for every key of the bucket.
     */
    private static int bucket(Object key) {
        return (key.hashCode() * 0x9E3779B9) >>> (32 - BITS);
    }

    /** Any key whose {@code hashCode} and {@code equals} agree with K's (a lookup key that is never stored). */
    @SuppressWarnings("unchecked")
    V get(Object key) {
        return ((Map<K, V>) buckets[bucket(key)]).get(key);
    }

    int size() {
        return size;
    }

    @SuppressWarnings("unchecked")
    void forEachKey(Consumer<K> action) {
        for (Map<?, ?> b : buckets) {
            ((Map<K, V>) b).keySet().forEach(action);
        }
    }

    @SuppressWarnings("unchecked")
    List<V> values() {
        List<V> out = new ArrayList<>(size);
        for (Map<?, ?> b : buckets) {
            out.addAll(((Map<K, V>) b).values());
        }
        return out;
    }

    /** Changes to this version that make the next one; this one stays as it is. */
    Editor<K, V> edit() {
        return new Editor<>(this);
    }

    /** Copies a bucket the first time a change touches it; not thread-safe, used by one build. */
    static final class Editor<K, V> {
        private BucketedMap<K, V> base;
        private Map<?, ?>[] buckets;
        private boolean[] own;
        private int size;

        private Editor(BucketedMap<K, V> base) {
            this.base = base;
            this.size = base.size;
        }

        @SuppressWarnings("unchecked")
        V get(K key) {
            Map<?, ?>[] b = buckets == null ? base.buckets : buckets;
            return ((Map<K, V>) b[bucket(key)]).get(key);
        }

        void put(K key, V value) {
            V had = writable(bucket(key)).put(key, value);
            if (had == null) {
                size++;
            }
        }

        void remove(K key) {
            if (get(key) != null && writable(bucket(key)).remove(key) != null) {
                size--;
            }
        }

        @SuppressWarnings("unchecked")
        private Map<K, V> writable(int i) {
            if (buckets == null) {
                buckets = base.buckets.clone();
                own = new boolean[buckets.length];
            }
            if (!own[i]) {
                buckets[i] = new HashMap<>((Map<K, V>) buckets[i]);
                own[i] = true;
            }
            return (Map<K, V>) buckets[i];
        }

        /** The new version, or the base itself when nothing was written; later changes start from it. */
        BucketedMap<K, V> build() {
            if (buckets != null) {
                base = new BucketedMap<>(buckets, size);
                buckets = null; // the published buckets must not change through this editor
                own = null;
            }
            return base;
        }
    }
}
