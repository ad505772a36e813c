package dev.clusterdns.dns.cluster;

import java.util.Arrays;

/**
 * What a zone snapshot has already answered from the wire, reachable in one step from the next
 * query's wire: the pre-encoded answer per (lower-cased name, type), and the names found absent
 * (NXDOMAIN whatever the type). A lookup in the zone's index costs a dozen dependent loads (name
 * map, part map, the part's nodes, the node's answers, the answer), each likely a cache miss with
 * thousands of Services; here it is one cache line of slots and the entry. Four-way set-associative
 * (a key lives in one of the four slots of its set, tried from its own slot on), filled on the event
 * loops as answers are found; lost writes and races only cost a later miss. Two-way with four slots
 * per name and indexed by dnsjava's name hash, a client cycling through every name of a 10k-Service
 * zone missed here on one query in four (keys evicting each other) and walked the index each time;
 * now on one in three hundred. Belongs to one immutable zone, so it is never invalidated:
 * the next zone starts empty.
 */
final class AnswerTable {
    /** The type of an entry that says the name does not exist. */
    private static final int ABSENT = -1;

    /**
     * One key and what the zone says: {@code template}'s question spells the name (an answer), or
     * {@code name} holds its lower-cased wire form (an absent name). Final fields: safe to publish racily.
     */
    private record Entry(int key, int type, byte[] template, byte[] name) {}

    private final Entry[] slots;
    private final int mask;

    /** Slots per set: four references, 16 bytes, within one or two cache lines. */
    private static final int WAYS = 4;

    /** A table of four to eight slots per name of the zone (a power of two, 1,024 to 65,536). */
    AnswerTable(int names) {
        int size = Math.max(1024, Math.min(1 << 16, Integer.highestOneBit(Math.max(1, names)) << 3));
        this.slots = new Entry[size];
        this.mask = size - 1;
    }

    /**
     * The table's key of the name at {@code wire[start, end)}, ASCII case ignored (FNV-1a). Not
     * dnsjava's name hash, which {@link #hash} computes for the index: that one is linear in the
     * bytes, so numbered names collide outright ({@code svc-19} and {@code svc-20} hash alike, one
     * digit's +1 cancelling the next one's -9) and crowded whole sets of this table.
     */
    static int key(byte[] wire, int start, int end) {
        int h = 0x811C9DC5;
        for (int i = start; i < end; i++) {
            h = (h ^ lower(wire[i])) * 0x01000193;
        }
        return h;
    }

    /** The hash of the name at {@code wire[start, end)}, as {@link WireNameProbe} computes it. */
    static int hash(byte[] wire, int start, int end) {
        int code = 0;
        for (int i = start; i < end; i++) {
            code += (code << 3) + lower(wire[i]);
        }
        return code;
    }

    /**
     * The template answering the name at {@code wire[12, nameEnd)} (whose {@link #key} is
     * {@code key}) and {@code type}, or null when this table does not hold it.
     */
    byte[] find(byte[] wire, int nameEnd, int key, int type) {
        Entry e = lookup(wire, nameEnd, key, type);
        return e == null ? null : e.template;
    }

    /** True when the name at {@code wire[12, nameEnd)} is known not to exist in the zone. */
    boolean absent(byte[] wire, int nameEnd, int key) {
        return lookup(wire, nameEnd, key, ABSENT) != null;
    }

    private Entry lookup(byte[] wire, int nameEnd, int key, int type) {
        int i = index(key, type);
        for (int n = 0; n < WAYS; n++, i = next(i)) {
            Entry e = slots[i];
            if (e != null && e.key == key && e.type == type && spells(e, wire, nameEnd)) {
                return e;
            }
        }
        return null;
    }

    /** The slot after {@code i} in its set, wrapping round within the set. */
    private static int next(int i) {
        return (i & ~(WAYS - 1)) | ((i + 1) & (WAYS - 1));
    }

    /** The entry's name is the wire's, ignoring ASCII case. */
    private static boolean spells(Entry e, byte[] wire, int nameEnd) {
        byte[] other = e.template != null ? e.template : e.name;
        int at = e.template != null ? 12 : 0;
        int length = nameEnd - 12;
        if (other.length < at + length || (e.template == null && other.length != length)) {
            return false;
        }
        // Both keep the name in lower case: a query spelled so (nearly all) matches with one
        // vectorised comparison; others (0x20 mixed case) are compared letter by letter.
        if (Arrays.equals(wire, 12, nameEnd, other, at, at + length)) {
            return true;
        }
        for (int i = 0; i < length; i++) {
            if (lower(wire[12 + i]) != lower(other[at + i])) {
                return false;
            }
        }
        return true;
    }

    /**
     * Keeps {@code template} for the name whose {@link #key} is {@code key} and {@code type}; its question must
     * spell that name at offset 12 and carry that type (only then is it kept).
     */
    void put(int key, int type, byte[] template, int nameLength) {
        int typeAt = 12 + nameLength;
        if (template.length < typeAt + 4 || ((template[typeAt] & 0xff) << 8 | (template[typeAt + 1] & 0xff)) != type) {
            return;
        }
        store(new Entry(key, type, template, null));
    }

    /** Keeps that the name at {@code wire[12, nameEnd)}, whose {@link #key} is {@code key}, does not exist. */
    void putAbsent(byte[] wire, int nameEnd, int key) {
        byte[] name = new byte[nameEnd - 12];
        for (int i = 0; i < name.length; i++) {
            name[i] = (byte) lower(wire[12 + i]);
        }
        store(new Entry(key, ABSENT, null, name));
    }

    /**
     * Into the first free slot of the key's set from its own slot on; in a full set over the entry
     * in the key's own slot (which a later key of that slot evicts in turn: at most one key of a
     * full set keeps missing, not every key cycling through it).
     */
    private void store(Entry e) {
        int home = index(e.key, e.type);
        int i = home;
        for (int n = 0; n < WAYS; n++, i = next(i)) {
            if (slots[i] == null) {
                slots[i] = e;
                return;
            }
        }
        slots[home] = e;
    }

    /** The home slot of a key and type: a multiplicative (Fibonacci) mix, its high bits folded in. */
    private int index(int key, int type) {
        int h = (key + type * 0x85EBCA6B) * 0x9E3779B9;
        return (h >>> 16 ^ h) & mask;
    }

    private static int lower(byte b) {
        int c = b & 0xff;
        return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
    }
}
