package dev.clusterdns.dns.transport;

import dev.clusterdns.dns.pipeline.Query;
import dev.clusterdns.dns.pipeline.Reply;
import dev.clusterdns.dns.pipeline.QueryProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * Finishes a stage's reply for the wire (RFC 1035, 6891, 2181 §9): echoes ID, RD, CD, opcode and the
 * question byte for byte, sets QR, puts our OPT in when the client sent one (our payload size, DO
 * echoed, no options), and cuts UDP replies to the client's size with TC set.
 */
final class ReplyEncoder {
    private static final int OPT_LENGTH = 11;
    private static final int DO_BIT = ExtendedFlags.DO;

    private final int ednsSize;

    ReplyEncoder(int ednsSize) {
        this.ednsSize = ednsSize;
    }

    /**
     * The first (for everything but a TCP stream, the only) message of the reply. A pre-encoded
     * answer is written straight into a buffer from {@code out} (the UDP socket's reused one, or a
     * pooled direct one under Netty), so the common reply costs no array and no copy into the
     * socket's buffer; the rest goes through dnsjava.
     */
    ByteBuf first(Query query, Reply reply, ReplySink out) {
        int limit = query.maxReplySize(ednsSize);
        if (reply.continuation().isEmpty()) {
            ByteBuf fast = fromTemplate(query, reply, limit, out);
            if (fast != null) {
                return fast;
            }
        }
        return Unpooled.wrappedBuffer(fromMessage(query, reply.message(), limit));
    }

    /** The further messages of a stream (AXFR over TCP), in order; empty for ordinary replies. */
    List<ByteBuf> rest(Query query, Reply reply) {
        if (reply.continuation().isEmpty()) {
            return List.of();
        }
        int limit = query.maxReplySize(ednsSize);
        List<ByteBuf> out = new ArrayList<>(reply.continuation().size());
        for (Message m : reply.continuation()) {
            out.add(Unpooled.wrappedBuffer(fromMessage(query, m, limit)));
        }
        return out;
    }

    /** Copy + patch of a pre-encoded reply; null when it does not apply (no raw query, too large). */
    private ByteBuf fromTemplate(Query query, Reply reply, int limit, ReplySink sink) {
        byte[] t = reply.template();
        byte[] w = query.wire();
        if (t == null || w == null || reply.query() != query) {
            return null;
        }
        int qEnd = query.questionEnd();
        // Where the template's sections after the question start.
        int rest;
        if (reply.aroundQuestion()) {
            rest = 12;
        } else if (t.length < qEnd || !sameQuestionLength(t, qEnd)) {
            return null;
        } else {
            rest = qEnd;
        }
        boolean edns = query.hasEdns();
        int size = qEnd + t.length - rest + (edns ? OPT_LENGTH : 0);
        if (size > limit) {
            return null; // let dnsjava truncate at an RRset boundary
        }
        ByteBuf out = sink.buffer(size);
        // The header in two writes (each write checks the buffer): ID from the query; QR, opcode 0,
        // AA, TC from the template, RD copied; RA/Z/AD clear, CD copied, rcode from the template;
        // the counts from the template, one more additional record for our OPT.
        int arcount = (t[10] & 0xff) << 8 | (t[11] & 0xff);
        out.writeLong((w[0] & 0xffL) << 56 | (w[1] & 0xffL) << 48
                | ((t[2] & 0xfeL) | (w[2] & 0x01L)) << 40 | ((t[3] & 0x0fL) | (w[3] & 0x10L)) << 32
                | (t[4] & 0xffL) << 24 | (t[5] & 0xffL) << 16 | (t[6] & 0xffL) << 8 | (t[7] & 0xffL));
        out.writeInt((t[8] & 0xff) << 24 | (t[9] & 0xff) << 16 | (edns ? arcount + 1 : arcount));
        out.writeBytes(w, 12, qEnd - 12); // the client's question, spelling and all
        out.writeBytes(t, rest, t.length - rest);
        if (edns) {
            // Root owner, type OPT (41), our payload size, extended rcode 0, version 0, then the
            // flags (DO echoed) and no options.
            out.writeByte(0);
            out.writeInt(41 << 16 | ednsSize);
            out.writeInt((query.ednsFlags() & DO_BIT) != 0 ? 0x8000 : 0);
            out.writeShort(0);
        }
        return out;
    }

    /** The template's question ends exactly where the client's does (same name length). */
    private static boolean sameQuestionLength(byte[] t, int qEnd) {
        int pos = 12;
        while (pos < t.length) {
            int len = t[pos] & 0xff;
            if (len == 0) {
                return pos + 5 == qEnd;
            }
            pos += len + 1;
        }
        return false;
    }

    byte[] fromMessage(Query query, Message source, int limit) {
        Message m = source.clone();
        int rcode = m.getRcode();
        var h = m.getHeader();
        h.setID(query.id());
        h.setFlag(Flags.QR);
        h.setOpcode(query.opcode());
        // RD, CD, AD and RA are defined for QUERY only: other opcodes get them cleared (genreport's
        // `opcodeflg` check).
        boolean standard = query.opcode() == Opcode.QUERY;
        set(m, Flags.RD, standard && query.flag(Flags.RD));
        set(m, Flags.CD, standard && query.flag(Flags.CD));
        if (!standard) {
            m.getHeader().unsetFlag(Flags.AD);
            m.getHeader().unsetFlag(Flags.RA);
        }
        if (query.name() != null) {
            m.removeAllRecords(Section.QUESTION);
            m.addRecord(Record.newRecord(query.name(), query.type(), query.dclass() == 0 ? DClass.IN : query.dclass()),
                    Section.QUESTION);
        }
        for (Record r : m.getSection(Section.ADDITIONAL)) {
            if (r instanceof OPTRecord) {
                m.removeRecord(r, Section.ADDITIONAL);
            }
        }
        h.setRcode(rcode & 0xf);
        if (query.hasEdns()) {
            m.addRecord(new OPTRecord(ednsSize, rcode >>> 4, 0, query.ednsFlags() & DO_BIT), Section.ADDITIONAL);
        }
        return query.protocol() == QueryProtocol.TCP ? m.toWire(65535) : m.toWire(limit);
    }

    private static void set(Message m, int flag, boolean on) {
        if (on) {
            m.getHeader().setFlag(flag);
        } else {
            m.getHeader().unsetFlag(flag);
        }
    }
}
