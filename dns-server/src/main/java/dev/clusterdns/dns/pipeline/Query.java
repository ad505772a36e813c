package dev.clusterdns.dns.pipeline;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Arrays;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSInput;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;
import org.xbill.DNS.WireParseException;

/**
 * One question as the pipeline sees it: the header fields, the question (name spelled as the client
 * sent it, for 0x20 echo), EDNS, and where it came from.
 *
 * <p>The common shape of a query (one question, at most an OPT record) is read straight from the wire
 * without building a dnsjava {@link Message}; {@link #message()} parses the full message lazily for
 * stages that need it (forwarding). Stages that answer from memory use only the fields.
 */
public final class Query {
    /** EDNS fields when the query carried no OPT record. */
    private static final int NO_EDNS = -1;

    private final byte[] wire;
    /** The message's length: {@link #wire} may be a longer receive buffer ({@link #parseLent}). */
    private final int size;
    /** True while {@link #wire} is the caller's reused buffer, valid only until it receives again. */
    private final boolean lent;
    private final int questionEnd;
    private Message message;
    private final int id;
    private final int flags;
    /** Parsed on first use for fast-path queries ({@link #name()}); the wire is read without it. */
    private Name name;
    /** Labels of the name as dnsjava counts them (the root included); 0 without a question. */
    private final int nameLabels;
    private final int type;
    private final int dclass;
    private final int ednsPayload;
    private final int ednsVersion;
    private final int ednsFlags;
    private final InetSocketAddress client;
    private final QueryProtocol transport;

    private Query(byte[] wire, int size, boolean lent, int questionEnd, Message message, int id, int flags, Name name, int nameLabels, int type,
            int dclass, int ednsPayload, int ednsVersion, int ednsFlags, InetSocketAddress client, QueryProtocol transport) {
        this.wire = wire;
        this.size = size;
        this.lent = lent;
        this.questionEnd = questionEnd;
        this.message = message;
        this.id = id;
        this.flags = flags;
        this.name = name;
        this.nameLabels = nameLabels;
        this.type = type;
        this.dclass = dclass;
        this.ednsPayload = ednsPayload;
        this.ednsVersion = ednsVersion;
        this.ednsFlags = ednsFlags;
        this.client = client;
        this.transport = transport;
    }

    /** Parses a wire-format query; throws on malformed input (the transport answers FORMERR or drops). */
    public static Query parse(byte[] wire, InetSocketAddress client, QueryProtocol transport) throws IOException {
        Query fast = parseSimple(wire, wire.length, false, client, transport);
        return fast != null ? fast : of(new Message(wire), client, transport);
    }

    /**
     * Parses the query in {@code buffer[0, length)} without copying it: the UDP socket receives every
     * datagram into the same array, and a query answered on the receiving thread needs no copy of its
     * own (it was a third of the garbage per answered query). The query reads that array until the
     * caller receives into it again, so whatever keeps it longer (an asynchronous stage, forwarding)
     * must take {@link #owned()} first.
     */
    public static Query parseLent(byte[] buffer, int length, InetSocketAddress client, QueryProtocol transport)
            throws IOException {
        Query fast = parseSimple(buffer, length, true, client, transport);
        return fast != null ? fast : of(new Message(Arrays.copyOf(buffer, length)), client, transport);
    }

    /**
     * This query with bytes of its own: itself unless it reads a lent buffer ({@link #parseLent}), else
     * a copy (with what was already parsed lazily) that stays valid after the buffer is reused.
     */
    public Query owned() {
        if (!lent) {
            return this;
        }
        return new Query(Arrays.copyOf(wire, size), size, false, questionEnd, message, id, flags, name, nameLabels,
                type, dclass, ednsPayload, ednsVersion, ednsFlags, client, transport);
    }

    /** Wraps an already parsed message; the question may be null (QDCOUNT 0), stages must cope. */
    public static Query of(Message message, InetSocketAddress client, QueryProtocol transport) {
        Record q = message.getQuestion();
        OPTRecord opt = message.getOPT();
        return new Query(null, message.numBytes(), false, 0, message, message.getHeader().getID(), headerFlags(message),
                q == null ? null : q.getName(), q == null ? 0 : q.getName().labels(), q == null ? 0 : q.getType(), q == null ? 0 : q.getDClass(),
                opt == null ? NO_EDNS : opt.getPayloadSize(), opt == null ? 0 : opt.getVersion(),
                opt == null ? 0 : opt.getFlags(), client, transport);
    }

    private static int headerFlags(Message m) {
        byte[] h = m.getHeader().toWire();
        return (h[2] & 0xff) << 8 | (h[3] & 0xff);
    }

    /**
     * Reads header, one uncompressed question and an optional OPT record straight off the wire;
     * returns null for anything else (the caller falls back to dnsjava's full parser).
     */
    private static Query parseSimple(byte[] w, int n, boolean lent, InetSocketAddress client, QueryProtocol transport) {
        if (n < 17 || u16(w, 4) != 1 || u16(w, 6) != 0 || u16(w, 8) != 0 || u16(w, 10) > 1) {
            return null;
        }
        int flags = u16(w, 2);
        int pos = 12;
        int nameLen = 0;
        int labels = 1; // the root, as dnsjava counts
        while (true) {
            if (pos >= n) {
                return null;
            }
            int len = w[pos] & 0xff;
            if (len == 0) {
                pos++;
                nameLen++;
                if (nameLen > 255) {
                    return null; // too long for a name (RFC 1035 3.1): dnsjava refuses it
                }
                break;
            }
            if (len > 63) {
                return null; // compression pointer or extended label: leave to dnsjava
            }
            nameLen += len + 1;
            pos += len + 1;
            labels++;
            if (nameLen > 255) {
                return null;
            }
        }
        if (pos + 4 > n) {
            return null;
        }
        int type = u16(w, pos);
        int dclass = u16(w, pos + 2);
        int questionEnd = pos + 4;
        pos = questionEnd;
        int payload = NO_EDNS;
        int version = 0;
        int ednsFlags = 0;
        if (u16(w, 10) == 1) {
            if (pos + 11 > n || w[pos] != 0 || u16(w, pos + 1) != Type.OPT) {
                return null;
            }
            payload = u16(w, pos + 3);
            version = w[pos + 6] & 0xff;
            ednsFlags = u16(w, pos + 7);
            int rdlen = u16(w, pos + 9);
            pos += 11;
            int end = pos + rdlen;
            // Each EDNS option is code, length, data and they must fill RDATA exactly; anything
            // else is left to dnsjava, which refuses it (FORMERR) instead of failing later.
            while (pos < end) {
                if (pos + 4 > end) {
                    return null;
                }
                pos += 4 + u16(w, pos + 2);
            }
            if (pos != end) {
                return null;
            }
        }
        if (pos != n) {
            return null;
        }
        // The name is checked above as dnsjava would (label lengths, no compression, at most 255
        // bytes) and built only when a stage asks for it: answers from the cluster zone do not need it.
        return new Query(w, n, lent, questionEnd, null, u16(w, 0), flags, null, labels, type, dclass, payload, version, ednsFlags,
                client, transport);
    }

    private static int u16(byte[] w, int at) {
        return (w[at] & 0xff) << 8 | (w[at + 1] & 0xff);
    }

    /** The same query asked for another name (CNAME chasing, autopath); the message is rebuilt. */
    public Query withName(Name newName) {
        Message copy = message().clone();
        copy.removeAllRecords(Section.QUESTION);
        copy.addRecord(Record.newRecord(newName, type, dclass == 0 ? DClass.IN : dclass), Section.QUESTION);
        return new Query(null, copy.numBytes(), false, 0, copy, id, flags, newName, newName.labels(), type, dclass, ednsPayload, ednsVersion,
                ednsFlags, client, transport);
    }

    /** The full dnsjava message (parsed on first use when the query came in through the fast path). */
    public Message message() {
        Message m = message;
        if (m == null) {
            try {
                m = new Message(wire.length == size ? wire : Arrays.copyOf(wire, size));
            } catch (IOException e) {
                // parseSimple only accepts what dnsjava also reads; keep the contract total anyway.
                throw new IllegalStateException("query no longer parses", e);
            }
            message = m;
        }
        return m;
    }

    public int id() {
        return id;
    }

    /** The 16 flag bits of the header (QR, opcode, AA, TC, RD, RA, Z, AD, CD, rcode). */
    public boolean flag(int flag) {
        // dnsjava numbers flags from the most significant bit of the 16-bit flags word.
        return (flags & (1 << (15 - flag))) != 0;
    }

    /** The question name exactly as the client spelled it; may be null when there is no question. */
    public Name name() {
        Name n = name;
        if (n == null && wire != null) {
            try {
                DNSInput in = new DNSInput(wire);
                in.jump(12);
                n = new Name(in);
            } catch (WireParseException e) {
                // parseSimple only accepts names dnsjava also reads; keep the contract total anyway.
                throw new IllegalStateException("query name no longer parses", e);
            }
            name = n;
        }
        return n;
    }

    /** True when the query has a question (the fast path always has one). */
    public boolean hasQuestion() {
        return wire != null || name != null;
    }

    /** Labels of the question name as {@link Name#labels()} counts them (the root included), without building it. */
    public int nameLabels() {
        return nameLabels;
    }

    /** End offset of the question name in {@link #wire()} (it starts at 12): the type follows. */
    public int nameEnd() {
        return questionEnd - 4;
    }

    public int type() {
        return type;
    }

    public int dclass() {
        return dclass;
    }

    public int opcode() {
        return (flags >> 11) & 0xf;
    }

    /** True for an ordinary QUERY with RD set (copied into the reply). */
    public boolean recursionDesired() {
        return flag(Flags.RD);
    }

    /** The client's OPT record, or null without EDNS. */
    public OPTRecord opt() {
        return ednsPayload == NO_EDNS ? null : message().getOPT();
    }

    public boolean hasEdns() {
        return ednsPayload != NO_EDNS;
    }

    /** The client's advertised UDP payload size, or -1 without EDNS. */
    public int ednsPayload() {
        return ednsPayload;
    }

    public int ednsVersion() {
        return ednsVersion;
    }

    /** The EDNS flags word (DO is bit 15); 0 without EDNS. */
    public int ednsFlags() {
        return ednsFlags;
    }

    /**
     * The raw wire of the query when it came through the fast path (else null); the question name
     * starts at offset 12. The transport copies the client's exact spelling from here. The array may
     * be longer than the message ({@link #size()}) and, for a lent query, is valid only while it is
     * being answered on the receiving thread (see {@link #parseLent}).
     */
    public byte[] wire() {
        return wire;
    }

    /** The query message's length in bytes. */
    public int size() {
        return size;
    }

    /** End offset of the question section in {@link #wire()}. */
    public int questionEnd() {
        return questionEnd;
    }

    public InetSocketAddress client() {
        return client;
    }

    public QueryProtocol protocol() {
        return transport;
    }

    /** Largest reply this client accepts on this transport (RFC 1035 512, EDNS size capped by the server). */
    public int maxReplySize(int serverUdpSize) {
        if (transport == QueryProtocol.TCP) {
            return 65535;
        }
        if (ednsPayload == NO_EDNS) {
            return 512;
        }
        return Math.max(512, Math.min(ednsPayload, serverUdpSize));
    }
}
