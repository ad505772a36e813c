package dev.clusterdns.dns.cluster;

import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.net.IpAddresses;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.dns.pipeline.Query;
import dev.clusterdns.dns.pipeline.Reply;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The cluster zone and its reverse zones for one snapshot: an immutable name index and the query
 * resolution over it. Each Service's names live in its {@link ServicePart}, found from the query name's
 * `<svc>.<ns>.svc` labels; per-endpoint names and PTRs are answered from the parts' EndpointSlices
 * ({@link EndpointNames}). Positive answers are encoded on first use and kept. Queries read it without
 * locks; {@link IncrementalBuild} makes the next one from a snapshot and this one, sharing what did
 * not change, and the stage publishes it with one volatile write.
 */
final class ClusterZone {

    /** The records of one (name, type); the wire form is encoded when first asked for, then kept. */
    static final class Answer {
        private final List<Record> records;
        private final List<Record> additional;
        private volatile byte[] template;

        Answer(List<Record> records, List<Record> additional) {
            this.records = records;
            this.additional = additional;
        }

        List<Record> records() {
            return records;
        }

        List<Record> additional() {
            return additional;
        }

        /**
         * Wire form with ID 0 and the records' type in the question (see {@link IncrementalBuild#encode};
         * the reply carries the client's question); a race encodes twice, harmlessly.
         */
        byte[] template(Name owner) {
            byte[] t = template;
            if (t == null) {
                t = IncrementalBuild.encode(owner, records.get(0).getType(), Rcode.NOERROR, records, List.of(), additional);
                template = t;
            }
            return t;
        }
    }

    /**
     * One existing name: its answers by type, or (ExternalName) a CNAME target to chase. {@code zone}
     * indexes the zone's apexes (0 the cluster zone, then the reverse zones) so a node does not
     * depend on the serial and can be kept across snapshots.
     */
    record Node(Name name, int zone, Map<Integer, Answer> answers, Name cnameTarget) {}

    /**
     * What the zone says about a query: a finished reply; or pass it on (outside our zones); or
     * an ExternalName chain whose target lies outside the cluster zone (resolve it through the rest of
     * the pipeline and append).
     */
    record Resolution(Reply reply, List<Record> chain, Name external) {
        static final Resolution PASS = new Resolution(null, null, null);

        static Resolution done(Reply r) {
            return new Resolution(r, null, null);
        }
    }

    private final ClusterOptions options;
    private final Apex apex;
    private final Name svcZone;
    /** Reverse zones of the service CIDRs. */
    private final List<Apex> reverseApexes;
    /** Node zone index → apex: the cluster zone, the reverse zones, then in-addr.arpa and ip6.arpa. */
    private final Apex[] apexes;
    /** The names {@link ZoneBuilder#base} made (apex with its SOA, empty non-terminals, dns-version, ...). */
    private final Map<Name, Node> base;
    /** The apex's answers without the SOA (which carries the serial): compared across snapshots. */
    private final Node apexCore;
    private final Set<String> namespaces;
    private final ClusterSnapshot snapshot;
    private final boolean synced;
    /** Per Service, by `namespace/name` (shared with the versions before and after, never changed). */
    private final BucketedMap<String, ServicePart> parts;
    /** Canonical IP → the `namespace/name` of the part (String) or parts (String[]) that may claim its PTR. */
    private final PtrClaims claims;
    /** Apex NS and glue, the head of a transfer. */
    private final List<Record> apexTransfer;
    /** The cluster zone's origin in lower-cased wire form, and its labels (the root included). */
    private final byte[] originWire;
    private final int originLabels;
    /**
     * The cluster zone's negative templates (NODATA, NXDOMAIN, SERVFAIL by the zone's offset in the
     * question), built on first use: they hold this zone's serial.
     */
    private final AtomicReferenceArray<byte[]> negatives = new AtomicReferenceArray<>(3 * NegativeReply.OFFSET_LIMIT);
    /** The answers and absent names {@link #resolveWire} has found in this zone, one step away from the next query's wire. */
    private final AnswerTable answered;

    ClusterZone(ClusterOptions options, Apex[] apexes, Map<Name, Node> base, Node apexCore, Set<String> namespaces,
            ClusterSnapshot snapshot, BucketedMap<String, ServicePart> parts, PtrClaims claims,
            List<Record> apexTransfer) {
        this.options = options;
        this.apex = apexes[0];
        this.svcZone = ZoneBuilder.label("svc", apex.origin());
        this.reverseApexes = List.of(apexes).subList(1, apexes.length - 2);
        this.apexes = apexes;
        this.base = base;
        this.apexCore = apexCore;
        this.namespaces = namespaces;
        this.snapshot = snapshot;
        this.synced = snapshot.revision() > 0;
        this.parts = parts;
        this.claims = claims;
        this.apexTransfer = apexTransfer;
        this.originWire = apex.origin().toWireCanonical();
        this.originLabels = apex.origin().labels();
        this.answered = new AnswerTable(base.size() + parts.size());
    }

    // What the next incremental build starts from (package-private, read by IncrementalBuild only).

    ClusterOptions options() {
        return options;
    }

    Map<Name, Node> base() {
        return base;
    }

    PtrClaims claims() {
        return claims;
    }

    Node apexCore() {
        return apexCore;
    }

    Set<String> namespaces() {
        return namespaces;
    }

    BucketedMap<String, ServicePart> parts() {
        return parts;
    }

    Name origin() {
        return apex.origin();
    }

    long serial() {
        return apex.serial();
    }

    long revision() {
        return snapshot.revision();
    }

    ClusterSnapshot snapshot() {
        return snapshot;
    }

    /** True when this stage answers for the name at all (cluster zone or one of its reverse zones). */
    boolean covers(Name name) {
        return name.subdomain(apex.origin()) || ReverseNames.isReverse(name);
    }

    /**
     * The common cases of {@link #resolve} read straight from a fast-path query's wire, without
     * building its dnsjava {@link Name}: an existing cluster-zone name with a pre-encoded answer for
     * the type, and a name that does not exist (NXDOMAIN). Null for everything else (a slow-path query,
     * names outside the cluster zone, reverse names, ExternalName chains, NODATA, ANY, SOA, pod-shaped
     * names): {@link #resolve} decides those, with the same rules.
     */
    Reply resolveWire(Query q) {
        byte[] w = q.wire();
        if (w == null) {
            return null;
        }
        int nameEnd = q.nameEnd();
        int key = AnswerTable.key(w, 12, nameEnd);
        int type = q.type();
        byte[] known = answered.find(w, nameEnd, key, type);
        if (known != null) {
            return Reply.encoded(q, known); // the same name and type: what the lookup below found before
        }
        if (type != Type.SOA && answered.absent(w, nameEnd, key)) {
            return negative(q, apex, Rcode.NXDOMAIN, List.of()); // found absent below before (not pod-shaped)
        }
        WireNameProbe probe = new WireNameProbe(w, 12, nameEnd, q.nameLabels(), AnswerTable.hash(w, 12, nameEnd));
        if (!probe.within(originWire, originLabels)) {
            return null;
        }
        int rel = q.nameLabels() - originLabels;
        Node n = base.get(probe);
        if (n == null && rel >= 3 && probe.labelIs(rel - 1, "svc")) {
            ServicePart p = parts.get(probe.key(rel - 2, rel - 3));
            if (p != null) {
                n = p.nodes().get(probe);
                if (n == null && rel == 4) {
                    return null; // perhaps an endpoint name: answered from the part's slices by resolve()
                }
            }
        }
        if (n == null) {
            // A miss is final (an equal name would have matched): what forward() does for it, unless
            // pod() or SOA might answer.
            boolean podShaped = rel == 3 && probe.labelIs(2, "pod");
            if (type == Type.SOA || podShaped) {
                return null;
            }
            answered.putAbsent(w, nameEnd, key);
            return negative(q, apex, Rcode.NXDOMAIN, List.of());
        }
        if (n.cnameTarget() != null) {
            return null;
        }
        Answer a = n.answers().get(type);
        if (a == null) {
            return null;
        }
        byte[] template = a.template(n.name());
        // The template's question is the node's name: it confirms the hit (the probe matched by hash).
        if (!probe.sameName(template, 12)) {
            return null;
        }
        answered.put(key, type, template, nameEnd - 12);
        return Reply.encoded(q, template);
    }

    Resolution resolve(Query q) {
        Name name = q.name();
        int type = q.type();
        if (name.subdomain(apex.origin())) {
            return forward(q, name, type);
        }
        if (ReverseNames.isReverse(name)) {
            return reverse(q, name);
        }
        return Resolution.PASS;
    }

    /** The node of a cluster-zone name: a base name, a Service's name, or an endpoint name; null when none. */
    private Node node(Name name) {
        Node n = base.get(name);
        if (n != null) {
            return n;
        }
        int rel = name.labels() - apex.origin().labels();
        if (rel < 3 || !"svc".equalsIgnoreCase(name.getLabelString(rel - 1))) {
            return null;
        }
        ServicePart p = parts.get(name.getLabelString(rel - 2).toLowerCase(Locale.ROOT) + '/'
                + name.getLabelString(rel - 3).toLowerCase(Locale.ROOT));
        if (p == null) {
            return null;
        }
        n = p.nodes().get(name);
        return n != null || rel != 4 ? n : EndpointNames.forward(options, svcZone, p, name);
    }

    private Resolution forward(Query q, Name name, int type) {
        Node n = node(name);
        if (n != null) {
            if (n.cnameTarget() != null && (type == Type.A || type == Type.AAAA)) {
                return chase(q, n);
            }
            return Resolution.done(answer(q, n, type));
        }
        if (type == Type.SOA) {
            // CoreDNS does not check existence for SOA below the apex: NODATA.
            return Resolution.done(negative(q, apex, Rcode.NOERROR, List.of()));
        }
        Resolution pod = pod(q, name, type);
        if (pod != null) {
            return pod;
        }
        return Resolution.done(negative(q, apex, Rcode.NXDOMAIN, List.of()));
    }

    private Reply answer(Query q, Node n, int type) {
        Answer a = n.answers().get(type);
        if (a == null && type == Type.ANY) {
            a = anyAnswer(n);
        }
        return a != null ? Reply.encoded(q, a.template(n.name())) : negative(q, apexes[n.zone()], Rcode.NOERROR, List.of());
    }

    /** Types tried, in order, for ANY: the RRset a client most likely wants. */
    private static final int[] ANY_ORDER = {Type.A, Type.AAAA, Type.CNAME, Type.SRV, Type.PTR, Type.TXT, Type.SOA, Type.NS};

    /**
     * RFC 8482 §4.2: ANY at an existing name gets one RRset, not all of them (and not NODATA). The
     * template's question is overwritten with the client's, so the answer to A serves ANY as is.
     */
    private static Answer anyAnswer(Node n) {
        for (int t : ANY_ORDER) {
            Answer a = n.answers().get(t);
            if (a != null) {
                return a;
            }
        }
        return null;
    }

    private Resolution reverse(Query q, Name name) {
        InetAddress ip = ReverseNames.address(name);
        Node n = ip == null ? null : ptrNode(name, ip);
        if (n != null) {
            return Resolution.done(answer(q, n, q.type()));
        }
        if (ip != null) {
            for (Apex a : reverseApexes) {
                if (a.cidr().contains(ip)) {
                    return Resolution.done(negative(q, a, Rcode.NXDOMAIN, List.of()));
                }
            }
        }
        // Addresses outside the service CIDRs that no endpoint uses: not ours to deny (fall through,
        // as kubeadm's `fallthrough in-addr.arpa ip6.arpa` does), so zone files or upstreams may answer.
        for (Apex a : reverseApexes) {
            if (name.equals(a.origin()) && (q.type() == Type.SOA)) {
                return Resolution.done(Reply.of(message(q, Rcode.NOERROR, List.of(a.soa(spelled(q, a))), List.of())));
            }
        }
        return Resolution.PASS;
    }

    /** The PTR node of {@code ip} from the Services that may claim it, in zone-transfer order; null when none. */
    private Node ptrNode(Name name, InetAddress ip) {
        Object keys = claims.get(IpAddresses.format(ip.getAddress()));
        if (keys == null) {
            return null;
        }
        List<ServicePart> owners = new ArrayList<>(keys instanceof String[] many ? many.length : 1);
        for (String key : keys instanceof String[] many ? many : new String[] {(String) keys}) {
            ServicePart p = parts.get(key);
            if (p != null) {
                owners.add(p);
            }
        }
        owners.sort(ServicePart.TRANSFER_ORDER);
        return EndpointNames.reverse(options, svcZone, owners, ip, ReverseMap.fromAddress(ip));
    }

    /** `a-b-c-d.<ns>.pod.<zone>` (CoreDNS kubernetes plugin option `pods`); null when the name is not pod-shaped. */
    private Resolution pod(Query q, Name name, int type) {
        int rel = name.labels() - apex.origin().labels();
        if (rel != 3 || !"pod".equalsIgnoreCase(name.getLabelString(2))) {
            return null;
        }
        String ns = name.getLabelString(1).toLowerCase(Locale.ROOT);
        if (options.pods() == PodMode.DISABLED || !namespaces.contains(ns)) {
            return null;
        }
        String ip = podIp(name.getLabelString(0));
        if (ip == null) {
            return null;
        }
        if (options.pods() == PodMode.VERIFIED) {
            boolean found = false;
            for (Pod p : snapshot.podsByIp(ip)) {
                found |= ns.equals(p.metadata().namespace());
            }
            if (!found) {
                return null;
            }
        }
        InetAddress addr = IpAddresses.toInetAddress(ip);
        boolean v4 = addr instanceof Inet4Address;
        if ((type == Type.A && v4) || (type == Type.AAAA && !v4)) {
            Record r = v4 ? new ARecord(q.name(), DClass.IN, options.ttl(), addr)
                    : new AAAARecord(q.name(), DClass.IN, options.ttl(), addr);
            return Resolution.done(Reply.of(message(q, Rcode.NOERROR, List.of(), List.of(r))));
        }
        return Resolution.done(negative(q, apex, Rcode.NOERROR, List.of()));
    }

    /** Dashed label → canonical IP: three dashes and no `--` is IPv4, anything else IPv6 (CoreDNS `pods`). */
    static String podIp(String label) {
        long dashes = label.chars().filter(c -> c == '-').count();
        String text = dashes == 3 && !label.contains("--") ? label.replace('-', '.') : label.replace('-', ':');
        try {
            return IpAddresses.canonical(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** ExternalName chain for A/AAAA (Kubernetes DNS spec 2.5): in-zone targets from this index, others through the pipeline. */
    private Resolution chase(Query q, Node start) {
        List<Record> chain = new ArrayList<>();
        Set<Name> seen = new HashSet<>();
        Name owner = q.name();
        Node n = start;
        for (int step = 0; step < 10; step++) {
            Name target = n.cnameTarget();
            if (!seen.add(n.name()) || target.equals(n.name())) {
                break; // loop: CoreDNS drops the looping CNAME
            }
            chain.add(new CNAMERecord(owner, DClass.IN, options.ttl(), target));
            if (!target.subdomain(apex.origin())) {
                return new Resolution(null, List.copyOf(chain), target);
            }
            Node t = node(target);
            if (t == null) {
                break; // missing in-zone target: CoreDNS drops the CNAME and answers NODATA (#6088)
            }
            if (t.cnameTarget() == null) {
                Answer a = t.answers().get(q.type());
                List<Record> answer = new ArrayList<>(chain);
                if (a != null) {
                    answer.addAll(a.records());
                    return Resolution.done(Reply.of(message(q, Rcode.NOERROR, List.of(), answer)));
                }
                return Resolution.done(negative(q, apex, Rcode.NOERROR, chain));
            }
            owner = target;
            n = t;
        }
        return Resolution.done(negative(q, apex, Rcode.NOERROR, List.of()));
    }

    /** NXDOMAIN or NODATA with the zone's SOA in authority; SERVFAIL instead of NXDOMAIN before the first sync (as CoreDNS before its API sync). */
    Reply negative(Query q, Apex zone, int rcode, List<Record> answer) {
        int code = rcode == Rcode.NXDOMAIN && !synced ? Rcode.SERVFAIL : rcode;
        if (answer.isEmpty() && q.wire() != null) {
            int offset = NegativeReply.zoneOffset(q, zone);
            int slot = negativeSlot(code, offset);
            if (zone != apex || slot < 0) {
                return Reply.encodedAround(q, NegativeReply.template(zone, code, offset));
            }
            byte[] t = negatives.getAcquire(slot);
            if (t == null) {
                t = NegativeReply.template(zone, code, offset); // a race builds it twice, harmlessly
                negatives.setRelease(slot, t);
            }
            return Reply.encodedAround(q, t);
        }
        Message m = message(q, code, answer, List.of());
        m.addRecord(zone.soa(spelled(q, zone)), Section.AUTHORITY);
        return Reply.of(m);
    }

    /** Where the cluster zone keeps the negative template for this rcode and zone offset; -1 for none. */
    private static int negativeSlot(int rcode, int offset) {
        int r = rcode == Rcode.NOERROR ? 0 : rcode == Rcode.NXDOMAIN ? 1 : rcode == Rcode.SERVFAIL ? 2 : -1;
        return r < 0 || offset >= NegativeReply.OFFSET_LIMIT ? -1 : r * NegativeReply.OFFSET_LIMIT + offset;
    }

    /** The zone origin as the query spelled it (the query name's last labels). */
    private static Name spelled(Query q, Apex zone) {
        Name name = q.name();
        int skip = name.labels() - zone.origin().labels();
        return skip <= 0 ? name : new Name(name, skip);
    }

    private static Message message(Query q, int rcode, List<Record> chain, List<Record> answer) {
        Message m = new Message(q.id());
        m.getHeader().setFlag(Flags.QR);
        m.getHeader().setFlag(Flags.AA);
        m.getHeader().setRcode(rcode);
        m.addRecord(Record.newRecord(q.name(), q.type(), DClass.IN), Section.QUESTION);
        chain.forEach(r -> m.addRecord(r, Section.ANSWER));
        answer.forEach(r -> m.addRecord(r, Section.ANSWER));
        return m;
    }

    /** The reply for SOA at the apex, spelled as asked (first and last record of a transfer). */
    Record soa(Name spelledOrigin) {
        return apex.soa(spelledOrigin);
    }

    /** NS, glue and every Service's records in zone-transfer order (Service name, then namespace), without the SOAs. */
    List<Record> transferRecords() {
        List<Record> out = new ArrayList<>(apexTransfer);
        List<ServicePart> ordered = parts.values();
        ordered.sort(ServicePart.TRANSFER_ORDER);
        for (ServicePart p : ordered) {
            out.addAll(p.transfer());
        }
        return out;
    }
}
