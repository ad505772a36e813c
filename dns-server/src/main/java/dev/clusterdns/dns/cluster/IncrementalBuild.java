package dev.clusterdns.dns.cluster;

import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.net.Cidr;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.agent.snapshot.SnapshotChange;
import dev.clusterdns.dns.cluster.ClusterZone.Answer;
import dev.clusterdns.dns.cluster.ClusterZone.Node;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
 * Makes the next {@link ClusterZone} from a snapshot and the zone before it, touching only what
 * changed: Services' parts are reused whole when their Service and EndpointSlices are unchanged,
 * the name maps are patched, answers whose records did not change keep their encoded bytes.
 */
final class IncrementalBuild {
    private IncrementalBuild() {}

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
        return build(snapshot, options, previous, SnapshotChange.everything(), nowSeconds);
    }

    /**
     * As {@link #build(ClusterSnapshot, ClusterOptions, ClusterZone, long)}, looking only at the
     * Services {@code change} names (their objects or their EndpointSlices changed) when {@code
     * change} is relative to {@code previous}'s snapshot and no namespace came or went.
     */
    static ClusterZone build(ClusterSnapshot snapshot, ClusterOptions options, ClusterZone previous,
            SnapshotChange change, long nowSeconds) {
        Name origin = ZoneBuilder.absolute(options.domain());
        ZoneBuilder b = new ZoneBuilder(options, origin);
        Map<Name, Node> before = previous == null ? Map.of() : previous.nodes();
        boolean[] changed = {previous == null};
        Set<String> namespaces = targeted(snapshot, previous, change) ? previous.namespaces() : b.namespaces(snapshot);

        // 1. One part per Service: the previous one when its Service and slices are unchanged. With a
        // change set, only the Services it names are looked at; otherwise every Service is compared.
        Map<String, ServicePart> parts;
        List<ServicePart> ordered;
        List<ServicePart> fresh = new ArrayList<>();
        List<ServicePart> stale = new ArrayList<>();
        // Previous part → the part that takes its place, where they differ (usually a handful).
        Map<ServicePart, ServicePart> replaced = new IdentityHashMap<>();
        boolean cameOrWent;
        if (targeted(snapshot, previous, change)) {
            parts = new HashMap<>(previous.parts());
            Set<String> keys = new HashSet<>(change.services());
            keys.addAll(change.endpointsOf());
            int added = 0;
            int removed = 0;
            for (String key : keys) {
                int slash = key.indexOf('/');
                String ns = key.substring(0, slash);
                String name = key.substring(slash + 1);
                Service svc = namespaces.contains(ns) ? snapshot.service(ns, name).orElse(null) : null;
                ServicePart old = parts.get(key);
                if (svc == null) {
                    if (old != null) {
                        parts.remove(key);
                        stale.add(old);
                        removed++;
                    }
                    continue;
                }
                ServicePart part = part(b, svc, snapshot.endpointSlices(ns, name), old, before, changed, fresh, stale);
                if (old == null) {
                    added++;
                } else if (part != old) {
                    replaced.put(old, part);
                }
                parts.put(key, part);
            }
            cameOrWent = added > 0 || removed > 0;
            ordered = new ArrayList<>(parts.size());
            if (!cameOrWent) {
                for (ServicePart was : previous.ordered()) {
                    ordered.add(replaced.getOrDefault(was, was));
                }
            } else {
                ordered.addAll(parts.values());
                ordered.sort(TRANSFER_ORDER);
            }
        } else {
            List<Service> services = snapshot.services();
            parts = new HashMap<>(capacity(services.size()));
            ordered = new ArrayList<>(services.size());
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
                ServicePart old = previous == null ? null : previous.parts().get(key);
                ServicePart part = part(b, svc, snapshot.endpointSlices(ns, name), old, before, changed, fresh, stale);
                if (old == null) {
                    added++;
                } else {
                    kept++;
                    if (part != old) {
                        replaced.put(old, part);
                    }
                }
                parts.put(key, part);
                ordered.add(part);
            }
            boolean gone = previous != null && kept < previous.parts().size();
            if (gone) {
                for (Map.Entry<String, ServicePart> e : previous.parts().entrySet()) {
                    if (!parts.containsKey(e.getKey())) {
                        stale.add(e.getValue()); // Service gone
                    }
                }
            }
            cameOrWent = added > 0 || gone;
            if (previous != null && !cameOrWent) {
                // The same Services as before: their order is the previous one, no sort needed.
                ordered.clear();
                for (ServicePart was : previous.ordered()) {
                    ordered.add(replaced.getOrDefault(was, was));
                }
            } else {
                ordered.sort(TRANSFER_ORDER);
            }
        }

        // 2. Forward names: the previous map with stale parts' names out and fresh parts' names in;
        // the previous map itself when no Service and no zone-level name changed (a snapshot that
        // touched only Pods, ConfigMaps, ...).
        Map<Name, ZoneBuilder.Draft> base = b.base(namespaces);
        List<Node> baseNodes = new ArrayList<>(base.size());
        Node apexCore = null;
        boolean baseSame = previous != null && previous.baseNames().size() == base.size();
        for (ZoneBuilder.Draft d : base.values()) {
            boolean apexName = d.name.equals(origin);
            Node old = previous == null ? null : apexName ? previous.apexCore() : before.get(d.name);
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
            nodes = previous.nodes();
        } else {
            nodes = previous == null ? new HashMap<>(capacity(16 + 8 * parts.size())) : new HashMap<>(previous.nodes());
            if (previous != null) {
                for (Name n : previous.baseNames()) {
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
            serial = changed[0] ? Math.max(nowSeconds, previous.serial() + 1) : previous.serial();
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

    /**
     * True when only the Services {@code change} names need a look: there is a previous zone, the
     * change is a list (not "everything"; the caller makes sure it is relative to that zone's snapshot), and the set of namespaces
     * stays as it was: no namespace came or went, no Service is the first or last of a namespace
     * without a Namespace object (its `<ns>.svc` empty non-terminal would come or go).
     */
    private static boolean targeted(ClusterSnapshot snapshot, ClusterZone previous, SnapshotChange change) {
        if (previous == null || change.isEverything() || change.touches(SnapshotChange.NAMESPACES)) {
            return false;
        }
        for (String key : change.services()) {
            String ns = key.substring(0, key.indexOf('/'));
            boolean present = !snapshot.services(ns).isEmpty() || snapshot.namespace(ns).isPresent();
            if (present != previous.namespaces().contains(ns) && previous.options().exposes(ns)) {
                return false;
            }
        }
        return true;
    }

    /** The previous part when it was built from these objects, else a fresh one (recorded in fresh/stale). */
    private static ServicePart part(ZoneBuilder b, Service svc, List<EndpointSlice> slices, ServicePart old,
            Map<Name, Node> before, boolean[] changed, List<ServicePart> fresh, List<ServicePart> stale) {
        if (old != null && old.builtFrom(svc, slices)) {
            return old.from(svc, slices);
        }
        ZoneBuilder.ServiceDraft d = b.service(svc, slices);
        List<Node> partNodes = new ArrayList<>(d.drafts().size());
        for (ZoneBuilder.Draft draft : d.drafts().values()) {
            partNodes.add(freeze(draft, 0, d.drafts(), before.get(draft.name), changed));
        }
        ServicePart part = new ServicePart(svc, slices, List.copyOf(partNodes), List.copyOf(d.transfer()),
                List.copyOf(d.ptrs()), List.copyOf(d.clusterIpPtrs()));
        fresh.add(part);
        if (old != null) {
            stale.add(old);
        }
        return part;
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
                return previous.ptrNodes();
            }
            before = previous.ptrNodes();
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

}
