package dev.clusterdns.dns.cluster;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pcollections.IntTreePMap;
import org.pcollections.PMap;

/**
 * Which Services may claim the PTR record of each address: canonical address → the `namespace/name`
 * of a claimant (a String) or of several (a String[]). Persistent: a change makes a new map sharing
 * all but a path of it with the old one. The addresses are spread over 4,096 buckets by hash, each
 * an array of (address, claimants) pairs copied when one of its addresses changes: a persistent tree
 * node per address cost 40 bytes (6 MB at 150,000 endpoints), a bucket's pair costs 8.
 */
final class PtrClaims {
    private static final int BUCKET_BITS = 12;
    private static final PtrClaims EMPTY = new PtrClaims(IntTreePMap.empty());

    /** Bucket → its pairs, {address, claimants, address, claimants, ...}; an empty bucket is absent. */
    private final PMap<Integer, Object[]> buckets;

    private PtrClaims(PMap<Integer, Object[]> buckets) {
        this.buckets = buckets;
    }

    static PtrClaims empty() {
        return EMPTY;
    }

    /** The claims of a first build, made whole. */
    static PtrClaims of(Map<String, Object> claims) {
        Map<Integer, List<Object>> filled = new HashMap<>();
        claims.forEach((ip, claimants) -> {
            List<Object> pairs = filled.computeIfAbsent(bucket(ip), b -> new ArrayList<>());
            pairs.add(ip);
            pairs.add(claimants);
        });
        Map<Integer, Object[]> exact = new HashMap<>(filled.size() * 4 / 3 + 1);
        filled.forEach((b, pairs) -> exact.put(b, pairs.toArray()));
        return new PtrClaims(IntTreePMap.from(exact));
    }

    /** The claimants of {@code ip} (a String or a String[]), or null. */
    Object get(String ip) {
        Object[] pairs = buckets.get(bucket(ip));
        if (pairs != null) {
            for (int i = 0; i < pairs.length; i += 2) {
                if (pairs[i].equals(ip)) {
                    return pairs[i + 1];
                }
            }
        }
        return null;
    }

    /** These claims with {@code ip}'s claimants set to {@code claimants} (a String or String[]). */
    PtrClaims plus(String ip, Object claimants) {
        int b = bucket(ip);
        Object[] pairs = buckets.get(b);
        Object[] next;
        if (pairs == null) {
            next = new Object[] {ip, claimants};
        } else {
            int at = indexOf(pairs, ip);
            next = Arrays.copyOf(pairs, at < 0 ? pairs.length + 2 : pairs.length);
            int i = at < 0 ? pairs.length : at;
            next[i] = ip;
            next[i + 1] = claimants;
        }
        return new PtrClaims(buckets.plus(b, next));
    }

    /** These claims without {@code ip}. */
    PtrClaims minus(String ip) {
        int b = bucket(ip);
        Object[] pairs = buckets.get(b);
        int at = pairs == null ? -1 : indexOf(pairs, ip);
        if (at < 0) {
            return this;
        }
        if (pairs.length == 2) {
            return new PtrClaims(buckets.minus(b));
        }
        Object[] next = new Object[pairs.length - 2];
        System.arraycopy(pairs, 0, next, 0, at);
        System.arraycopy(pairs, at + 2, next, at, pairs.length - at - 2);
        return new PtrClaims(buckets.plus(b, next));
    }

    private static int indexOf(Object[] pairs, String ip) {
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i].equals(ip)) {
                return i;
            }
        }
        return -1;
    }

    private static int bucket(String ip) {
        int h = ip.hashCode() * 0x9E3779B9;
        return h >>> (32 - BUCKET_BITS);
    }
}
