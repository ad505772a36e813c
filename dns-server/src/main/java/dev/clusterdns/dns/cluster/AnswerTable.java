package dev.clusterdns.dns.cluster;

/**
 * The pre-encoded answers a zone snapshot has already given, reachable in one step from the query's
 * wire: a direct-mapped table keyed by the lower-cased question name and type. A hit in the zone's
 * index costs a dozen dependent loads (name map, part map, the part's nodes, the node's answers, the
 * answer), each likely a cache miss with thousands of Services; here it is the slot and the template,
 * whose question confirms the match byte for byte. Filled on the event loops as answers are found
 * (a slot keeps the last answer hashed to it); lost writes and races only cost a later miss. Belongs
 * to one immutable zone, so it is never invalidated: the next zone starts empty.
 */
final class AnswerTable {
    /** One answer: the key's hash and type, and the template whose question spells the name. Final fields: safe to publish racily. */
    private record Entry(int hash, int type, byte[] template) {}

    private final Entry[] slots;
    private final int mask;

    /** A table of two to four slots per name of the zone (a power of two, 1,024 to 65,536). */
    AnswerTable(int names) {
        int size = Math.max(1024, Math.min(1 << 16, Integer.highestOneBit(Math.max(1, names)) << 2));
        this.slots = new Entry[size];
        this.mask = size - 1;
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
     * The template answering the name at {@code wire[12, nameEnd)} (hashed to {@code hash}) and
     * {@code type}, or null when this table does not hold it.
     */
    byte[] find(byte[] wire, int nameEnd, int hash, int type) {
        Entry e = slots[index(hash, type)];
        if (e == null || e.hash != hash || e.type != type) {
            return null;
        }
        byte[] t = e.template;
        int length = nameEnd - 12;
        if (t.length < 12 + length) {
            return null;
        }
        for (int i = 12; i < nameEnd; i++) {
            if (lower(wire[i]) != lower(t[i])) {
                return null;
            }
        }
        return t;
    }

    /**
     * Keeps {@code template} for the name hashed to {@code hash} and {@code type}; its question must
     * spell that name at offset 12 and carry that type (only then is it kept).
     */
    void put(int hash, int type, byte[] template, int nameLength) {
        int typeAt = 12 + nameLength;
        if (template.length < typeAt + 4 || ((template[typeAt] & 0xff) << 8 | (template[typeAt + 1] & 0xff)) != type) {
            return;
        }
        slots[index(hash, type)] = new Entry(hash, type, template);
    }

    private int index(int hash, int type) {
        int h = hash * 31 + type;
        return (h ^ (h >>> 16)) & mask;
    }

    private static int lower(byte b) {
        int c = b & 0xff;
        return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
    }
}
