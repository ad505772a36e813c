package dev.clusterdns.dns.cluster;

import dev.clusterdns.agent.model.EndpointPort;
import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Namespace;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.ServicePort;
import dev.clusterdns.agent.net.IpAddresses;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.dns.cluster.EndpointNames.Ready;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;

/**
 * Turns snapshot objects into the records of the cluster zone and its reverse zones (Kubernetes DNS-Based Service Discovery specification 1.1.0, section 2, with CoreDNS's additions):
 * the zone's own names once per snapshot ({@link #base}), and each Service's names, zone-transfer
 * records and PTR claims on their own ({@link #service}) so that an unchanged Service's result can be
 * kept from one snapshot to the next. Not thread-safe; one builder per build.
 */
final class ZoneBuilder {
    static final String SCHEMA_VERSION = "1.1.0";
    static final int SCHEMA_TTL = 28800;

    private final ClusterOptions options;
    private final Name origin;
    private final Name svcZone;
    private final Name podZone;
    private final int ttl;
    /** The drafts being filled: the base names, or one Service's. */
    private Map<Name, Draft> drafts;
    private LinkedHashSet<Record> currentTransfer;
    private Set<Name> endpointHosts;

    /**
     * What one Service contributes: its names and its zone-transfer records. {@code endpointHosts} are
     * the per-endpoint names among the drafts, answered on demand by {@link EndpointNames} rather than kept.
     */
    record ServiceDraft(Map<Name, Draft> drafts, List<Record> transfer, Set<Name> endpointHosts) {}

    /** Records of one name while building; frozen into a {@link ClusterZone.Node}. */
    static final class Draft {
        final Name name;
        final Map<Integer, LinkedHashSet<Record>> answers = new LinkedHashMap<>(4);
        Name cnameTarget;

        Draft(Name name) {
            this.name = name;
        }
    }

    ZoneBuilder(ClusterOptions options, Name origin) {
        this.options = options;
        this.origin = origin;
        this.svcZone = label("svc", origin);
        this.podZone = label("pod", origin);
        this.ttl = options.ttl();
    }

    /** The namespaces whose names exist: every exposed namespace and every exposed Service's namespace. */
    Set<String> namespaces(ClusterSnapshot snapshot) {
        Set<String> namespaces = new TreeSet<>();
        for (Namespace ns : snapshot.namespaces()) {
            namespaces.add(ns.metadata().name());
        }
        for (Service s : snapshot.services()) {
            namespaces.add(s.metadata().namespace());
        }
        namespaces.removeIf(ns -> ns == null || !options.exposes(ns));
        return namespaces;
    }

    /** The apex (NS), its name server's addresses, dns-version and the empty non-terminals. */
    Map<Name, Draft> base(Set<String> namespaces) {
        drafts = new LinkedHashMap<>();
        draft(origin);
        draft(svcZone);
        draft(podZone);
        Name nsName = label("ns", label("dns", origin));
        add(origin, new NSRecord(origin, DClass.IN, ttl, nsName));
        for (InetAddress a : options.nameServerAddresses()) {
            add(nsName, a instanceof Inet4Address ? new ARecord(nsName, DClass.IN, ttl, a)
                    : new AAAARecord(nsName, DClass.IN, ttl, a));
        }
        Name version = label("dns-version", origin);
        add(version, new TXTRecord(version, DClass.IN, SCHEMA_TTL, SCHEMA_VERSION));
        for (String ns : namespaces) {
            Name nsSvc = label(ns, svcZone);
            Name nsPod = label(ns, podZone);
            if (nsSvc != null) {
                draft(nsSvc);
            }
            if (nsPod != null) {
                draft(nsPod);
            }
        }
        Map<Name, Draft> out = drafts;
        drafts = null;
        return out;
    }

    /**
     * The names of one Service of an exposed namespace, from the Service and its EndpointSlices only
     * (its names all lie below {@code <svc>.<ns>.svc.<zone>}, so no other Service can touch them).
     */
    ServiceDraft service(Service svc, List<EndpointSlice> slices) {
        drafts = new LinkedHashMap<>();
        currentTransfer = new LinkedHashSet<>();
        endpointHosts = new HashSet<>();
        Name svcName = EndpointNames.serviceName(svc, svcZone);
        if (svcName != null) {
            if (svc.isExternalName()) {
                externalName(svc, svcName);
            } else if (svc.hasClusterIP()) {
                clusterIp(svc, svcName, slices);
            } else if (svc.isHeadless()) {
                headless(svcName, slices);
            }
        }
        ServiceDraft out = new ServiceDraft(drafts, List.copyOf(currentTransfer), endpointHosts);
        drafts = null;
        currentTransfer = null;
        endpointHosts = null;
        return out;
    }

    private void externalName(Service svc, Name svcName) {
        String target = svc.spec().externalName();
        // IP-valued externalName: CoreDNS makes no record at all (issues #2164, #2324).
        if (target == null || target.isEmpty() || IpAddresses.isValid(target)) {
            return;
        }
        Name t;
        try {
            t = Name.fromString(target.endsWith(".") ? target : target + ".");
        } catch (TextParseException e) {
            return;
        }
        Draft d = draft(svcName);
        d.cnameTarget = t;
        add(svcName, new CNAMERecord(svcName, DClass.IN, ttl, t));
        transfer(new CNAMERecord(svcName, DClass.IN, ttl, t));
    }

    private void clusterIp(Service svc, Name svcName, List<EndpointSlice> slices) {
        // Endpoint names are answered by EndpointNames; nothing here refers to them (no glue).
        if (options.ignoreEmptyService() && EndpointNames.ready(options, svcName, slices).isEmpty()) {
            return;
        }
        List<InetAddress> ips = new ArrayList<>();
        for (String text : svc.clusterIPs()) {
            InetAddress ip = EndpointNames.parse(text);
            if (ip == null) {
                continue;
            }
            ips.add(ip);
            add(svcName, address(svcName, ip));
            transfer(address(svcName, ip));
        }
        List<ServicePort> ports = svc.spec().ports();
        // Plain `<svc>` SRV: every port; N = addresses × ports (CoreDNS's weights), duplicates by (target, port) dropped.
        int all = ips.size() * ports.size();
        for (ServicePort p : ports) {
            if (p.port() == null) {
                continue;
            }
            add(svcName, new SRVRecord(svcName, DClass.IN, ttl, 0, weight(all), p.port(), svcName));
            transfer(new SRVRecord(svcName, DClass.IN, ttl, 0, 100, p.port(), svcName));
            if (p.name() == null || p.name().isEmpty()) {
                continue;
            }
            Name srv = portName(p.name(), p.protocolOrTcp(), svcName);
            if (srv == null) {
                continue;
            }
            add(srv, new SRVRecord(srv, DClass.IN, ttl, 0, weight(ips.size()), p.port(), svcName));
            transfer(new SRVRecord(srv, DClass.IN, ttl, 0, 100, p.port(), svcName));
            // An A query on the SRV-shaped name answers the ClusterIP (CoreDNS, unpinned).
            for (InetAddress ip : ips) {
                add(srv, address(srv, ip));
            }
        }
    }

    private void headless(Name svcName, List<EndpointSlice> slices) {
        List<Ready> ready = EndpointNames.ready(options, svcName, slices);
        if (ready.isEmpty()) {
            return; // no ready endpoints: the Service name is NXDOMAIN (spec, issue #1814)
        }
        for (Ready r : ready) {
            add(svcName, address(svcName, r.ip()));
        }
        endpointNames(ready);
        headlessTransfer(svcName, slices, ready);
        int all = 0;
        Map<Name, Integer> perPortName = new HashMap<>();
        for (Ready r : ready) {
            for (EndpointPort p : r.ports()) {
                if (p.port() == null || p.port() < 0) {
                    continue;
                }
                all++;
                if (p.name() != null && !p.name().isEmpty()) {
                    Name srv = portName(p.name(), p.protocolOrTcp(), svcName);
                    if (srv != null) {
                        perPortName.merge(srv, 1, Integer::sum);
                    }
                }
            }
        }
        for (Ready r : ready) {
            for (EndpointPort p : r.ports()) {
                if (p.port() == null || p.port() < 0) {
                    continue;
                }
                add(svcName, new SRVRecord(svcName, DClass.IN, ttl, 0, weight(all), p.port(), r.host()));
                if (p.name() != null && !p.name().isEmpty()) {
                    Name srv = portName(p.name(), p.protocolOrTcp(), svcName);
                    if (srv != null) {
                        add(srv, new SRVRecord(srv, DClass.IN, ttl, 0, weight(perPortName.get(srv)), p.port(),
                                r.host()));
                    }
                }
            }
        }
    }

    /** CoreDNS's transfer of a headless Service: per ready address, in slice order (see {@link #transfer}). */
    private void headlessTransfer(Name svcName, List<EndpointSlice> slices, List<Ready> ready) {
        Map<List<EndpointPort>, Integer> perSlice = new HashMap<>();
        for (Ready r : ready) {
            perSlice.merge(r.ports(), 1, Integer::sum);
        }
        for (Ready r : ready) {
            transfer(address(svcName, r.ip()));
            transfer(address(r.host(), r.ip()));
            for (EndpointPort p : r.ports()) {
                if (p.port() == null || p.port() < 0 || p.name() == null || p.name().isEmpty()) {
                    continue;
                }
                Name srv = portName(p.name(), p.protocolOrTcp(), svcName);
                if (srv != null) {
                    transfer(new SRVRecord(srv, DClass.IN, ttl, 0, weight(perSlice.get(r.ports())), p.port(), r.host()));
                }
            }
        }
    }

    /**
     * Per-endpoint A/AAAA names of a headless Service (specification 2.4.1): drafted so that its SRV
     * answers can carry them as glue; the zone answers them (and their PTRs) through {@link EndpointNames}.
     */
    private void endpointNames(List<Ready> ready) {
        for (Ready r : ready) {
            add(r.host(), address(r.host(), r.ip()));
            endpointHosts.add(r.host());
        }
    }

    private static int weight(int items) {
        return items <= 0 ? 100 : Math.max(1, 100 / items);
    }

    private Record address(Name owner, InetAddress a) {
        return EndpointNames.address(owner, a, ttl);
    }

    private Name portName(String port, String proto, Name svcName) {
        Name p = label("_" + proto.toLowerCase(Locale.ROOT), svcName);
        return p == null ? null : label("_" + port.toLowerCase(Locale.ROOT), p);
    }

    private Draft draft(Name name) {
        return drafts.computeIfAbsent(name, Draft::new);
    }

    private void add(Name owner, Record r) {
        Draft d = draft(owner);
        d.answers.computeIfAbsent(r.getType(), t -> new LinkedHashSet<>()).add(r);
    }

    /**
     * A record of the zone transfer. The transfer carries exactly what CoreDNS's kubernetes plugin
     * transfers, which is less than the query path answers: for a ClusterIP Service its addresses and
     * SRV records (weight 100, target the Service), no endpoint names and no addresses at SRV-shaped
     * names; for a headless Service per ready address the Service's and the endpoint's address and
     * the named ports' SRV records; for an ExternalName its CNAME.
     */
    private void transfer(Record r) {
        currentTransfer.add(r);
    }

    /** {@code label.parent}, or null when the label is not a valid DNS label (bad object names). */
    static Name label(String label, Name parent) {
        if (label == null || label.isEmpty() || label.length() > 63 || label.indexOf('.') >= 0) {
            return null;
        }
        try {
            return Name.fromString(label.toLowerCase(Locale.ROOT), parent);
        } catch (TextParseException e) {
            return null;
        }
    }

    static Name absolute(String domain) {
        try {
            return Name.fromString(domain.toLowerCase(Locale.ROOT) + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException("bad cluster domain '" + domain + "': " + e.getMessage());
        }
    }

}
