package dev.clusterdns.dns.autopath;

import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.snapshot.ClusterView;
import dev.clusterdns.dns.pipeline.Next;
import dev.clusterdns.dns.pipeline.Query;
import dev.clusterdns.dns.pipeline.Reply;
import dev.clusterdns.dns.pipeline.Stage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.NameTooLongException;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;

/**
 * Server-side search-path completion (CoreDNS `autopath @kubernetes`). For a client pod found by its
 * source IP, a query for `NAME.<podns>.svc.<zone>` (the first step of its ndots:5 search walk) is
 * resolved here by trying `NAME.<podns>.svc.<zone>`, `NAME.svc.<zone>`, `NAME.<zone>`, `NAME.<host
 * search domains>` and `NAME.` through the rest of the pipeline, answering with the first that is not
 * NXDOMAIN (or a bare SERVFAIL/REFUSED/FORMERR/NOTIMP), a CNAME from the asked name prepended. One
 * round trip instead of up to five.
 */
public final class AutopathStage implements Stage {
    private final ClusterView cluster;
    private final Name zone;
    private final List<Name> hostSearch;

    public AutopathStage(ClusterView cluster, String clusterDomain, List<String> hostSearch) {
        this.cluster = cluster;
        this.zone = absolute(clusterDomain);
        List<Name> s = new ArrayList<>();
        for (String d : hostSearch) {
            s.add(absolute(d));
        }
        this.hostSearch = List.copyOf(s);
    }

    private static Name absolute(String d) {
        try {
            return Name.fromString(d.endsWith(".") ? d : d + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException("bad domain name '" + d + "': " + e.getMessage());
        }
    }

    @Override
    public String name() {
        return "autopath";
    }

    @Override
    public CompletionStage<Reply> serve(Query query, Next next) {
        if (query.name() == null || query.opcode() != Opcode.QUERY || query.client() == null
                || query.client().getAddress() == null) {
            return next.serve(query);
        }
        String namespace = namespaceOf(query.client().getAddress().getHostAddress());
        if (namespace == null) {
            return next.serve(query);
        }
        List<Name> search = searchPath(namespace);
        if (search == null) {
            return next.serve(query);
        }
        Name first = search.get(0);
        Name qname = query.name();
        if (!qname.subdomain(first) || qname.equals(first)) {
            return next.serve(query);
        }
        Name base = qname.relativize(first);
        List<Name> candidates = new ArrayList<>(search.size() + 1);
        for (Name element : search) {
            try {
                candidates.add(Name.concatenate(base, element));
            } catch (NameTooLongException e) {
                // too long with this suffix: skip it, as a stub resolver would
            }
        }
        try {
            candidates.add(Name.concatenate(base, Name.root));
        } catch (NameTooLongException e) {
            // cannot happen: base is shorter than the query name
        }
        return walk(query, candidates, 0, next);
    }

    private CompletionStage<Reply> walk(Query original, List<Name> candidates, int index, Next next) {
        if (index == candidates.size()) {
            // Every element failed: answer the name as asked; the client walks its search list itself.
            return next.serve(original);
        }
        // The first candidate is the asked name itself: keep the client's spelling.
        Query q = index == 0 ? original : original.withName(candidates.get(index));
        return next.serve(q).thenCompose(reply -> {
            if (skip(reply)) {
                return walk(original, candidates, index + 1, next);
            }
            return CompletableFuture.completedFuture(index == 0 ? reply : shape(original, reply));
        });
    }

    /** NXDOMAIN, or an rcode the chain returned without writing anything (CoreDNS's "write it yourself" codes). */
    private static boolean skip(Reply reply) {
        int rcode = reply.rcode();
        if (rcode == Rcode.NXDOMAIN) {
            return true;
        }
        if (rcode == Rcode.SERVFAIL || rcode == Rcode.REFUSED || rcode == Rcode.FORMERR || rcode == Rcode.NOTIMP) {
            Message m = reply.message();
            return m.getSection(Section.ANSWER).isEmpty() && m.getSection(Section.AUTHORITY).isEmpty();
        }
        return false;
    }

    /**
     * The winning reply for the asked name: its question back to the original, and a CNAME from the
     * asked name to the owner of the first answer record that differs from it, prepended.
     */
    private static Reply shape(Query original, Reply winner) {
        Message in = winner.message();
        Message out = new Message(original.id());
        // Copy flags and rcode, not the header object: it carries the section counts.
        for (int flag : new int[] {Flags.QR, Flags.AA, Flags.TC, Flags.RD, Flags.RA, Flags.AD, Flags.CD}) {
            if (in.getHeader().getFlag(flag)) {
                out.getHeader().setFlag(flag);
            }
        }
        out.getHeader().setOpcode(in.getHeader().getOpcode());
        out.getHeader().setRcode(in.getHeader().getRcode());
        Record question = original.message().getQuestion();
        out.addRecord(question, Section.QUESTION);
        List<Record> answers = in.getSection(Section.ANSWER);
        for (Record r : answers) {
            if (!r.getName().equals(original.name())) {
                out.addRecord(new CNAMERecord(original.name(), DClass.IN, r.getTTL(), r.getName()), Section.ANSWER);
                break;
            }
        }
        for (Record r : answers) {
            out.addRecord(r, Section.ANSWER);
        }
        for (int section : new int[] {Section.AUTHORITY, Section.ADDITIONAL}) {
            for (Record r : in.getSection(section)) {
                out.addRecord(r, section);
            }
        }
        return Reply.of(out);
    }

    /** The namespace of the (single, pod-network) pod with this IP, or null. */
    private String namespaceOf(String ip) {
        List<Pod> pods = cluster.current().podsByIp(ip);
        String ns = null;
        for (Pod p : pods) {
            if (p.spec() != null && p.spec().usesHostNetwork()) {
                return null;
            }
            if (ns != null && !ns.equals(p.metadata().namespace())) {
                return null; // ambiguous: cannot tell the client's namespace
            }
            ns = p.metadata().namespace();
        }
        return ns;
    }

    private List<Name> searchPath(String namespace) {
        try {
            Name svc = Name.concatenate(Name.fromString("svc", null), zone);
            List<Name> path = new ArrayList<>(3 + hostSearch.size());
            path.add(Name.concatenate(Name.fromString(namespace, null), svc));
            path.add(svc);
            path.add(zone);
            for (Name h : hostSearch) {
                if (!path.contains(h)) {
                    path.add(h);
                }
            }
            return path;
        } catch (TextParseException | NameTooLongException e) {
            return null;
        }
    }
}
