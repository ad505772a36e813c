package dev.clusterdns.dns.cluster;

import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.agent.snapshot.ClusterView;
import dev.clusterdns.agent.snapshot.SnapshotChange;
import dev.clusterdns.agent.snapshot.SnapshotFollower;
import dev.clusterdns.dns.pipeline.Next;
import dev.clusterdns.dns.pipeline.Query;
import dev.clusterdns.dns.pipeline.Reply;
import dev.clusterdns.dns.pipeline.Stage;
import dev.clusterdns.dns.pipeline.QueryProtocol;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
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
 * <p>Snapshots are turned into {@link ClusterZone}s by a {@link SnapshotFollower} on one dedicated
 * rebuild thread, never on the publisher's (other consumers wait behind it). It always builds from
 * the newest snapshot: snapshots that arrive during a build are coalesced, only the latest is built
 * next, and {@link IncrementalBuild} looks only at the Services the folded {@link SnapshotChange} names. Each zone is
 * published with one volatile write; a query reads that field once and sees one snapshot throughout,
 * the previous zone until the next one is complete.
 */
public final class ClusterStage implements Stage, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterStage.class);
    /** Records per message of a zone transfer. */
    private static final int TRANSFER_CHUNK = 200;

    private final ClusterOptions options;
    private volatile ClusterZone zone;
    private final Object built = new Object();
    private final SnapshotFollower follower;

    /**
     * Builds the zone for the view's current snapshot before returning (a stage is never served
     * empty when data is there), then follows the view on its own rebuild thread.
     */
    public ClusterStage(ClusterView view, ClusterOptions options) {
        this.options = options;
        this.follower = SnapshotFollower.start(view, "cluster-zone-rebuild", this::rebuild);
        if (zone == null) {
            follower.close();
            throw new IllegalStateException("the cluster zone for snapshot revision " + view.current().revision()
                    + " could not be built (see the log)");
        }
    }

    /**
     * On the follower's thread. The change set is used only when it is relative to the snapshot the
     * served zone was built from (a failed build in between means: compare every Service).
     */
    private void rebuild(ClusterSnapshot previous, ClusterSnapshot snapshot, SnapshotChange change) {
        if (options.pods() == PodMode.VERIFIED) {
            snapshot.indexPodIps(); // verified pod names and autopath look Pods up by address; not on a query
        }
        ClusterZone current = zone;
        long now = System.currentTimeMillis() / 1000;
        if (current == null) {
            zone = IncrementalBuild.build(snapshot, options, null, now);
            return;
        }
        if (snapshot.revision() < current.revision()) {
            return; // never go back (the publisher orders revisions; this is a guard)
        }
        long start = System.nanoTime();
        try {
            SnapshotChange usable = previous == current.snapshot() ? change : SnapshotChange.everything();
            ClusterZone next = IncrementalBuild.build(snapshot, options, current, usable, now);
            zone = next;
            LOG.debug("cluster zone for revision {} built in {} µs (serial {}, change {})", snapshot.revision(),
                    (System.nanoTime() - start) / 1000, next.serial(), usable);
        } catch (RuntimeException e) {
            // A bug in one build must not stop DNS: keep serving the last good zone.
            LOG.error("cluster zone for revision {} failed to build; still serving revision {}", snapshot.revision(),
                    current.revision(), e);
        } finally {
            synchronized (built) {
                built.notifyAll();
            }
        }
    }


    /** The snapshot revision of the zone now served. */
    public long revision() {
        return zone.revision();
    }

    /**
     * Waits until the served zone is at least at {@code revision} (tests, readiness); false on
     * timeout.
     */
    public boolean awaitRevision(long revision, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (built) {
            while (zone.revision() < revision) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(built, left);
            }
        }
        return true;
    }

    @Override
    public String name() {
        return "cluster";
    }

    /** The SOA serial of the zone now served (for tests and logs). */
    public long serial() {
        return zone.serial();
    }

    /** The common answers (a pre-encoded answer, NXDOMAIN) read from the query's wire; null for the rest. */
    @Override
    public Reply answerNow(Query query) {
        if (!query.hasQuestion() || (query.dclass() != DClass.IN && query.dclass() != DClass.ANY)
                || query.type() == Type.AXFR || query.type() == Type.IXFR) {
            return null;
        }
        return zone.resolveWire(query); // most queries: no dnsjava Name built at all
    }

    @Override
    public CompletionStage<Reply> serve(Query query, Next next) {
        ClusterZone z = zone;
        if (!query.hasQuestion() || (query.dclass() != DClass.IN && query.dclass() != DClass.ANY)) {
            return next.serve(query);
        }
        // The wire fast path is not tried again here: the transport asked answerNow first (the pipeline
        // comes here only when that found nothing); a query rewritten on the way (autopath's search
        // names) is answered by the full lookup below, with the same bytes.
        Name name = query.name();
        if (!z.covers(name)) {
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

    /** CNAME chain + whatever the rest of the pipeline answered for the target (ExternalName, as CoreDNS). */
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
     * AXFR/IXFR of the cluster zone (CoreDNS kubernetes plugin with `transfer`), TCP only; over UDP REFUSED as CoreDNS does. Who may transfer
     * is decided by an earlier stage. IXFR with the current serial gets the single SOA.
     */
    private Reply transfer(ClusterZone z, Query query) {
        if (query.protocol() != QueryProtocol.TCP || !query.name().equals(z.origin())) {
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
    public void close() {
        follower.close();
    }
}
