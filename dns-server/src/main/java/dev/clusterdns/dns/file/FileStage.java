package dev.clusterdns.dns.file;

import dev.clusterdns.dns.pipeline.Next;
import dev.clusterdns.dns.pipeline.Query;
import dev.clusterdns.dns.pipeline.Reply;
import dev.clusterdns.dns.pipeline.Stage;
import dev.clusterdns.dns.transfer.TransferStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Answers names inside the zone files authoritatively (CoreDNS `file`); other names go on. Runs from
 * memory on the calling thread. AXFR/IXFR of a file zone's apex is answered here (the transfer gate
 * in front has already checked TCP and the client's address).
 */
public final class FileStage implements Stage {
    private final Supplier<ZoneSet> zones;

    public FileStage(Supplier<ZoneSet> zones) {
        this.zones = zones;
    }

    @Override
    public String name() {
        return "file";
    }

    @Override
    public CompletionStage<Reply> serve(Query query, Next next) {
        if (query.name() == null || query.opcode() != Opcode.QUERY
                || (query.dclass() != DClass.IN && query.dclass() != DClass.ANY)) {
            return next.serve(query);
        }
        FileZone zone = zones.get().find(query.name());
        if (zone == null) {
            return next.serve(query);
        }
        int type = query.type();
        if (type == Type.AXFR || type == Type.IXFR) {
            if (!zone.origin().equals(query.name())) {
                return CompletableFuture.completedFuture(Reply.error(query, org.xbill.DNS.Rcode.NOTAUTH));
            }
            return CompletableFuture.completedFuture(TransferStream.of(query, zone.soa(), zone.records()));
        }
        Message reply = new Message(query.id());
        reply.getHeader().setFlag(Flags.QR);
        Record q = query.message().getQuestion();
        reply.addRecord(q, Section.QUESTION);
        zone.answer(query.name(), type, reply);
        return CompletableFuture.completedFuture(Reply.of(reply));
    }
}
