package dev.clusterdns.agent.allocation;

import java.util.BitSet;
import java.util.random.RandomGenerator;

/**
 * A fixed number of slots split into a lower static band and an upper dynamic band (KEP-3070).
 * Dynamic allocation prefers the upper band so that addresses users pick by hand (usually low
 * ones) rarely collide with random ones; explicit claims may use either band.
 */
final class BandedBitmap {
    private final int size;
    private final int staticBand;
    private final BitSet used;
    private int count;

    BandedBitmap(int size, int staticBand) {
        if (size < 0 || staticBand < 0 || staticBand > size) {
            throw new IllegalArgumentException("bad bitmap size " + size + " / static band " + staticBand);
        }
        this.size = size;
        this.staticBand = staticBand;
        this.used = new BitSet(size);
    }

    /** Kubernetes' ClusterIP offset: {@code min(max(16, size/16), 256)}, 0 for ranges of 16 or fewer. */
    static int serviceIpStaticBand(long rangeSize) {
        return band(rangeSize, 16, 256, 16);
    }

    /** Kubernetes' NodePort offset: {@code min(max(16, size/32), 128)}, 0 for ranges of 16 or fewer. */
    static int nodePortStaticBand(long rangeSize) {
        return band(rangeSize, 16, 128, 32);
    }

    private static int band(long rangeSize, int min, int max, int step) {
        if (rangeSize <= min) {
            return 0;
        }
        return (int) Math.min(Math.max(min, rangeSize / step), max);
    }

    int size() {
        return size;
    }

    int staticBand() {
        return staticBand;
    }

    int count() {
        return count;
    }

    boolean isUsed(int slot) {
        return used.get(slot);
    }

    /** Marks {@code slot} used; false when it already was. */
    boolean claim(int slot) {
        if (slot < 0 || slot >= size) {
            throw new IndexOutOfBoundsException(slot);
        }
        if (used.get(slot)) {
            return false;
        }
        used.set(slot);
        count++;
        return true;
    }

    void release(int slot) {
        if (used.get(slot)) {
            used.clear(slot);
            count--;
        }
    }

    void clear() {
        used.clear();
        count = 0;
    }

    /**
     * Claims a free slot: a random start in the dynamic band scanning forward with wrap-around,
     * then, only when that band is full, the same in the static band. Returns -1 when all are used.
     */
    int claimNext(RandomGenerator random) {
        if (count >= size) {
            return -1;
        }
        int upper = size - staticBand;
        int slot = upper > 0 ? scan(staticBand, upper, random.nextInt(upper)) : -1;
        if (slot < 0 && staticBand > 0) {
            slot = scan(0, staticBand, random.nextInt(staticBand));
        }
        if (slot >= 0) {
            used.set(slot);
            count++;
        }
        return slot;
    }

    /**
     * Claims the first free slot at or after {@code start}, wrapping once, whatever the bands (for
     * pools whose start is derived, not drawn). Returns -1 when all are used.
     */
    int claimFrom(int start) {
        if (count >= size) {
            return -1;
        }
        int slot = scan(0, size, start);
        if (slot >= 0) {
            used.set(slot);
            count++;
        }
        return slot;
    }

    /** First free slot in [from, from+length) at or after from+start, wrapping once; -1 if none. */
    private int scan(int from, int length, int start) {
        int end = from + length;
        int s = used.nextClearBit(from + start);
        if (s < end) {
            return s;
        }
        s = used.nextClearBit(from);
        return s < from + start ? s : -1;
    }
}
