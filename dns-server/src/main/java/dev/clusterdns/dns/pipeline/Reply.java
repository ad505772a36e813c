package dev.clusterdns.dns.pipeline;

import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * A stage's answer. The transport finishes it for the wire: echoes ID, RD and the question, sets QR,
 * adds/handles OPT and truncates for UDP. Stages fill rcode, AA and the three record sections.
 */
public final class Reply {
    private final Message message;

    private Reply(Message message) {
        this.message = message;
    }

    public static Reply of(Message message) {
        return new Reply(message);
    }

    /** An empty reply to {@code query} with this rcode (no AA). */
    public static Reply error(Query query, int rcode) {
        Message m = new Message(query.id());
        m.getHeader().setFlag(Flags.QR);
        if (query.message().getHeader().getFlag(Flags.RD)) {
            m.getHeader().setFlag(Flags.RD);
        }
        m.getHeader().setOpcode(query.opcode());
        Record q = query.message().getQuestion();
        if (q != null) {
            m.addRecord(q, Section.QUESTION);
        }
        m.getHeader().setRcode(rcode);
        return new Reply(m);
    }

    public Message message() {
        return message;
    }

    public int rcode() {
        return message.getRcode();
    }
}
