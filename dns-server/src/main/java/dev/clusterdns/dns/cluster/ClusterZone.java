package dev.clusterdns.dns.cluster;

import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.net.Cidr;
import dev.clusterdns.agent.net.IpAddresses;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.dns.pipeline.Query;
import dev.clusterdns.dns.pipeline.Reply;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The cluster zone and its reverse zones for one snapshot: an immutable name index whose positive
 * answers (and per-name NODATA) are pre-encoded. Queries read it without locks; a new snapshot
 * builds a new zone that the stage publishes with one volatile write.
 */
final class ClusterZone {

    /** A pre-built answer for one (name, type). */
    record Answer(List<Record> records, List<Record> additional, byte[] template) {}

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
    /** Reverse zones of the service CIDRs. */
    private final List<Apex> reverseApexes;
    /** Node zone index → apex: the cluster zone, the reverse zones, then in-addr.arpa and ip6.arpa. */
    private final Apex[] apexes;
    /** Names in the cluster zone. */
    private final Map<Name, Node> nodes;
    /** Names in the reverse zones. */
    private final Map<Name, Node> ptrNodes;
    /** The names {@link ZoneBuilder#base} made (apex, empty non-terminals, dns-version, ...). */
    private final List<Name> baseNames;
    /** The apex's answers without the SOA (which carries the serial): compared across snapshots. */
    private final Node apexCore;
    private final Set<String> namespaces;
    private final ClusterSnapshot snapshot;
    private final boolean synced;
    /** Per Service, by `namespace/name`. */
    private final Map<String, ServicePart> parts;
    /** The parts in zone-transfer order (Service name, then namespace). */
    private final List<ServicePart> ordered;
    /** Apex NS and glue, the head of a transfer. */
    private final List<Record> apexTransfer;

    private ClusterZone(ClusterOptions options, Apex[] apexes, Map<Name, Node> nodes, Map<Name, Node> ptrNodes,
            Node apexCore, List<Name> baseNames, Set<String> namespaces, ClusterSnapshot snapshot, Map<String, ServicePart> parts,
            List<ServicePart> ordered, List<Record> apexTransfer) {
        this.options = options;
        this.apex = apexes[0];
        this.reverseApexes = List.of(apexes).subList(1, apexes.length - 2);
        this.apexes = apexes;
        this.nodes = nodes;
        this.ptrNodes = ptrNodes;
        this.baseNames = baseNames;
        this.apexCore = apexCore;
        this.namespaces = namespaces;
        this.snapshot = snapshot;
        this.synced = snapshot.revision() > 0;
        this.parts = parts;
        this.ordered = ordered;
        this.apexTransfer = apexTransfer;
    }

    private static final Comparator<ServicePart> TRANSFER_ORDER =
            Comparator.comparing(ServicePart::name).thenComparing(ServicePart::namespace);

    /**
     * Builds the zone for {@code snapshot}. A Service whose Service object and EndpointSlices equal
     * those {@code previous} was built from keeps its part whole (names, encoded answers, PTR claims);
     * any other answer whose records did not change keeps its encoded bytes. The result equals a build
     * without {@code previous} except for the serial, which stays {@code previous}'s while nothing
     * changed and otherwise moves to the current Unix time (always forward).
     */
    static ClusterZone build(ClusterSnapshot snapshot, ClusterOptions options, ClusterZone previous, long nowSeconds) {
        Name origin = ZoneBuilder.absolute(options.domain());
        ZoneBuilder b = new ZoneBuilder(options, origin);
        Map<Name, Node> before = previous == null ? Map.of() : previous.nodes;
        boolean[] changed = {previous == null};
        Set<String> namespaces = b.namespaces(snapshot);

        // 1. One part per Service: the previous one when its Service and slices are unchanged.
        List<Service> services = snapshot.services();
        Map<String, ServicePart> parts = new HashMap<>(capacity(services.size()));
        List<ServicePart> ordered = new ArrayList<>(services.size());
        List<ServicePart> fresh = new ArrayList<>();
        List<ServicePart> stale = new ArrayList<>();
        // Previous part → the part that takes its place, where they differ (usually a handful).
        Map<ServicePart, ServicePart> replaced = new IdentityHashMap<>();
        int kept = 0;
        int added = 0;
        for (Service svc : services) {
            String ns = svc.metadata().namespace();
            if (!namespaces.contains(ns)) {
                continue;
            }
            String name = svc.metadata().name();
            String key = ns + '/' + name;
            if (parts.containsKey(key)) {
                continue; // two Services under one name (the agent never publishes that): the first counts
            }
            List<EndpointSlice> slices = snapshot.endpointSlices(ns, name);
            ServicePart old = previous == null ? null : previous.parts.get(key);
            ServicePart part;
            if (old != null && old.builtFrom(svc, slices)) {
                part = old.from(svc, slices);
                kept++;
                if (part != old) {
                    replaced.put(old, part);
                }
            } else {
                ZoneBuilder.ServiceDraft d = b.service(svc, slices);
                List<Node> partNodes = new ArrayList<>(d.drafts().size());
                for (ZoneBuilder.Draft draft : d.drafts().values()) {
                    partNodes.add(freeze(draft, 0, d.drafts(), before.get(draft.name), changed));
                }
                part = new ServicePart(svc, slices, List.copyOf(partNodes), List.copyOf(d.transfer()),
                        List.copyOf(d.ptrs()), List.copyOf(d.clusterIpPtrs()));
                fresh.add(part);
                if (old != null) {
                    stale.add(old);
                    replaced.put(old, part);
                } else {
                    added++;
                }
            }
            parts.put(key, part);
            ordered.add(part);
        }
        boolean gone = previous != null && kept + stale.size() < previous.parts.size();
        if (gone) {
            for (Map.Entry<String, ServicePart> e : previous.parts.entrySet()) {
                if (!parts.containsKey(e.getKey())) {
                    stale.add(e.getValue()); // Service gone
                }
            }
        }
        if (previous != null && added == 0 && !gone) {
            // The same Services as before: their order is the previous one, no sort needed.
            ordered.clear();
            for (ServicePart was : previous.ordered) {
                ordered.add(replaced.getOrDefault(was, was));
            }
        } else {
            ordered.sort(TRANSFER_ORDER);
        }

        // 2. Forward names: the previous map with stale parts' names out and fresh parts' names in;
        // the previous map itself when no Service and no zone-level name changed (a snapshot that
        // touched only Pods, ConfigMaps, ...).
        Map<Name, ZoneBuilder.Draft> base = b.base(namespaces);
        List<Node> baseNodes = new ArrayList<>(base.size());
        Node apexCore = null;
        boolean baseSame = previous != null && previous.baseNames.size() == base.size();
        for (ZoneBuilder.Draft d : base.values()) {
            boolean apexName = d.name.equals(origin);
            Node old = previous == null ? null : apexName ? previous.apexCore : before.get(d.name);
            Node n = freeze(d, 0, base, old, changed);
            baseSame &= n == old;
            if (apexName) {
                apexCore = n;
            } else {
                baseNodes.add(n);
            }
        }
        boolean untouched = baseSame && fresh.isEmpty() && stale.isEmpty();
        Map<Name, Node> nodes;
        List<Name> removed = new ArrayList<>();
        if (untouched) {
            nodes = previous.nodes;
        } else {
            nodes = previous == null ? new HashMap<>(capacity(16 + 8 * parts.size())) : new HashMap<>(previous.nodes);
            if (previous != null) {
                for (Name n : previous.baseNames) {
                    nodes.remove(n);
                    removed.add(n);
                }
            }
            for (ServicePart p : stale) {
                for (Node n : p.nodes()) {
                    nodes.remove(n.name());
                    removed.add(n.name());
                }
            }
            for (ServicePart p : fresh) {
                for (Node n : p.nodes()) {
                    nodes.put(n.name(), n);
                }
            }
            for (Node n : baseNodes) {
                nodes.put(n.name(), n);
            }
        }

        // 3. Reverse names: only those some changed Service claimed (or claimed before) are recomputed.
        Map<Name, Node> ptrNodes = reverseNodes(ordered, fresh, stale, previous, changed);

        int ttl = options.ttl();
        long serial;
        if (previous == null) {
            serial = nowSeconds;
        } else {
            for (Name n : removed) {
                changed[0] |= !nodes.containsKey(n) && !n.equals(origin);
            }
            serial = changed[0] ? Math.max(nowSeconds, previous.apex.serial() + 1) : previous.apex.serial();
        }
        List<Cidr> cidrs = options.serviceCidrs();
        Apex[] apexes = new Apex[cidrs.size() + 3];
        apexes[0] = new Apex(origin, null, serial, ttl);
        for (int i = 0; i < cidrs.size(); i++) {
            apexes[i + 1] = new Apex(ReverseNames.zoneOf(cidrs.get(i)), cidrs.get(i), serial, ttl);
        }
        apexes[cidrs.size() + 1] = new Apex(ReverseNames.IN_ADDR_ARPA, null, serial, ttl);
        apexes[cidrs.size() + 2] = new Apex(ReverseNames.IP6_ARPA, null, serial, ttl);

        if (!untouched) {
            Map<Integer, Answer> apexAnswers = new HashMap<>(apexCore.answers());
            List<Record> soa = List.of(apexes[0].soa());
            apexAnswers.put(Type.SOA, new Answer(soa, List.of(), encode(origin, Type.SOA, Rcode.NOERROR, soa,
                    List.of(), List.of())));
            nodes.put(origin, new Node(origin, 0, Map.copyOf(apexAnswers), null));
            nodes = Collections.unmodifiableMap(nodes);
        }

        List<Record> apexTransfer = new ArrayList<>(base.get(origin).answers.getOrDefault(Type.NS, new LinkedHashSet<>()));
        apexTransfer.addAll(glue(base, apexTransfer));
        // Never mutated after this point; the volatile write that publishes the zone publishes the maps.
        return new ClusterZone(options, apexes, nodes, ptrNodes, apexCore,
                List.copyOf(base.keySet()), Set.copyOf(namespaces), snapshot, Collections.unmodifiableMap(parts),
                Collections.unmodifiableList(ordered), List.copyOf(apexTransfer));
    }

    private static int capacity(int entries) {
        return (int) (entries / 0.75f) + 1;
    }

    /**
     * PTR names from the Services' claims, in zone-transfer order of the Services: ClusterIP claims beat
     * endpoint claims for the same name. Only names claimed by a fresh or stale part are recomputed
     * (every name on a first build); a recomputed node whose records did not change is kept.
     */
    private static Map<Name, Node> reverseNodes(List<ServicePart> ordered, List<ServicePart> fresh,
            List<ServicePart> stale, ClusterZone previous, boolean[] changed) {
        Set<Name> dirty = null;
        Map<Name, Node> before = Map.of();
        Map<Name, Node> out;
        int removed = 0;
        if (previous != null) {
            dirty = new HashSet<>();
            for (List<ServicePart> list : List.of(fresh, stale)) {
                for (ServicePart p : list) {
                    for (ZoneBuilder.PtrClaim c : p.ptrs()) {
                        dirty.add(c.name());
                    }
                    dirty.addAll(p.clusterIpPtrs());
                }
            }
            if (dirty.isEmpty()) {
                return previous.ptrNodes;
            }
            before = previous.ptrNodes;
            out = new HashMap<>(before);
            for (Name n : dirty) {
                if (out.remove(n) != null) {
                    removed++; // put back below when it still exists unchanged
                }
            }
        } else {
            int claims = 0;
            for (ServicePart p : ordered) {
                claims += p.ptrs().size();
            }
            out = new HashMap<>(capacity(claims));
        }
        Set<Name> clusterIpPtrs = new HashSet<>();
        for (ServicePart p : ordered) {
            for (Name n : p.clusterIpPtrs()) {
                if (dirty == null || dirty.contains(n)) {
                    clusterIpPtrs.add(n);
                }
            }
        }
        // Most names have one claim: keep the claim itself, a list only for the rare shared name.
        Map<Name, Object> byName = new HashMap<>();
        for (ServicePart p : ordered) {
            for (ZoneBuilder.PtrClaim c : p.ptrs()) {
                if ((dirty != null && !dirty.contains(c.name())) || (!c.clusterIp() && clusterIpPtrs.contains(c.name()))) {
                    continue;
                }
                Object had = byName.putIfAbsent(c.name(), c);
                if (had instanceof ZoneBuilder.PtrClaim first && !first.record().equals(c.record())) {
                    List<ZoneBuilder.PtrClaim> list = new ArrayList<>(2);
                    list.add(first);
                    list.add(c);
                    byName.put(c.name(), list);
                } else if (had instanceof List<?> l) {
                    @SuppressWarnings("unchecked")
                    List<ZoneBuilder.PtrClaim> claims = (List<ZoneBuilder.PtrClaim>) l;
                    if (claims.stream().noneMatch(k -> k.record().equals(c.record()))) {
                        claims.add(c);
                    }
                }
            }
        }
        int back = 0;
        boolean ptrChanged = false;
        for (Map.Entry<Name, Object> e : byName.entrySet()) {
            Name name = e.getKey();
            List<Record> records;
            int zone;
            if (e.getValue() instanceof ZoneBuilder.PtrClaim c) {
                records = List.of(c.record());
                zone = c.zone();
            } else {
                @SuppressWarnings("unchecked")
                List<ZoneBuilder.PtrClaim> claims = (List<ZoneBuilder.PtrClaim>) e.getValue();
                records = claims.stream().map(ZoneBuilder.PtrClaim::record).toList();
                zone = claims.get(0).zone();
            }
            Node old = before.get(name);
            Answer a = old == null || old.answers().size() != 1 ? null : old.answers().get(Type.PTR);
            if (a != null && a.records().equals(records) && sameTtls(a.records(), records)) {
                out.put(name, old);
                back++;
                continue;
            }
            out.put(name, new Node(name, zone, Map.of(Type.PTR, new Answer(records, List.of(),
                    encode(name, Type.PTR, Rcode.NOERROR, records, List.of(), List.of()))), null));
            ptrChanged = true;
        }
        // Changed unless every name taken out came back as it was and none is new.
        changed[0] |= ptrChanged || back != removed;
        return Collections.unmodifiableMap(out);
    }

    /**
     * Freezes a draft into a node, keeping {@code old}'s answers (and {@code old} itself) where the
     * records did not change; sets {@code changed[0]} when anything did.
     */
    private static Node freeze(ZoneBuilder.Draft d, int zone, Map<Name, ZoneBuilder.Draft> drafts, Node old,
            boolean[] changed) {
        boolean same = old != null && old.zone() == zone && Objects.equals(old.cnameTarget(), d.cnameTarget)
                && old.answers().size() == d.answers.size();
        // Most names have one or two types: Map.of without an intermediate map.
        Integer[] types = new Integer[d.answers.size()];
        Answer[] answers = new Answer[types.length];
        int i = 0;
        for (Map.Entry<Integer, LinkedHashSet<Record>> e : d.answers.entrySet()) {
            List<Record> records = List.copyOf(e.getValue());
            List<Record> additional = glue(drafts, records);
            Answer was = old == null ? null : old.answers().get(e.getKey());
            if (was != null && was.records().equals(records) && was.additional().equals(additional)
                    && sameTtls(was.records(), records)) {
                answers[i] = was;
            } else {
                same = false;
                answers[i] = new Answer(records, additional,
                        encode(d.name, e.getKey(), Rcode.NOERROR, records, List.of(), additional));
            }
            types[i++] = e.getKey();
        }
        if (same) {
            return old;
        }
        changed[0] = true;
        return new Node(d.name, zone, answerMap(types, answers), d.cnameTarget);
    }

    private static Map<Integer, Answer> answerMap(Integer[] types, Answer[] answers) {
        switch (types.length) {
            case 0:
                return Map.of();
            case 1:
                return Map.of(types[0], answers[0]);
            case 2:
                return Map.of(types[0], answers[0], types[1], answers[1]);
            default:
                Map<Integer, Answer> m = new HashMap<>(capacity(types.length));
                for (int i = 0; i < types.length; i++) {
                    m.put(types[i], answers[i]);
                }
                return Map.copyOf(m);
        }
    }

    /** Record equality ignores TTLs; the dns-version TXT and the rest must keep theirs. */
    private static boolean sameTtls(List<Record> a, List<Record> b) {
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i).getTTL() != b.get(i).getTTL()) {
                return false;
            }
        }
        return true;
    }

    /** A/AAAA of every SRV or NS target that lives in the zone. */
    private static List<Record> glue(Map<Name, ZoneBuilder.Draft> drafts, Collection<Record> records) {
        Set<Record> out = null;
        for (Record r : records) {
            Name target = r instanceof SRVRecord s ? s.getTarget() : r instanceof NSRecord ns ? ns.getTarget() : null;
            ZoneBuilder.Draft t = target == null ? null : drafts.get(target);
            if (t != null) {
                if (out == null) {
                    out = new LinkedHashSet<>();
                }
                LinkedHashSet<Record> a = t.answers.get(Type.A);
                LinkedHashSet<Record> aaaa = t.answers.get(Type.AAAA);
                if (a != null) {
                    out.addAll(a);
                }
                if (aaaa != null) {
                    out.addAll(aaaa);
                }
            }
        }
        return out == null ? List.of() : List.copyOf(out);
    }

    /** Wire form with ID 0, QR+AA, lower-case question; later names compress against the question. */
    static byte[] encode(Name qname, int qtype, int rcode, List<Record> answer, List<Record> authority,
            List<Record> additional) {
        Message m = new Message(0);
        m.getHeader().setFlag(Flags.QR);
        m.getHeader().setFlag(Flags.AA);
        m.getHeader().setRcode(rcode);
        m.addRecord(Record.newRecord(qname, qtype, DClass.IN), Section.QUESTION);
        answer.forEach(r -> m.addRecord(r, Section.ANSWER));
        authority.forEach(r -> m.addRecord(r, Section.AUTHORITY));
        additional.forEach(r -> m.addRecord(r, Section.ADDITIONAL));
        return m.toWire();
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

    private Resolution forward(Query q, Name name, int type) {
        Node n = nodes.get(name);
        if (n != null) {
            if (n.cnameTarget() != null && (type == Type.A || type == Type.AAAA)) {
                return chase(q, n);
            }
            return Resolution.done(answer(q, n, type));
        }
        if (type == Type.SOA) {
            // CoreDNS does not check existence for SOA below the apex: NODATA (§4.2).
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
        return a != null ? Reply.encoded(q, a.template()) : negative(q, apexes[n.zone()], Rcode.NOERROR, List.of());
    }

    private Resolution reverse(Query q, Name name) {
        Node n = ptrNodes.get(name);
        if (n != null) {
            return Resolution.done(answer(q, n, q.type()));
        }
        InetAddress ip = ReverseNames.address(name);
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

    /** `a-b-c-d.<ns>.pod.<zone>` (§2.5, §7.2); null when the name is not pod-shaped. */
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

    /** Dashed label → canonical IP: three dashes and no `--` is IPv4, anything else IPv6 (§7.2). */
    static String podIp(String label) {
        long dashes = label.chars().filter(c -> c == '-').count();
        String text = dashes == 3 && !label.contains("--") ? label.replace('-', '.') : label.replace('-', ':');
        try {
            return IpAddresses.canonical(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** ExternalName chain for A/AAAA (§9): in-zone targets from this index, others through the pipeline. */
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
            Node t = nodes.get(target);
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

    /** NXDOMAIN or NODATA with the zone's SOA in authority; SERVFAIL instead of NXDOMAIN before sync (§12). */
    Reply negative(Query q, Apex zone, int rcode, List<Record> answer) {
        int code = rcode == Rcode.NXDOMAIN && !synced ? Rcode.SERVFAIL : rcode;
        if (answer.isEmpty() && q.wire() != null) {
            return Reply.encoded(q, NegativeReply.encode(q, zone, code));
        }
        Message m = message(q, code, answer, List.of());
        m.addRecord(zone.soa(spelled(q, zone)), Section.AUTHORITY);
        return Reply.of(m);
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

    /** NS, glue and every Service's records in zone-transfer order (§11), without the SOAs. */
    List<Record> transferRecords() {
        List<Record> out = new ArrayList<>(apexTransfer);
        for (ServicePart p : ordered) {
            out.addAll(p.transfer());
        }
        return out;
    }
}
