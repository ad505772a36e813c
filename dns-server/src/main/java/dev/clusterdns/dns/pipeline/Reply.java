package dev.clusterdns.dns.pipeline;

import java.io.IOException;
import java.util.List;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * A stage's answer. The transport finishes it for the wire: echoes ID, RD and the question, sets QR,
 * adds/handles OPT and truncates for UDP. Stages fill rcode, AA and the three record sections.
 *
 * <p>A reply is either a dnsjava {@link Message} or a pre-encoded wire template (see
 * {@link #encoded(byte[])}); {@link #message()} always works and decodes a template on demand.
 */
public final class Reply {
    private Message message;
    private final Query query;
    private final byte[] template;
    private final List<Message> continuation;
    /** True when {@link #template} holds no question: the query's goes after its header ({@link #encodedAround}). */
    private final boolean around;
    /** The stage that made this reply (CoreDNS's `plugin` label); set once by the pipeline. */
    private String plugin;

    private Reply(Message message, Query query, byte[] template, List<Message> continuation) {
        this(message, query, template, continuation, false);
    }

    private Reply(Message message, Query query, byte[] template, List<Message> continuation, boolean around) {
        this.message = message;
        this.query = query;
        this.template = template;
        this.continuation = List.copyOf(continuation);
        this.around = around;
    }

    public static Reply of(Message message) {
        return new Reply(message, null, null, List.of());
    }

    /**
     * A reply already in wire form, built once per zone snapshot: ID 0, QR and AA set, the question
     * spelled in lower case at offset 12, every later name compressed against it where possible, no
     * OPT. The transport copies it, patches the ID and RD and writes the client's question (name,
     * type, class) over the template's, so owners that point into the question echo the client's
     * spelling; one template may therefore serve several query types (a per-name NODATA). The
     * caller must not modify the array.
     *
     * <p>{@link #message()} decodes the template with the ID and question of {@code query}. It is a
     * fresh copy: a stage that changes a reply must return a new {@code Reply.of(changed)}.
     */
    public static Reply encoded(Query query, byte[] template) {
        return new Reply(null, query, template, List.of());
    }

    /**
     * A reply already in wire form around the question of {@code query}, which must have come in
     * through the fast path ({@link Query#wire()} set): {@code template} is the 12-byte header
     * (QDCOUNT 1, ID 0) followed by the sections after the question, whose names may point into the
     * question at their offsets in the whole reply (the question starts at 12). The transport writes
     * the header, the client's question, then the rest, patching the header as for {@link #encoded}.
     * Such a template depends only on what it says and where the question's labels lie, not on the
     * name itself, so one array may serve many queries (a zone's NXDOMAIN). The caller must not modify it.
     */
    public static Reply encodedAround(Query query, byte[] template) {
        if (query.wire() == null) {
            throw new IllegalArgumentException("a template around the question needs the query's wire");
        }
        return new Reply(null, query, template, List.of(), true);
    }

    /**
     * A multi-message answer (AXFR over TCP): {@code first} then each of {@code rest}, written in
     * order on the same connection. Over UDP only {@code first} would fit, so stages refuse AXFR there.
     */
    public static Reply stream(Message first, List<Message> rest) {
        return new Reply(first, null, null, rest);
    }

    /** An empty reply to {@code query} with this rcode (no AA). */
    public static Reply error(Query query, int rcode) {
        Message m = new Message(query.id());
        m.getHeader().setFlag(Flags.QR);
        if (query.recursionDesired()) {
            m.getHeader().setFlag(Flags.RD);
        }
        m.getHeader().setOpcode(query.opcode());
        if (query.name() != null) {
            m.addRecord(Record.newRecord(query.name(), query.type(), query.dclass()), Section.QUESTION);
        }
        m.getHeader().setRcode(rcode);
        return new Reply(m, null, null, List.of());
    }

    public Message message() {
        Message m = message;
        if (m == null) {
            try {
                m = new Message(around ? whole() : template);
                m.getHeader().setID(query.id());
                if (query.name() != null) {
                    m.removeAllRecords(Section.QUESTION);
                    m.addRecord(Record.newRecord(query.name(), query.type(), query.dclass()), Section.QUESTION);
                }
            } catch (IOException e) {
                throw new IllegalStateException("pre-encoded reply does not parse", e);
            }
            message = m;
        }
        return m;
    }

    /** Header, the query's question, then the rest of an {@link #encodedAround} template. */
    private byte[] whole() {
        byte[] w = query.wire();
        int q = query.questionEnd() - 12;
        byte[] out = new byte[template.length + q];
        System.arraycopy(template, 0, out, 0, 12);
        System.arraycopy(w, 12, out, 12, q);
        System.arraycopy(template, 12, out, 12 + q, template.length - 12);
        return out;
    }

    /**
     * True when {@link #template()} holds no question ({@link #encodedAround}): the query's question
     * goes between its header and the rest.
     */
    public boolean aroundQuestion() {
        return around;
    }

    /** The query a pre-encoded template answers (null for plain messages). */
    public Query query() {
        return query;
    }

    /** The pre-encoded template, or null when this reply is a plain message. */
    public byte[] template() {
        return template;
    }

    /** Further messages of a stream (AXFR); empty for ordinary answers. */
    public List<Message> continuation() {
        return continuation;
    }

    /**
     * The name of the stage that made this reply object (e.g. `cluster`, `cache`, `forward`): the
     * `plugin` label of CoreDNS's responses metric. A stage that passes an inner stage's reply on
     * unchanged leaves it to that stage; one that returns a new reply (a cache hit, a shuffled
     * answer) is its writer. Empty for replies no stage made (REFUSED at the end of the chain, the
     * transport's own FORMERR, NOTIMP, SERVFAIL).
     */
    public String plugin() {
        return plugin == null ? "" : plugin;
    }

    /** Records the stage that returned this reply, unless an inner stage already did. */
    void writtenBy(String stage) {
        if (plugin == null) {
            plugin = stage;
        }
    }

    public int rcode() {
        if (template != null) {
            return template[3] & 0x0f;
        }
        return message.getRcode();
    }
}
