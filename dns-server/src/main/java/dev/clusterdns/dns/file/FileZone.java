package dev.clusterdns.dns.file;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNAMERecord;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.NameTooLongException;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * One authoritative zone loaded from a master file, indexed for lock-free lookups, and the RFC 1034
 * §4.3.2 answer algorithm over it (CNAME chains inside the zone, RFC 4592 wildcards including wildcard
 * CNAMEs, empty non-terminals, referrals with glue, additional-section addresses, RFC 2308 negative
 * answers). dnsjava's {@code Zone} leaves most of this to the server, so the index is our own.
 */
public final class FileZone {
    /** Longest CNAME chain followed inside one zone (loops stop here too). */
    private static final int MAX_CHAIN = 12;
    private static final Name WILD = Name.fromConstantString("*");

    private final Name origin;
    private final SOARecord soa;
    private final Path file;
    /** Every owner name (lower-cased key) with its RRsets by type, in file order. */
    private final Map<Name, Map<Integer, RRset>> nodes;
    /** Names that exist only because something below them exists (ENTs), and every real owner. */
    private final Map<Name, Boolean> existing;
    private final List<Record> records;
    /** Whether any name owns a DNAME (only then are a query name's ancestors looked at). */
    private final boolean hasDname;

    private FileZone(Name origin, SOARecord soa, Path file, Map<Name, Map<Integer, RRset>> nodes,
            Map<Name, Boolean> existing, List<Record> records) {
        this.origin = origin;
        this.soa = soa;
        this.file = file;
        this.nodes = nodes;
        this.existing = existing;
        this.hasDname = nodes.values().stream().anyMatch(n -> n.containsKey(Type.DNAME));
        this.records = records;
    }

    /**
     * Builds a zone from parsed records. The origin is the owner of the (single) SOA; every record
     * must be at or below it; there must be NS records at the apex.
     */
    public static FileZone of(Path file, List<Record> parsed) {
        SOARecord soa = null;
        for (Record r : parsed) {
            if (r.getType() == Type.SOA) {
                if (soa != null && !soa.getName().equals(r.getName())) {
                    throw new IllegalArgumentException(file + ": more than one SOA (" + soa.getName() + ", " + r.getName() + ")");
                }
                if (soa == null) {
                    soa = (SOARecord) r;
                }
            }
        }
        if (soa == null) {
            throw new IllegalArgumentException(file + ": no SOA record; a zone file needs exactly one SOA at its origin");
        }
        Name origin = soa.getName();
        Map<Name, Map<Integer, RRset>> nodes = new HashMap<>();
        Map<Name, Boolean> existing = new HashMap<>();
        List<Record> records = new ArrayList<>();
        for (Record r : parsed) {
            if (r.getDClass() != DClass.IN) {
                continue;
            }
            if (!r.getName().subdomain(origin)) {
                throw new IllegalArgumentException(file + ": record " + r.getName() + " " + Type.string(r.getType())
                        + " is outside the zone " + origin);
            }
            if (r.getType() == Type.SOA) {
                if (r != soa) {
                    continue;
                }
            } else {
                records.add(r);
            }
            Map<Integer, RRset> node = nodes.computeIfAbsent(r.getName(), n -> new LinkedHashMap<>());
            RRset set = node.get(r.getType());
            if (set == null) {
                set = new RRset();
                node.put(r.getType(), set);
            }
            set.addRR(r);
            for (Name n = r.getName(); n.labels() >= origin.labels(); n = parent(n)) {
                if (existing.putIfAbsent(n, Boolean.TRUE) != null) {
                    break;
                }
                if (n.labels() == origin.labels()) {
                    break;
                }
            }
        }
        Map<Integer, RRset> apex = nodes.get(origin);
        if (apex == null || !apex.containsKey(Type.NS)) {
            throw new IllegalArgumentException(file + ": zone " + origin + " has no NS records at its apex");
        }
        for (Map.Entry<Name, Map<Integer, RRset>> e : nodes.entrySet()) {
            Map<Integer, RRset> node = e.getValue();
            if (node.containsKey(Type.CNAME) && node.size() > 1 && !onlyDnssec(node)) {
                throw new IllegalArgumentException(file + ": " + e.getKey() + " has a CNAME and other data (RFC 1034 §3.6.2)");
            }
            e.setValue(Collections.unmodifiableMap(node));
        }
        return new FileZone(origin, soa, file, Map.copyOf(nodes), Map.copyOf(existing), List.copyOf(records));
    }

    private static boolean onlyDnssec(Map<Integer, RRset> node) {
        for (int t : node.keySet()) {
            if (t != Type.CNAME && t != Type.RRSIG && t != Type.NSEC && t != Type.NSEC3) {
                return false;
            }
        }
        return true;
    }

    private static Name parent(Name n) {
        return new Name(n, 1);
    }

    public Name origin() {
        return origin;
    }

    public SOARecord soa() {
        return soa;
    }

    public long serial() {
        return soa.getSerial();
    }

    public Path file() {
        return file;
    }

    /** Every record except the SOA, in file order (for AXFR). */
    public List<Record> records() {
        return records;
    }

    /**
     * Answers {@code qname}/{@code qtype} into {@code reply} (rcode, AA and the three sections).
     * {@code qname} must be at or below the origin.
     */
    public void answer(Name qname, int qtype, Message reply) {
        Name name = qname;
        boolean answered = false;
        List<Record> additionalFor = new ArrayList<>();
        List<Name> visited = new ArrayList<>(2);
        for (int step = 0; step < MAX_CHAIN; step++) {
            if (!name.subdomain(origin)) {
                // The chain left the zone: the client (or its resolver) continues from here.
                reply.getHeader().setFlag(Flags.AA);
                break;
            }
            Map<Integer, RRset> cut = delegation(name, qtype);
            if (cut != null) {
                RRset ns = cut.get(Type.NS);
                if (!answered) {
                    reply.getHeader().unsetFlag(Flags.AA);
                } else {
                    reply.getHeader().setFlag(Flags.AA);
                }
                addRRset(reply, ns, Section.AUTHORITY);
                additionalFor.addAll(ns.rrs(false));
                break;
            }
            reply.getHeader().setFlag(Flags.AA);
            RRset dname = dnameAbove(name);
            if (dname != null) {
                // RFC 6672 §3.1: the DNAME, then a CNAME synthesised from it (the DNAME's TTL), then
                // the chain goes on at the rewritten name.
                DNAMERecord d = (DNAMERecord) dname.first();
                addRRset(reply, dname, Section.ANSWER);
                Name target;
                try {
                    target = name.fromDNAME(d);
                } catch (NameTooLongException e) {
                    reply.getHeader().setRcode(Rcode.YXDOMAIN); // RFC 6672 §2.2
                    break;
                }
                reply.addRecord(new CNAMERecord(name, DClass.IN, d.getTTL(), target), Section.ANSWER);
                answered = true;
                visited.add(name);
                name = target;
                if (visited.contains(name)) {
                    break;
                }
                continue;
            }
            Map<Integer, RRset> node = nodes.get(name);
            Name owner = name;
            if (node == null && !existing.containsKey(name)) {
                Name wildcard = wildcardFor(name);
                if (wildcard == null) {
                    reply.getHeader().setRcode(Rcode.NXDOMAIN);
                    addNegativeSoa(reply);
                    break;
                }
                node = nodes.get(wildcard);
            }
            if (node == null) {
                // Empty non-terminal: the name exists, with no data.
                addNegativeSoa(reply);
                break;
            }
            if (qtype == Type.ANY) {
                for (RRset set : node.values()) {
                    addRRset(reply, synthesize(set, owner), Section.ANSWER);
                    glueFor(set, additionalFor);
                }
                break;
            }
            RRset match = node.get(qtype);
            if (match != null) {
                addRRset(reply, synthesize(match, owner), Section.ANSWER);
                glueFor(match, additionalFor);
                break;
            }
            RRset cname = node.get(Type.CNAME);
            if (cname != null) {
                addRRset(reply, synthesize(cname, owner), Section.ANSWER);
                answered = true;
                visited.add(name);
                name = ((CNAMERecord) cname.first()).getTarget();
                if (visited.contains(name)) {
                    // A CNAME loop: every record of it is in the answer once; stop there (as NSD).
                    break;
                }
                continue;
            }
            addNegativeSoa(reply);
            break;
        }
        addAdditional(reply, additionalFor);
    }

    /**
     * The DNAME RRset of the closest ancestor of {@code name} (at or below the apex) that owns one,
     * or null. A DNAME redirects the names below its owner, never the owner itself.
     */
    private RRset dnameAbove(Name name) {
        if (!hasDname) {
            return null;
        }
        Name ancestor = name;
        while (ancestor.labels() > origin.labels()) {
            ancestor = parent(ancestor);
            Map<Integer, RRset> node = nodes.get(ancestor);
            RRset d = node == null ? null : node.get(Type.DNAME);
            if (d != null) {
                return d;
            }
        }
        return null;
    }

    /**
     * Minimal responses, as NSD's `minimal-responses` and Knot: a positive answer carries no apex NS
     * in the authority section and no addresses of MX/SRV targets; only an NS RRset brings its
     * in-zone addresses (glue) along.
     */
    private static void glueFor(RRset answered, List<Record> additionalFor) {
        if (answered.getType() == Type.NS) {
            additionalFor.addAll(answered.rrs(false));
        }
    }

    /** The NS RRset of the highest zone cut at or above {@code name} (below the apex), if any. */
    private Map<Integer, RRset> delegation(Name name, int qtype) {
        int depth = name.labels() - origin.labels();
        for (int strip = depth - 1; strip >= 0; strip--) {
            Name candidate = strip == 0 ? name : new Name(name, strip);
            Map<Integer, RRset> node = nodes.get(candidate);
            if (node != null && node.containsKey(Type.NS)) {
                // DS lives on the parent side of the cut: answer it from this zone (RFC 4035 §3.1.4.1).
                if (strip == 0 && qtype == Type.DS) {
                    return null;
                }
                return node;
            }
        }
        return null;
    }

    /**
     * RFC 4592: the closest encloser is the longest existing ancestor; its `*` child, if present, is
     * the source of synthesis. Returns null when there is none (NXDOMAIN).
     */
    private Name wildcardFor(Name name) {
        Name ancestor = name;
        while (ancestor.labels() > origin.labels()) {
            ancestor = parent(ancestor);
            if (existing.containsKey(ancestor)) {
                try {
                    Name wild = Name.concatenate(WILD, ancestor);
                    return nodes.containsKey(wild) ? wild : null;
                } catch (NameTooLongException e) {
                    return null;
                }
            }
        }
        return null;
    }

    private static RRset synthesize(RRset set, Name owner) {
        if (set.getName().equals(owner) && !set.getName().isWild()) {
            return set;
        }
        RRset out = new RRset();
        for (Record r : set.rrs(false)) {
            out.addRR(r.withName(owner));
        }
        return out;
    }

    private void addNegativeSoa(Message reply) {
        // RFC 2308 §3: the SOA's TTL in a negative answer is min(SOA TTL, SOA MINIMUM).
        long ttl = Math.min(soa.getTTL(), soa.getMinimum());
        reply.addRecord(new SOARecord(soa.getName(), DClass.IN, ttl, soa.getHost(), soa.getAdmin(),
                soa.getSerial(), soa.getRefresh(), soa.getRetry(), soa.getExpire(), soa.getMinimum()), Section.AUTHORITY);
    }

    private static void addRRset(Message reply, RRset set, int section) {
        for (Record r : set.rrs(false)) {
            reply.addRecord(r, section);
        }
        for (Record sig : set.sigs()) {
            reply.addRecord(sig, section);
        }
    }

    /** A/AAAA for in-zone targets of NS, MX and SRV records (glue below cuts included). */
    private void addAdditional(Message reply, List<Record> from) {
        if (from.isEmpty()) {
            return;
        }
        List<Name> targets = new ArrayList<>();
        for (Record r : from) {
            Name target = switch (r.getType()) {
                case Type.NS -> ((NSRecord) r).getTarget();
                case Type.MX -> ((MXRecord) r).getTarget();
                case Type.SRV -> ((SRVRecord) r).getTarget();
                default -> null;
            };
            if (target != null && target.subdomain(origin) && !targets.contains(target)) {
                targets.add(target);
            }
        }
        // All A RRsets first, then all AAAA, in target order (NSD's layout).
        for (int type : new int[] {Type.A, Type.AAAA}) {
            for (Name target : targets) {
                Map<Integer, RRset> node = nodes.get(target);
                RRset set = node == null ? null : node.get(type);
                if (set != null && !inSection(reply, set, Section.ANSWER)) {
                    addRRset(reply, set, Section.ADDITIONAL);
                }
            }
        }
    }

    private static boolean inSection(Message reply, RRset set, int section) {
        for (Record r : reply.getSection(section)) {
            if (r.getName().equals(set.getName()) && r.getType() == set.getType()) {
                return true;
            }
        }
        return false;
    }
}
