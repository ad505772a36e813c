package dev.clusterdns.dns.cluster;

import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.net.Cidr;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.agent.snapshot.SnapshotChange;
import dev.clusterdns.dns.cluster.ClusterZone.Answer;
import dev.clusterdns.dns.cluster.ClusterZone.Node;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.IntStream;
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
 * changed: Services' parts are reused whole when their Service and EndpointSlices are unchanged, the
 * part map (one entry per Service) and the persistent PTR-claim map are patched for the others, answers whose records did not change
 * are kept (with their encoded bytes once encoded).
 */
final class IncrementalBuild {
    private IncrementalBuild() {}

    /**
     * Builds the zone for {@code snapshot}, comparing every Service with {@code previous}. The result
     * answers as a build without {@code previous} except for the serial, which stays {@code previous}'s
     * while nothing visible changed and otherwise moves to the current Unix time (always forward).
     */
    static ClusterZone build(ClusterSnapshot snapshot, ClusterOptions options, ClusterZone previous, long nowSeconds) {
        return build(snapshot, options, previous, SnapshotChange.everything(), nowSeconds);
    }

    /**
     * As {@link #build(ClusterSnapshot, ClusterOptions, ClusterZone, long)}, looking only at the
     * Services {@code change} names (their objects or their EndpointSlices changed) when {@code
     * change} is relative to {@code previous}'s snapshot and no namespace came or went: the cost
     * grows with the change, not with the cluster.
     */
    static ClusterZone build(ClusterSnapshot snapshot, ClusterOptions options, ClusterZone previous,
            SnapshotChange change, long nowSeconds) {
        return build(snapshot, options, previous, change, nowSeconds, PARALLEL_PARTS);
    }

    /** As above; a first build of at least {@code parallelFrom} Services makes their parts on all cores. */
    static ClusterZone build(ClusterSnapshot snapshot, ClusterOptions options, ClusterZone previous,
            SnapshotChange change, long nowSeconds, int parallelFrom) {
        Name origin = ZoneBuilder.absolute(options.domain());
        Name svcZone = ZoneBuilder.label("svc", origin);
        ZoneBuilder b = new ZoneBuilder(options, origin);
        boolean[] changed = {previous == null};
        boolean targeted = targeted(snapshot, previous, change);
        Set<String> namespaces = targeted ? previous.namespaces() : b.namespaces(snapshot);

        // 1. The Services to look at: those the change names, or every Service now and before.
        Set<String> keys = new LinkedHashSet<>();
        if (targeted) {
            keys.addAll(change.services());
            keys.addAll(change.endpointsOf());
        } else {
            for (Service svc : snapshot.services()) {
                if (namespaces.contains(svc.metadata().namespace())) {
                    keys.add(svc.metadata().namespace() + '/' + svc.metadata().name());
                }
            }
            if (previous != null) {
                previous.parts().forEachKey(keys::add);
            }
        }

        // 2. One part per Service: the previous one when its Service and slices are unchanged. A
        // query looks its Service's part up on every answer; the bucketed map copies only the buckets
        // this change touches.
        BucketedMap.Editor<String, ServicePart> parts =
                (previous == null ? BucketedMap.<String, ServicePart>empty() : previous.parts()).edit();
        PtrClaims claims;
        if (previous == null) {
            // A first build: each part depends on its own Service and slices only (a large build makes
            // them on all cores), and the claims are gathered in a plain map, made persistent whole.
            ServicePart[] built = firstParts(snapshot, options, origin, namespaces, keys, keys.size() >= parallelFrom);
            Map<String, Object> firstClaims = new HashMap<>();
            int at = 0;
            for (String key : keys) {
                ServicePart part = built[at++];
                if (part != null) {
                    parts.put(key, part);
                    for (String ip : EndpointNames.addresses(part)) {
                        firstClaims.merge(ip, key, IncrementalBuild::withClaimant);
                    }
                }
            }
            claims = PtrClaims.of(firstClaims);
        } else {
            claims = previous.claims();
            for (String key : keys) {
                int slash = key.indexOf('/');
                String ns = key.substring(0, slash);
                String name = key.substring(slash + 1);
                Service svc = namespaces.contains(ns) ? snapshot.service(ns, name).orElse(null) : null;
                ServicePart old = parts.get(key);
                ServicePart part = null;
                if (svc != null) {
                    List<EndpointSlice> slices = snapshot.endpointSlices(ns, name);
                    if (old != null && old.builtFrom(svc, slices)) {
                        ServicePart same = old.from(svc, slices);
                        if (same != old) {
                            parts.put(key, same);
                        }
                        continue;
                    }
                    part = part(b, svc, slices, old, changed);
                    parts.put(key, part);
                } else if (old == null) {
                    continue;
                } else {
                    parts.remove(key);
                    changed[0] |= !old.nodes().isEmpty();
                }
                if (!changed[0]) {
                    changed[0] = !signature(options, svcZone, old).equals(signature(options, svcZone, part));
                }
                claims = reclaim(claims, key, old, part);
            }
        }

        // 3. The zone's own names; the previous ones when nothing about them changed.
        Map<Name, ZoneBuilder.Draft> drafts = b.base(namespaces);
        Map<Name, Node> base = new HashMap<>(capacity(drafts.size()));
        Node apexCore = null;
        for (ZoneBuilder.Draft d : drafts.values()) {
            boolean apexName = d.name.equals(origin);
            Node old = previous == null ? null : apexName ? previous.apexCore() : previous.base().get(d.name);
            Node n = freeze(d, 0, drafts, old, changed);
            if (apexName) {
                apexCore = n;
            }
            base.put(d.name, n);
        }
        changed[0] |= previous != null && !previous.base().keySet().equals(base.keySet());

        int ttl = options.ttl();
        long serial = previous == null ? nowSeconds
                : changed[0] ? Math.max(nowSeconds, previous.serial() + 1) : previous.serial();
        List<Cidr> cidrs = options.serviceCidrs();
        Apex[] apexes = new Apex[cidrs.size() + 3];
        apexes[0] = new Apex(origin, null, serial, ttl);
        for (int i = 0; i < cidrs.size(); i++) {
            apexes[i + 1] = new Apex(ReverseNames.zoneOf(cidrs.get(i)), cidrs.get(i), serial, ttl);
        }
        apexes[cidrs.size() + 1] = new Apex(ReverseNames.IN_ADDR_ARPA, null, serial, ttl);
        apexes[cidrs.size() + 2] = new Apex(ReverseNames.IP6_ARPA, null, serial, ttl);

        Map<Name, Node> baseNodes;
        if (previous != null && !changed[0]) {
            baseNodes = previous.base(); // same names, same serial: the apex SOA too
        } else {
            Map<Integer, Answer> apexAnswers = new HashMap<>(apexCore.answers());
            apexAnswers.put(Type.SOA, new Answer(List.of(apexes[0].soa()), List.of()));
            base.put(origin, new Node(origin, 0, Map.copyOf(apexAnswers), null));
            baseNodes = Collections.unmodifiableMap(base);
        }

        List<Record> apexTransfer = new ArrayList<>(drafts.get(origin).answers.getOrDefault(Type.NS, new LinkedHashSet<>()));
        apexTransfer.addAll(glue(drafts, apexTransfer));
        // Never changed after this point; the volatile write that publishes the zone publishes the map.
        return new ClusterZone(options, apexes, baseNodes, apexCore, Set.copyOf(namespaces), snapshot,
                parts.build(), claims,
                List.copyOf(apexTransfer));
    }

    /** Below this many Services a first build makes its parts on one thread. */
    static final int PARALLEL_PARTS = 500;

    /**
     * Each Service's part of a first build (null for a key with no Service in an exposed namespace),
     * in {@code keys}' order, on all cores when {@code parallel}: one {@link ZoneBuilder} per chunk of
     * keys, as a builder holds the Service it is drafting.
     */
    private static ServicePart[] firstParts(ClusterSnapshot snapshot, ClusterOptions options, Name origin,
            Set<String> namespaces, Collection<String> keys, boolean parallel) {
        String[] inOrder = keys.toArray(new String[0]);
        ServicePart[] out = new ServicePart[inOrder.length];
        int chunk = Math.max(64, inOrder.length / (8 * Runtime.getRuntime().availableProcessors()));
        IntStream chunks = IntStream.range(0, (inOrder.length + chunk - 1) / chunk);
        (parallel ? chunks.parallel() : chunks).forEach(c -> {
            ZoneBuilder b = new ZoneBuilder(options, origin);
            boolean[] changed = {true};
            for (int i = c * chunk; i < Math.min(inOrder.length, (c + 1) * chunk); i++) {
                String key = inOrder[i];
                int slash = key.indexOf('/');
                String ns = key.substring(0, slash);
                String name = key.substring(slash + 1);
                Service svc = namespaces.contains(ns) ? snapshot.service(ns, name).orElse(null) : null;
                if (svc != null) {
                    out[i] = part(b, svc, snapshot.endpointSlices(ns, name), null, changed);
                }
            }
        });
        return out;
    }

    /** What a part (or no part) shows of its endpoints and ClusterIPs in DNS, for change detection. */
    private static List<Object> signature(ClusterOptions options, Name svcZone, ServicePart part) {
        return part == null ? List.of() : EndpointNames.signature(options, svcZone, part);
    }

    /**
     * The PTR claim index with {@code key}'s addresses moved from {@code old}'s to {@code part}'s
     * (either may be null): only addresses that came or went are touched.
     */
    private static PtrClaims reclaim(PtrClaims claims, String key, ServicePart old,
            ServicePart part) {
        Set<String> before = old == null ? Set.of() : EndpointNames.addresses(old);
        Set<String> after = part == null ? Set.of() : EndpointNames.addresses(part);
        for (String ip : before) {
            if (!after.contains(ip)) {
                claims = unclaim(claims, ip, key);
            }
        }
        for (String ip : after) {
            if (!before.contains(ip)) {
                claims = claim(claims, ip, key);
            }
        }
        return claims;
    }

    /** Most addresses have one claimant: the key itself, an array only for the rare shared address. */
    private static PtrClaims claim(PtrClaims claims, String ip, String key) {
        Object had = claims.get(ip);
        return claims.plus(ip, had == null ? key : withClaimant(had, key));
    }

    /** The claimants {@code had} (a key or an array of keys) and then {@code key}. */
    private static Object withClaimant(Object had, Object key) {
        String[] keys = had instanceof String[] many ? many : new String[] {(String) had};
        String[] more = Arrays.copyOf(keys, keys.length + 1);
        more[keys.length] = (String) key;
        return more;
    }

    private static PtrClaims unclaim(PtrClaims claims, String ip, String key) {
        Object had = claims.get(ip);
        if (had instanceof String one) {
            return one.equals(key) ? claims.minus(ip) : claims;
        }
        if (had instanceof String[] many) {
            List<String> rest = new ArrayList<>(List.of(many));
            rest.remove(key);
            return rest.size() == 1 ? claims.plus(ip, rest.get(0)) : claims.plus(ip, rest.toArray(new String[0]));
        }
        return claims;
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

    /** A fresh part for a new or changed Service; its nodes keep {@code old}'s where the records did not change. */
    private static ServicePart part(ZoneBuilder b, Service svc, List<EndpointSlice> slices, ServicePart old,
            boolean[] changed) {
        ZoneBuilder.ServiceDraft d = b.service(svc, slices);
        Map<Name, Node> nodes = new HashMap<>(capacity(d.drafts().size()));
        for (ZoneBuilder.Draft draft : d.drafts().values()) {
            if (!d.endpointHosts().contains(draft.name)) {
                nodes.put(draft.name, freeze(draft, 0, d.drafts(), old == null ? null : old.nodes().get(draft.name), changed));
            }
        }
        changed[0] |= old != null && !old.nodes().keySet().equals(nodes.keySet());
        return new ServicePart(svc, slices, Map.copyOf(nodes), List.copyOf(d.transfer()));
    }

    private static int capacity(int entries) {
        return (int) (entries / 0.75f) + 1;
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
                answers[i] = new Answer(records, additional);
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
