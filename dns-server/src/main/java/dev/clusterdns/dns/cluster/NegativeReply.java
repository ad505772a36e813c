package dev.clusterdns.dns.cluster;

import dev.clusterdns.dns.pipeline.Query;

/**
 * NXDOMAIN / NODATA / SERVFAIL with the zone's SOA in authority, written straight from the query's
 * wire: header, the client's question, and an SOA whose owner, MNAME and RNAME point into the
 * question where the zone starts. So the owner echoes the client's spelling, and the hot negative
 * path of the search walk allocates one small array and no dnsjava objects.
 */
final class NegativeReply {
    private static final byte[] NS_DNS = {2, 'n', 's', 3, 'd', 'n', 's'};
    private static final byte[] HOSTMASTER = {10, 'h', 'o', 's', 't', 'm', 'a', 's', 't', 'e', 'r'};
    private static final int RDATA_LENGTH = NS_DNS.length + 2 + HOSTMASTER.length + 2 + 20;

    private NegativeReply() {}

    /** Requires {@code q.wire()} (fast-path query) and a query name inside {@code zone}. */
    static byte[] encode(Query q, Apex zone, int rcode) {
        byte[] w = q.wire();
        int qEnd = q.questionEnd();
        int zoneOffset = 12;
        for (int skip = q.nameLabels() - zone.origin().labels(); skip > 0; skip--) {
            zoneOffset += (w[zoneOffset] & 0xff) + 1;
        }
        byte[] out = new byte[qEnd + 2 + 10 + RDATA_LENGTH];
        System.arraycopy(w, 0, out, 0, qEnd);
        out[2] = (byte) 0x84; // QR, AA (ID, RD, CD, question: patched by the transport from the query)
        out[3] = (byte) rcode;
        out[4] = 0;
        out[5] = 1;
        out[6] = 0;
        out[7] = 0;
        out[8] = 0;
        out[9] = 1;
        out[10] = 0;
        out[11] = 0;
        int p = qEnd;
        p = pointer(out, p, zoneOffset);
        p = u16(out, p, 6); // SOA
        p = u16(out, p, 1); // IN
        p = u32(out, p, Math.min(zone.ttl(), 300));
        p = u16(out, p, RDATA_LENGTH);
        System.arraycopy(NS_DNS, 0, out, p, NS_DNS.length);
        p = pointer(out, p + NS_DNS.length, zoneOffset);
        System.arraycopy(HOSTMASTER, 0, out, p, HOSTMASTER.length);
        p = pointer(out, p + HOSTMASTER.length, zoneOffset);
        p = u32(out, p, zone.serial());
        p = u32(out, p, Apex.REFRESH);
        p = u32(out, p, Apex.RETRY);
        p = u32(out, p, Apex.EXPIRE);
        u32(out, p, zone.ttl());
        return out;
    }

    private static int pointer(byte[] out, int p, int offset) {
        return u16(out, p, 0xc000 | offset);
    }

    private static int u16(byte[] out, int p, int v) {
        out[p] = (byte) (v >> 8);
        out[p + 1] = (byte) v;
        return p + 2;
    }

    private static int u32(byte[] out, int p, long v) {
        out[p] = (byte) (v >> 24);
        out[p + 1] = (byte) (v >> 16);
        out[p + 2] = (byte) (v >> 8);
        out[p + 3] = (byte) v;
        return p + 4;
    }
}
