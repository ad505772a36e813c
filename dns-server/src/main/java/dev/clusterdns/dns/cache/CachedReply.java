package dev.clusterdns.dns.cache;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * One cached reply: rcode, flags and each record as uncompressed wire bytes, so a hit rebuilds the
 * message with every TTL set to the remaining lifetime by patching four bytes per record.
 */
final class CachedReply {
    private static final int[] SECTIONS = {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL};

    final long ttl;
    final long storedNanos;
    final boolean denial;
    private final int rcode;
    private final boolean ad;
    /** Per section: records as {@code Record.toWire(section)} bytes. */
    private final byte[][][] records;
    /** Wire offset of the TTL in each record (after owner, type and class). */
    private final int[][] ttlOffsets;
    final AtomicInteger hits = new AtomicInteger();
    volatile long lastHitNanos;
    final AtomicBoolean refreshing = new AtomicBoolean();

    private CachedReply(long ttl, long storedNanos, boolean denial, int rcode, boolean ad, byte[][][] records, int[][] ttlOffsets) {
        this.ttl = ttl;
        this.storedNanos = storedNanos;
        this.denial = denial;
        this.rcode = rcode;
        this.ad = ad;
        this.records = records;
        this.ttlOffsets = ttlOffsets;
        this.lastHitNanos = storedNanos;
    }

    static CachedReply of(Message reply, long ttl, boolean denial, long now) {
        byte[][][] recs = new byte[SECTIONS.length][][];
        int[][] offsets = new int[SECTIONS.length][];
        for (int s = 0; s < SECTIONS.length; s++) {
            List<Record> list = new ArrayList<>();
            for (Record r : reply.getSection(SECTIONS[s])) {
                if (r.getType() != Type.OPT && r.getType() != Type.TSIG) {
                    list.add(r);
                }
            }
            recs[s] = new byte[list.size()][];
            offsets[s] = new int[list.size()];
            for (int i = 0; i < list.size(); i++) {
                Record r = list.get(i);
                recs[s][i] = r.toWire(SECTIONS[s]);
                offsets[s][i] = r.getName().length() + 4;
            }
        }
        return new CachedReply(ttl, now, denial, reply.getHeader().getRcode(),
                reply.getHeader().getFlag(Flags.AD), recs, offsets);
    }

    /** Seconds left at {@code now} (negative once expired). */
    long remaining(long now) {
        return ttl - (now - storedNanos) / 1_000_000_000L;
    }

    /**
     * A fresh message for query {@code id} with every TTL set to {@code ttlNow}; AA is never set, RA
     * always is (a cached answer is a recursive resolver's answer).
     */
    Message toMessage(int id, long ttlNow) throws IOException {
        Message m = new Message(id);
        m.getHeader().setFlag(Flags.QR);
        m.getHeader().setFlag(Flags.RA);
        if (ad) {
            m.getHeader().setFlag(Flags.AD);
        }
        m.getHeader().setRcode(rcode);
        int t = (int) Math.max(0, ttlNow);
        for (int s = 0; s < SECTIONS.length; s++) {
            for (int i = 0; i < records[s].length; i++) {
                byte[] wire = records[s][i].clone();
                int o = ttlOffsets[s][i];
                wire[o] = (byte) (t >>> 24);
                wire[o + 1] = (byte) (t >>> 16);
                wire[o + 2] = (byte) (t >>> 8);
                wire[o + 3] = (byte) t;
                m.addRecord(Record.fromWire(wire, SECTIONS[s]), SECTIONS[s]);
            }
        }
        return m;
    }
}
