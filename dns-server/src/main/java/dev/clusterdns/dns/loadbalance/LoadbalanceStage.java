package dev.clusterdns.dns.loadbalance;

import dev.clusterdns.dns.pipeline.Next;
import dev.clusterdns.dns.pipeline.Query;
import dev.clusterdns.dns.pipeline.Reply;
import dev.clusterdns.dns.pipeline.Stage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Shuffles the A and AAAA records of every answer (CoreDNS `loadbalance`), so clients that take the
 * first address spread over all of them. Other records (a leading CNAME chain) keep their places.
 * Runs first, so it also shuffles cached and authoritative answers.
 */
public final class LoadbalanceStage implements Stage {

    @Override
    public String name() {
        return "loadbalance";
    }

    @Override
    public CompletionStage<Reply> serve(Query query, Next next) {
        if (query.type() == Type.AXFR || query.type() == Type.IXFR) {
            return next.serve(query);
        }
        // A new Reply from the shuffled message: a pre-encoded reply's template would ignore changes.
        return next.serve(query).thenApply(reply -> shuffle(reply.message()) ? Reply.of(reply.message()) : reply);
    }

    /** Shuffles the address records of the answer section in place; false when there was nothing to shuffle. */
    static boolean shuffle(Message m) {
        List<Record> answer = m.getSection(Section.ANSWER);
        int addresses = 0;
        for (Record r : answer) {
            if (r.getType() == Type.A || r.getType() == Type.AAAA) {
                addresses++;
            }
        }
        if (addresses < 2) {
            return false;
        }
        List<Record> shuffled = new ArrayList<>(addresses);
        for (Record r : answer) {
            if (r.getType() == Type.A || r.getType() == Type.AAAA) {
                shuffled.add(r);
            }
        }
        Collections.shuffle(shuffled, ThreadLocalRandom.current());
        List<Record> out = new ArrayList<>(answer.size());
        int next = 0;
        for (Record r : answer) {
            out.add(r.getType() == Type.A || r.getType() == Type.AAAA ? shuffled.get(next++) : r);
        }
        m.removeAllRecords(Section.ANSWER);
        for (Record r : out) {
            m.addRecord(r, Section.ANSWER);
        }
        return true;
    }
}
