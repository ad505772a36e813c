package dev.clusterdns.dns.pipeline;

import java.io.IOException;
import java.net.InetSocketAddress;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;

/**
 * One question as the pipeline sees it: the header fields, the question (name spelled as the client
 * sent it, for 0x20 echo), EDNS, and where it came from. The full dnsjava {@link Message} is kept
 * for stages that need it (forwarding); stages that answer from memory use only the fields.
 */
public final class Query {
    private final Message message;
    private final Name name;
    private final int type;
    private final int dclass;
    private final InetSocketAddress client;
    private final Transport transport;

    private Query(Message message, Name name, int type, int dclass, InetSocketAddress client, Transport transport) {
        this.message = message;
        this.name = name;
        this.type = type;
        this.dclass = dclass;
        this.client = client;
        this.transport = transport;
    }

    /** Parses a wire-format query; throws on malformed input (the transport answers FORMERR or drops). */
    public static Query parse(byte[] wire, InetSocketAddress client, Transport transport) throws IOException {
        return of(new Message(wire), client, transport);
    }

    /** Wraps an already parsed message; the question may be null (QDCOUNT 0), stages must cope. */
    public static Query of(Message message, InetSocketAddress client, Transport transport) {
        Record q = message.getQuestion();
        return new Query(message, q == null ? null : q.getName(), q == null ? 0 : q.getType(),
                q == null ? 0 : q.getDClass(), client, transport);
    }

    /** The same query asked for another name (CNAME chasing, autopath); the message is rebuilt. */
    public Query withName(Name newName) {
        Message copy = message.clone();
        copy.removeAllRecords(org.xbill.DNS.Section.QUESTION);
        copy.addRecord(Record.newRecord(newName, type, dclass), org.xbill.DNS.Section.QUESTION);
        return new Query(copy, newName, type, dclass, client, transport);
    }

    public Message message() {
        return message;
    }

    public int id() {
        return message.getHeader().getID();
    }

    /** The question name exactly as the client spelled it; may be null when there is no question. */
    public Name name() {
        return name;
    }

    public int type() {
        return type;
    }

    public int dclass() {
        return dclass;
    }

    public int opcode() {
        return message.getHeader().getOpcode();
    }

    /** The client's OPT record, or null without EDNS. */
    public OPTRecord opt() {
        return message.getOPT();
    }

    public InetSocketAddress client() {
        return client;
    }

    public Transport transport() {
        return transport;
    }

    /** Largest reply this client accepts on this transport (RFC 1035 512, EDNS size capped by the server). */
    public int maxReplySize(int serverUdpSize) {
        if (transport == Transport.TCP) {
            return 65535;
        }
        OPTRecord opt = opt();
        if (opt == null) {
            return 512;
        }
        return Math.max(512, Math.min(opt.getPayloadSize(), serverUdpSize));
    }
}
