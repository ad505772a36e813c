package dev.clusterdns.dns.cluster;

import dev.clusterdns.dns.pipeline.Query;
import dev.clusterdns.dns.pipeline.Reply;

/**
 * NXDOMAIN / NODATA / SERVFAIL with the zone's SOA in authority, as a template around the client's
 * question ({@link Reply#encodedAround}): the header, then an SOA whose owner, MNAME and RNAME point
 * into the question where the zone starts. So the owner echoes the client's spelling, and the bytes
 * depend only on the zone, the rcode and that offset: the zone keeps them, and the hot negative path
 * allocates no array and no dnsjava objects.
 */
final class NegativeReply {
    private static final byte[] NS_DNS = {2, 'n', 's', 3, 'd', 'n', 's'};
    private static final byte[] HOSTMASTER = {10, 'h', 'o', 's', 't', 'm', 'a', 's', 't', 'e', 'r'};
    private static final int RDATA_LENGTH = NS_DNS.length + 2 + HOSTMASTER.length + 2 + 20;
    /** Past the largest offset of a zone's first label in a reply (12 + a name of at most 255 bytes). */
    static final int OFFSET_LIMIT = 12 + 256;

    private NegativeReply() {}

    /**
     * Where {@code zone} starts in the question of {@code q} (a fast-path query whose name lies in
     * {@code zone}): the offset the SOA's names point to.
     */
    static int zoneOffset(Query q, Apex zone) {
        byte[] w = q.wire();
        int zoneOffset = 12;
        for (int skip = q.nameLabels() - zone.origin().labels(); skip > 0; skip--) {
            zoneOffset += (w[zoneOffset] & 0xff) + 1;
        }
        return zoneOffset;
    }

    /** The header and authority of the reply, its names pointing to {@code zoneOffset} in the question. */
    static byte[] template(Apex zone, int rcode, int zoneOffset) {
        byte[] out = new byte[12 + 2 + 10 + RDATA_LENGTH];
        out[2] = (byte) 0x84; // QR, AA (ID, RD, CD: patched by the transport from the query)
        out[3] = (byte) rcode;
        out[5] = 1; // QDCOUNT: the client's question, written by the transport
        out[9] = 1; // NSCOUNT
        int p = 12;
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
