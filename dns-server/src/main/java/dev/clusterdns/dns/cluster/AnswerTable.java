package dev.clusterdns.dns.cluster;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * What a zone snapshot has already answered from the wire, reachable in one step from the next
 * query's wire: the pre-encoded answer per (lower-cased name, type), and the names found absent
 * (NXDOMAIN whatever the type). A lookup in the zone's index costs a dozen dependent loads (name
 * map, part map, the part's nodes, the node's answers, the answer), each likely a cache miss with
 * thousands of Services; here it is the set's tags and slots (independent loads), then the answer.
 * Eight-way set-associative, the set chosen by the name alone (its answers and its absence share one
 * set: a query for an absent name finds that in the set it looked in first); filled on the serving
 * threads as answers are found; lost writes and races only cost a later miss. Two-way with four
 * slots per name and indexed by dnsjava's name hash, a client cycling through every name of a
 * 10k-Service zone missed here on one query in four (keys evicting each other) and walked the
 * index each time; now on about one in two hundred (AnswerTableTest; 0.4 % measured on a running
 * server under bench/dns.sh's load). Belongs to one immutable zone, so it is never invalidated:
 * the next zone starts empty.
 *
 * <p>No object per entry: a tag (key and type) in one array and the bytes in another, so the
 * lookup's chain of cache misses is tags and slot (side by side), then the answer, not slot, entry,
 * then answer (one dependent miss less, and a set's non-matching keys are not dereferenced); and
 * small (256 KB at 10k names, against 650 KB of slots and entry objects), so that under load more
 * of it stays in the serving core's cache: the load of the set's first slot was the hottest
 * instruction of the whole query path. A tag and its slot are written separately, so a reader may
 * pair a tag with another entry's bytes: the bytes themselves say what they answer (the name, the
 * type in their question, or the absent form), and only bytes that do are used.
 */
final class AnswerTable {
    /** The type of an entry that says the name does not exist (outside the 16-bit types). */
    private static final int ABSENT = -1;
    /** The header bytes before an absent entry's name: all zero, so QR reads clear (a template has it set). */
    private static final int HEADER = 12;

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(byte[][].class);

    /**
     * Per slot: the key mixed with the type (an empty slot's never matches: no bytes). 32 bits, not
     * key and type side by side in 64: the table's footprint is what decides whether a lookup hits
     * the core's cache (a tag that matches two entries only costs a check of the bytes).
     */
    private final int[] tags;
    /**
     * Per slot: a template (a reply whose question at offset 12 spells the name, lower-cased, with
     * the type), or an absent name's form (12 zero bytes, then the lower-cased name); null when empty.
     * Written with release and read with acquire: a reader that sees the array sees its bytes.
     */
    private final byte[][] slots;
    private final int mask;

    /** Slots per set: eight tags and eight references, 32 bytes each (a cache line or two). */
    private static final int WAYS = 8;

    /** A table of two to four slots per name of the zone (a power of two, 1,024 to 65,536). */
    AnswerTable(int names) {
        int size = Math.max(1024, Math.min(1 << 16, Integer.highestOneBit(Math.max(1, names)) << 2));
        this.tags = new int[size];
        this.slots = new byte[size][];
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
        byte[] t = lookup(wire, nameEnd, key, type);
        return t != null && answers(t, nameEnd - 12, type) ? t : null;
    }

    /** True when the name at {@code wire[12, nameEnd)} is known not to exist in the zone. */
    boolean absent(byte[] wire, int nameEnd, int key) {
        byte[] a = lookup(wire, nameEnd, key, ABSENT);
        return a != null && a.length == HEADER + nameEnd - 12 && a[2] == 0;
    }

    /** The bytes in the key's set under the tag of {@code key} and {@code type} that spell the wire's name. */
    private byte[] lookup(byte[] wire, int nameEnd, int key, int type) {
        int tag = tag(key, type);
        int set = set(key);
        for (int i = set; i < set + WAYS; i++) {
            if (tags[i] == tag) {
                byte[] v = (byte[]) SLOT.getAcquire(slots, i);
                if (v != null && spells(v, wire, nameEnd)) {
                    return v;
                }
            }
        }
        return null;
    }

    /** A template (QR set) whose question, after the name of {@code nameLength} bytes, carries {@code type}. */
    private static boolean answers(byte[] t, int nameLength, int type) {
        int typeAt = 12 + nameLength;
        return t.length >= typeAt + 4 && (t[2] & 0x80) != 0
                && ((t[typeAt] & 0xff) << 8 | (t[typeAt + 1] & 0xff)) == type;
    }

    /** The bytes at offset 12 are the wire's name, ignoring ASCII case. */
    private static boolean spells(byte[] v, byte[] wire, int nameEnd) {
        int length = nameEnd - 12;
        if (v.length < 12 + length) {
            return false;
        }
        // Both keep the name in lower case: a query spelled so (nearly all) matches with one
        // vectorised comparison; others (0x20 mixed case) are compared letter by letter.
        if (Arrays.equals(wire, 12, nameEnd, v, 12, nameEnd)) {
            return true;
        }
        for (int i = 12; i < nameEnd; i++) {
            if (lower(wire[i]) != lower(v[i])) {
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
        if (answers(template, nameLength, type)) {
            store(key, type, template);
        }
    }

    /** Keeps that the name at {@code wire[12, nameEnd)}, whose {@link #key} is {@code key}, does not exist. */
    void putAbsent(byte[] wire, int nameEnd, int key) {
        byte[] absent = new byte[nameEnd];
        for (int i = 12; i < nameEnd; i++) {
            absent[i] = (byte) lower(wire[i]);
        }
        store(key, ABSENT, absent);
    }

    /**
     * Into the first free slot of the key's set; in a full set over the slot the type picks (which
     * a later entry of that slot evicts in turn: at most one entry of a full set keeps missing, not
     * every key cycling through it).
     */
    private void store(int key, int type, byte[] bytes) {
        int set = set(key);
        int at = set | (type * 0x9E3779B9 >>> 29);
        for (int i = set; i < set + WAYS; i++) {
            if (SLOT.getAcquire(slots, i) == null) {
                at = i;
                break;
            }
        }
        // The bytes first: a reader matching the new tag before the bytes arrive checks what it finds.
        SLOT.setRelease(slots, at, bytes);
        tags[at] = tag(key, type);
    }

    private static int tag(int key, int type) {
        return key + type * 0x85EBCA6B;
    }

    /** The first slot of the key's set: a multiplicative (Fibonacci) mix, its high bits folded in. */
    private int set(int key) {
        int h = key * 0x9E3779B9;
        return (h >>> 16 ^ h) & mask & ~(WAYS - 1);
    }

    private static int lower(byte b) {
        int c = b & 0xff;
        return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
    }
}
