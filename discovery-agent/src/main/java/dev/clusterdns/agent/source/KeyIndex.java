package dev.clusterdns.agent.source;

import java.util.Arrays;

/**
 * Which file defines a key first, and where in that file's key array: an open-addressing table
 * (linear probing) of packed (file, position) pairs, one {@code long} per slot, kept at most three
 * quarters full. The keys themselves stay in the files' arrays; each slot also keeps its key's hash,
 * so a probe reads a key (two dependent loads, then a field-by-field comparison) only when the hashes
 * agree, and growing or removing never reads one. A {@code HashMap} with an entry and a definition
 * object per key cost ~64 bytes a key (10 MB at 160,000 objects); this costs 16 to 32.
 */
final class KeyIndex {
    /** Reads the key a file holds at a position. */
    interface Keys {
        ObjectKey at(int file, int position);
    }

    /** What {@link #get} returns for a key not held. */
    static final long ABSENT = -1L;

    private final Keys keys;
    private long[] slots;
    /** The hash of the key in the slot of the same index (meaningless where that slot is empty). */
    private int[] hashes;
    private int size;

    KeyIndex(Keys keys) {
        this.keys = keys;
        this.slots = new long[16];
        this.hashes = new int[16];
        Arrays.fill(slots, ABSENT);
    }

    static long pack(int file, int position) {
        return (long) file << 32 | (position & 0xFFFFFFFFL);
    }

    static int file(long packed) {
        return (int) (packed >>> 32);
    }

    static int position(long packed) {
        return (int) packed;
    }

    int size() {
        return size;
    }

    /** The packed (file, position) of {@code k}, or {@link #ABSENT}. */
    long get(ObjectKey k) {
        int i = find(k);
        return i < 0 ? ABSENT : slots[i];
    }

    /** Holds {@code k} at (file, position), replacing where it was. */
    void put(ObjectKey k, int file, int position) {
        int h = k.hashCode();
        int mask = slots.length - 1;
        for (int i = home(h, mask); ; i = (i + 1) & mask) {
            long s = slots[i];
            if (s == ABSENT) {
                slots[i] = pack(file, position);
                hashes[i] = h;
                if (++size * 4L > slots.length * 3L) {
                    grow();
                }
                return;
            }
            if (hashes[i] == h && at(s).equals(k)) {
                slots[i] = pack(file, position);
                return;
            }
        }
    }

    /** Forgets {@code k}; true when it was held. */
    boolean remove(ObjectKey k) {
        int i = find(k);
        if (i < 0) {
            return false;
        }
        // Backward shift: move later entries of the run into the gap unless that would put them
        // before their home slot, so that every probe still finds its key without tombstones.
        int mask = slots.length - 1;
        int gap = i;
        for (int j = (gap + 1) & mask; slots[j] != ABSENT; j = (j + 1) & mask) {
            int home = home(hashes[j], mask);
            if (((j - home) & mask) >= ((j - gap) & mask)) {
                slots[gap] = slots[j];
                hashes[gap] = hashes[j];
                gap = j;
            }
        }
        slots[gap] = ABSENT;
        size--;
        return true;
    }

    private int find(ObjectKey k) {
        int h = k.hashCode();
        int mask = slots.length - 1;
        for (int i = home(h, mask); ; i = (i + 1) & mask) {
            long s = slots[i];
            if (s == ABSENT) {
                return -1;
            }
            if (hashes[i] == h && at(s).equals(k)) {
                return i;
            }
        }
    }

    private ObjectKey at(long packed) {
        return keys.at(file(packed), position(packed));
    }

    private static int home(int hash, int mask) {
        int h = hash * 0x9E3779B9;
        return (h ^ h >>> 16) & mask;
    }

    private void grow() {
        long[] old = slots;
        int[] oldHashes = hashes;
        slots = new long[old.length * 2];
        hashes = new int[old.length * 2];
        Arrays.fill(slots, ABSENT);
        int mask = slots.length - 1;
        for (int j = 0; j < old.length; j++) {
            if (old[j] != ABSENT) {
                int i = home(oldHashes[j], mask);
                while (slots[i] != ABSENT) {
                    i = (i + 1) & mask;
                }
                slots[i] = old[j];
                hashes[i] = oldHashes[j];
            }
        }
    }
}
