package dev.clusterdns.dns.cluster;

import org.xbill.DNS.Name;

/**
 * A lookup key for a {@code Map<Name, ...>} made from a name in wire form (a received query), so the
 * cluster zone's index can be asked without building a dnsjava {@link Name}. Its hash is
 * {@link Name#hashCode()}'s (the same fold over the lower-cased wire bytes), and it "equals" a stored
 * name with that hash, wire length and label count. That is not proof: a hit must be confirmed
 * against the bytes of what it found ({@link #sameName(byte[], int)}), and only a miss is final (a
 * name equal to the probe would have matched). Never stored in a map; one per lookup.
 */
final class WireNameProbe {
    private final byte[] wire;
    private final int start;
    private final int end;
    private final int labels;
    private final int hash;

    /** The name at {@code wire[start, end)} (uncompressed, root label included), {@code labels} as {@link Name#labels()}. */
    WireNameProbe(byte[] wire, int start, int end, int labels) {
        this(wire, start, end, labels, AnswerTable.hash(wire, start, end));
    }

    /** As above, with the hash already computed by {@link AnswerTable#hash}. */
    WireNameProbe(byte[] wire, int start, int end, int labels, int hash) {
        this.wire = wire;
        this.start = start;
        this.end = end;
        this.labels = labels;
        this.hash = hash;
    }

    private static int lower(byte b) {
        int c = b & 0xff;
        return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Name n && n.hashCode() == hash && n.length() == end - start && n.labels() == labels;
    }

    /** True when {@code other[at, at + length)} spells the same name, ignoring ASCII case. */
    boolean sameName(byte[] other, int at) {
        int length = end - start;
        if (other.length < at + length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (lower(wire[start + i]) != lower(other[at + i])) {
                return false;
            }
        }
        return true;
    }

    /**
     * True when the name lies at or below {@code origin} (given lower-cased in wire form with
     * {@code originLabels} labels): its last labels are the origin's bytes, ignoring ASCII case.
     */
    boolean within(byte[] origin, int originLabels) {
        int skip = labels - originLabels;
        if (skip < 0) {
            return false;
        }
        int p = start;
        for (int i = 0; i < skip; i++) {
            p += (wire[p] & 0xff) + 1;
        }
        if (end - p != origin.length) {
            return false;
        }
        for (int i = 0; i < origin.length; i++) {
            if (lower(wire[p + i]) != (origin[i] & 0xff)) {
                return false;
            }
        }
        return true;
    }

    /**
     * A lookup key for a {@code Map<String, ...>} keyed `first/second` (the labels at those indexes,
     * counted from the left, lower-cased ASCII, each byte one char): it hashes as that string and
     * equals exactly the strings that spell it, without building the string for every query.
     */
    Object key(int first, int second) {
        return new LabelPairKey(wire, offset(first), offset(second));
    }

    /**
     * Two labels of a wire name standing for the string `first/second` in a map lookup: its hash is
     * {@link String#hashCode()}'s over those chars, and it equals a String char for char. Never stored.
     */
    private static final class LabelPairKey {
        private final byte[] wire;
        private final int first;
        private final int second;
        private final int hash;

        LabelPairKey(byte[] wire, int first, int second) {
            this.wire = wire;
            this.first = first;
            this.second = second;
            int h = 0;
            for (int i = first + 1, end = first + 1 + (wire[first] & 0xff); i < end; i++) {
                h = 31 * h + lower(wire[i]);
            }
            h = 31 * h + '/';
            for (int i = second + 1, end = second + 1 + (wire[second] & 0xff); i < end; i++) {
                h = 31 * h + lower(wire[i]);
            }
            this.hash = h;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof String s)) {
                return false;
            }
            int la = wire[first] & 0xff;
            int lb = wire[second] & 0xff;
            if (s.length() != la + 1 + lb || s.charAt(la) != '/') {
                return false;
            }
            for (int i = 0; i < la; i++) {
                if (s.charAt(i) != lower(wire[first + 1 + i])) {
                    return false;
                }
            }
            for (int i = 0; i < lb; i++) {
                if (s.charAt(la + 1 + i) != lower(wire[second + 1 + i])) {
                    return false;
                }
            }
            return true;
        }
    }

    private int offset(int index) {
        int p = start;
        for (int i = 0; i < index; i++) {
            p += (wire[p] & 0xff) + 1;
        }
        return p;
    }

    /** The label {@code index} counted from the left (0 the first), as lower-cased ASCII equals {@code text}. */
    boolean labelIs(int index, String text) {
        int p = start;
        for (int i = 0; i < index; i++) {
            p += (wire[p] & 0xff) + 1;
        }
        int len = wire[p] & 0xff;
        if (len != text.length()) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (lower(wire[p + 1 + i]) != text.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
