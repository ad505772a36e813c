package dev.clusterdns.dns.pipeline;

import java.util.List;
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
    private final List<Message> continuation;

    private Reply(Message message, List<Message> continuation) {
        this.message = message;
        this.continuation = List.copyOf(continuation);
    }

    public static Reply of(Message message) {
        return new Reply(message, List.of());
    }

    /**
     * A multi-message answer (AXFR over TCP): {@code first} then each of {@code rest}, written in
     * order on the same connection. Over UDP only {@code first} would fit, so stages refuse AXFR there.
     */
    public static Reply stream(Message first, List<Message> rest) {
        return new Reply(first, rest);
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
        return new Reply(m, List.of());
    }

    public Message message() {
        return message;
    }

    /** Further messages of a stream (AXFR); empty for ordinary answers. */
    public List<Message> continuation() {
        return continuation;
    }

    public int rcode() {
        return message.getRcode();
    }
}
