package dev.clusterdns.dns.transfer;

import dev.clusterdns.dns.pipeline.Query;
import dev.clusterdns.dns.pipeline.Reply;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** Builds AXFR/IXFR replies (RFC 5936): SOA, the records, SOA, split over several TCP messages. */
public final class TransferStream {
    /** Records per message: keeps each message well under 64 KiB for ordinary RDATA. */
    static final int RECORDS_PER_MESSAGE = 200;

    private TransferStream() {}

    /**
     * The transfer of a zone for {@code query}: for IXFR whose client serial equals ours a single SOA
     * (up to date), otherwise the full zone (RFC 1995 §4 allows AXFR-style answers to IXFR).
     */
    public static Reply of(Query query, SOARecord soa, List<Record> records) {
        if (query.type() == Type.IXFR && clientSerial(query) == soa.getSerial()) {
            Message m = message(query);
            m.addRecord(soa, Section.ANSWER);
            return Reply.of(m);
        }
        List<Record> all = new ArrayList<>(records.size() + 2);
        all.add(soa);
        all.addAll(records);
        all.add(soa);
        List<Message> messages = new ArrayList<>();
        for (int i = 0; i < all.size(); i += RECORDS_PER_MESSAGE) {
            Message m = message(query);
            for (Record r : all.subList(i, Math.min(all.size(), i + RECORDS_PER_MESSAGE))) {
                m.addRecord(r, Section.ANSWER);
            }
            messages.add(m);
        }
        return Reply.stream(messages.get(0), messages.subList(1, messages.size()));
    }

    private static long clientSerial(Query query) {
        for (Record r : query.message().getSection(Section.AUTHORITY)) {
            if (r instanceof SOARecord s) {
                return s.getSerial();
            }
        }
        return -1;
    }

    private static Message message(Query query) {
        Message m = new Message(query.id());
        m.getHeader().setFlag(Flags.QR);
        m.getHeader().setFlag(Flags.AA);
        Record q = query.message().getQuestion();
        if (q != null) {
            m.addRecord(q, Section.QUESTION);
        }
        return m;
    }
}
