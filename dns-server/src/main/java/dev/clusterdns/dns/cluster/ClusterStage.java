package dev.clusterdns.dns.cluster;

import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.agent.snapshot.ClusterView;
import dev.clusterdns.dns.pipeline.Next;
import dev.clusterdns.dns.pipeline.Query;
import dev.clusterdns.dns.pipeline.Reply;
import dev.clusterdns.dns.pipeline.Stage;
import dev.clusterdns.dns.pipeline.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The cluster zone authority (CoreDNS's kubernetes plugin): answers `*.<cluster-domain>` and the
 * reverse names of ClusterIPs and endpoints from the latest snapshot, passes everything else on.
 *
 * <p>Each snapshot is turned into a {@link ClusterZone} on the publisher's thread and published with
 * one volatile write; a query reads that field once and sees one snapshot throughout.
 */
public final class ClusterStage implements Stage, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterStage.class);
    /** Records per message of a zone transfer. */
    private static final int TRANSFER_CHUNK = 200;

    private final ClusterOptions options;
    private volatile ClusterZone zone;
    private final AutoCloseable subscription;

    public ClusterStage(ClusterView view, ClusterOptions options) {
        this.options = options;
        this.zone = ClusterZone.build(ClusterSnapshot.empty(), options, null, System.currentTimeMillis() / 1000);
        this.subscription = view.subscribe(this::update);
    }

    private void update(ClusterSnapshot snapshot) {
        long start = System.nanoTime();
        ClusterZone next = ClusterZone.build(snapshot, options, zone, System.currentTimeMillis() / 1000);
        zone = next;
        LOG.debug("cluster zone for revision {} built in {} µs (serial {})", snapshot.revision(),
                (System.nanoTime() - start) / 1000, next.serial());
    }

    @Override
    public String name() {
        return "cluster";
    }

    /** The SOA serial of the zone now served (for tests and logs). */
    public long serial() {
        return zone.serial();
    }

    @Override
    public CompletionStage<Reply> serve(Query query, Next next) {
        ClusterZone z = zone;
        Name name = query.name();
        if (name == null || (query.dclass() != DClass.IN && query.dclass() != DClass.ANY) || !z.covers(name)) {
            return next.serve(query);
        }
        if (query.type() == Type.AXFR || query.type() == Type.IXFR) {
            return CompletableFuture.completedFuture(transfer(z, query));
        }
        ClusterZone.Resolution r = z.resolve(query);
        if (r.reply() != null) {
            return CompletableFuture.completedFuture(r.reply());
        }
        if (r.external() == null) {
            return next.serve(query);
        }
        return next.serve(query.withName(r.external())).handle((upstream, error) -> chased(query, r.chain(), upstream));
    }

    /** CNAME chain + whatever the rest of the pipeline answered for the target (§9). */
    private static Reply chased(Query query, List<Record> chain, Reply upstream) {
        Message m = new Message(query.id());
        m.getHeader().setFlag(Flags.QR);
        m.getHeader().setFlag(Flags.AA);
        m.addRecord(Record.newRecord(query.name(), query.type(), DClass.IN), Section.QUESTION);
        chain.forEach(c -> m.addRecord(c, Section.ANSWER));
        int rcode = Rcode.NOERROR;
        if (upstream != null) {
            Message u = upstream.message();
            int ur = u.getRcode();
            if (ur == Rcode.NOERROR || ur == Rcode.NXDOMAIN) {
                // RFC 6604: the rcode speaks of the last name in the chain.
                rcode = ur;
                for (Record rec : u.getSection(Section.ANSWER)) {
                    m.addRecord(rec, Section.ANSWER);
                }
                for (Record rec : u.getSection(Section.AUTHORITY)) {
                    m.addRecord(rec, Section.AUTHORITY);
                }
            }
            if (u.getHeader().getFlag(Flags.TC)) {
                m.getHeader().setFlag(Flags.TC);
            }
        }
        m.getHeader().setRcode(rcode);
        return Reply.of(m);
    }

    /**
     * AXFR/IXFR of the cluster zone (§11), TCP only; over UDP REFUSED as CoreDNS does. Who may transfer
     * is decided by an earlier stage. IXFR with the current serial gets the single SOA.
     */
    private Reply transfer(ClusterZone z, Query query) {
        if (query.transport() != Transport.TCP || !query.name().equals(z.origin())) {
            return Reply.error(query, Rcode.REFUSED);
        }
        Record soa = z.soa(query.name());
        if (query.type() == Type.IXFR) {
            for (Record r : query.message().getSection(Section.AUTHORITY)) {
                if (r instanceof SOARecord s && s.getSerial() == z.serial()) {
                    return Reply.of(transferMessage(query, List.of(soa)));
                }
            }
        }
        List<Record> all = new ArrayList<>();
        all.add(soa);
        all.addAll(z.transferRecords());
        all.add(soa);
        List<Message> parts = new ArrayList<>();
        for (int i = 0; i < all.size(); i += TRANSFER_CHUNK) {
            parts.add(transferMessage(query, all.subList(i, Math.min(all.size(), i + TRANSFER_CHUNK))));
        }
        return Reply.stream(parts.get(0), parts.subList(1, parts.size()));
    }

    private static Message transferMessage(Query query, List<Record> records) {
        Message m = new Message(query.id());
        m.getHeader().setFlag(Flags.QR);
        m.getHeader().setFlag(Flags.AA);
        m.addRecord(Record.newRecord(query.name(), query.type(), DClass.IN), Section.QUESTION);
        records.forEach(r -> m.addRecord(r, Section.ANSWER));
        return m;
    }

    @Override
    public void close() throws Exception {
        subscription.close();
    }
}
