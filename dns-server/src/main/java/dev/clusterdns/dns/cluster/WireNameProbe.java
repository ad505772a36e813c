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
        this.wire = wire;
        this.start = start;
        this.end = end;
        this.labels = labels;
        int code = 0;
        for (int i = start; i < end; i++) {
            code += (code << 3) + lower(wire[i]);
        }
        this.hash = code;
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

    /** `first/second` of the labels at those indexes (counted from the left), lower-cased (ASCII), in one string. */
    String key(int first, int second) {
        int a = offset(first);
        int b = offset(second);
        int la = wire[a] & 0xff;
        int lb = wire[b] & 0xff;
        byte[] out = new byte[la + 1 + lb];
        for (int i = 0; i < la; i++) {
            out[i] = (byte) lower(wire[a + 1 + i]);
        }
        out[la] = '/';
        for (int i = 0; i < lb; i++) {
            out[la + 1 + i] = (byte) lower(wire[b + 1 + i]);
        }
        return new String(out, java.nio.charset.StandardCharsets.ISO_8859_1);
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
