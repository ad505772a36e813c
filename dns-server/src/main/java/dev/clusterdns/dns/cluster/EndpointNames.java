package dev.clusterdns.dns.cluster;

import dev.clusterdns.agent.model.EndpointPort;
import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.net.Cidr;
import dev.clusterdns.agent.net.IpAddresses;
import dev.clusterdns.dns.cluster.ClusterZone.Answer;
import dev.clusterdns.dns.cluster.ClusterZone.Node;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * The per-endpoint names of a Service (`<host>.<svc>.<ns>.svc.<zone>`, Kubernetes DNS specification
 * 2.4.1) and the PTR records of endpoint and ClusterIP addresses (2.3.3, 2.4.3), answered from the
 * Service's EndpointSlices when asked instead of being kept as records: there is one per endpoint,
 * which at cluster scale is most of the zone, and they are rarely queried.
 */
final class EndpointNames {
    private EndpointNames() {}

    /** One ready address of a Service with the name it is published under and the ports of its slice. */
    record Ready(InetAddress ip, Name host, List<EndpointPort> ports) {}

    /** The Service's own name, or null when its namespace or name is no DNS label. */
    static Name serviceName(Service svc, Name svcZone) {
        Name nsSvc = ZoneBuilder.label(svc.metadata().namespace(), svcZone);
        return nsSvc == null ? null : ZoneBuilder.label(svc.metadata().name(), nsSvc);
    }

    /** True when the Service has endpoint names at all (ClusterIP and headless Services, not ExternalName). */
    static boolean named(Service svc) {
        return !svc.isExternalName() && (svc.hasClusterIP() || svc.isHeadless());
    }

    /** Ready addresses in slice order, each with its endpoint name. */
    static List<Ready> ready(ClusterOptions options, Name svcName, List<EndpointSlice> slices) {
        List<Ready> out = new ArrayList<>();
        for (EndpointSlice slice : slices) {
            for (EndpointSlice.Endpoint ep : slice.endpoints()) {
                if (!ep.isReady()) {
                    continue;
                }
                for (String text : ep.addresses()) {
                    InetAddress ip = parse(text);
                    if (ip == null) {
                        continue;
                    }
                    Name host = ZoneBuilder.label(hostLabel(options, ep, ip), svcName);
                    if (host != null) {
                        out.add(new Ready(ip, host, slice.ports()));
                    }
                }
            }
        }
        return out;
    }

    /**
     * What the part shows of its endpoints and ClusterIPs in DNS (names, addresses, PTR claims):
     * equal signatures mean no endpoint name and no PTR answer changed.
     */
    static List<Object> signature(ClusterOptions options, Name svcZone, ServicePart part) {
        Service svc = part.service();
        Name svcName = serviceName(svc, svcZone);
        List<Object> out = new ArrayList<>(svc.clusterIPs());
        if (svcName != null && named(svc)) {
            for (Ready r : ready(options, svcName, part.slices())) {
                out.add(r.host());
                out.add(r.ip());
            }
        }
        return out;
    }

    /** The canonical text of {@code ip}: {@code text} itself when already canonical (a cluster holds one per Pod). */
    private static String canonical(String text, InetAddress ip) {
        String canonical = IpAddresses.format(ip.getAddress());
        return canonical.equals(text) ? text : canonical;
    }

    /** Canonical text of every address the part may claim a PTR for (ClusterIPs and ready endpoints). */
    static Set<String> addresses(ServicePart part) {
        Set<String> out = new LinkedHashSet<>();
        for (String text : part.service().clusterIPs()) {
            InetAddress ip = parse(text);
            if (ip != null) {
                out.add(canonical(text, ip));
            }
        }
        if (named(part.service())) {
            for (EndpointSlice slice : part.slices()) {
                for (EndpointSlice.Endpoint ep : slice.endpoints()) {
                    if (ep.isReady()) {
                        for (String text : ep.addresses()) {
                            InetAddress ip = parse(text);
                            if (ip != null) {
                                out.add(canonical(text, ip));
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    /** The node of endpoint name {@code name} (`<host>.<svc>.<ns>.svc.<zone>`) of {@code part}, or null. */
    static Node forward(ClusterOptions options, Name svcZone, ServicePart part, Name name) {
        Service svc = part.service();
        if (!named(svc)) {
            return null;
        }
        Name svcName = serviceName(svc, svcZone);
        if (svcName == null || !name.subdomain(svcName)) {
            return null;
        }
        LinkedHashSet<Record> a = new LinkedHashSet<>();
        LinkedHashSet<Record> aaaa = new LinkedHashSet<>();
        // Labels are compared before any name is made: a large headless Service costs string compares.
        String want = name.getLabelString(0);
        for (EndpointSlice slice : part.slices()) {
            for (EndpointSlice.Endpoint ep : slice.endpoints()) {
                if (!ep.isReady()) {
                    continue;
                }
                for (String text : ep.addresses()) {
                    InetAddress ip = parse(text);
                    String label = ip == null ? null : hostLabel(options, ep, ip);
                    if (label == null || !label.equalsIgnoreCase(want)) {
                        continue;
                    }
                    Name host = ZoneBuilder.label(label, svcName);
                    if (host != null && host.equals(name)) {
                        Record rec = address(host, ip, options.ttl());
                        (rec.getType() == Type.A ? a : aaaa).add(rec);
                    }
                }
            }
        }
        if (a.isEmpty() && aaaa.isEmpty()) {
            return null;
        }
        Map<Integer, Answer> answers;
        if (aaaa.isEmpty()) {
            answers = Map.of(Type.A, new Answer(List.copyOf(a), List.of()));
        } else if (a.isEmpty()) {
            answers = Map.of(Type.AAAA, new Answer(List.copyOf(aaaa), List.of()));
        } else {
            answers = Map.of(Type.A, new Answer(List.copyOf(a), List.of()), Type.AAAA, new Answer(List.copyOf(aaaa), List.of()));
        }
        return new Node(name, 0, answers, null);
    }

    /**
     * The PTR node of {@code ip} from the parts that claim it, in zone-transfer order: ClusterIP claims
     * win over endpoint claims (whatever the Service order, as CoreDNS); equal records once. Null when
     * no part publishes a name for it.
     */
    static Node reverse(ClusterOptions options, Name svcZone, List<ServicePart> owners, InetAddress ip, Name ptrName) {
        List<Record> clusterIp = new ArrayList<>();
        boolean clusterIpClaimed = false;
        for (ServicePart p : owners) {
            for (String text : p.service().clusterIPs()) {
                InetAddress c = parse(text);
                if (ip.equals(c)) {
                    clusterIpClaimed = true;
                    Name svcName = p.service().isExternalName() ? null : serviceName(p.service(), svcZone);
                    // --ignore-empty-service: a Service without ready endpoints has no records, yet its
                    // ClusterIP still keeps endpoint claims off the address.
                    if (svcName != null && p.service().hasClusterIP()
                            && !(options.ignoreEmptyService() && ready(options, svcName, p.slices()).isEmpty())) {
                        addOnce(clusterIp, new PTRRecord(ptrName, DClass.IN, options.ttl(), svcName));
                    }
                }
            }
        }
        List<Record> records = clusterIp;
        if (!clusterIpClaimed) {
            records = new ArrayList<>();
            for (ServicePart p : owners) {
                Name svcName = serviceName(p.service(), svcZone);
                if (svcName == null || !named(p.service())) {
                    continue;
                }
                for (Ready r : ready(options, svcName, p.slices())) {
                    if (r.ip().equals(ip)) {
                        addOnce(records, new PTRRecord(ptrName, DClass.IN, options.ttl(), r.host()));
                    }
                }
            }
        }
        if (records.isEmpty()) {
            return null;
        }
        return new Node(ptrName, reverseZone(options, ip), Map.of(Type.PTR, new Answer(List.copyOf(records), List.of())), null);
    }

    private static void addOnce(List<Record> out, Record r) {
        if (!out.contains(r)) {
            out.add(r);
        }
    }

    /**
     * The apex index of {@code ip}'s reverse name in a {@link ClusterZone}: 1 + the first service CIDR
     * holding it, else in-addr.arpa / ip6.arpa after the CIDRs (from the address, not by parsing the name).
     */
    static int reverseZone(ClusterOptions options, InetAddress ip) {
        List<Cidr> cidrs = options.serviceCidrs();
        for (int i = 0; i < cidrs.size(); i++) {
            if (cidrs.get(i).contains(ip)) {
                return i + 1;
            }
        }
        return ip instanceof Inet4Address ? cidrs.size() + 1 : cidrs.size() + 2;
    }

    static Record address(Name owner, InetAddress a, int ttl) {
        return a instanceof Inet4Address ? new ARecord(owner, DClass.IN, ttl, a) : new AAAARecord(owner, DClass.IN, ttl, a);
    }

    /** Kubernetes DNS specification 2.4.1 (CoreDNS `endpoint_pod_names`): hostname, else (with endpoint pod names) the pod name, else the dashed IP. */
    private static String hostLabel(ClusterOptions options, EndpointSlice.Endpoint ep, InetAddress ip) {
        if (ep.hostname() != null && !ep.hostname().isEmpty()) {
            return ep.hostname();
        }
        if (options.endpointPodNames() && ep.targetRef() != null && ep.targetRef().name() != null
                && !ep.targetRef().name().isEmpty() && ep.targetRef().name().length() < 64) {
            return ep.targetRef().name();
        }
        return dashed(ip);
    }

    static String dashed(InetAddress ip) {
        String c = IpAddresses.format(ip.getAddress());
        if (c.indexOf(':') < 0) {
            return c.replace('.', '-');
        }
        String d = c.replace(':', '-');
        return d.endsWith("-") ? d + "0" : d;
    }

    /** One parse per address (the snapshot holds validated text; anything odd is skipped). */
    static InetAddress parse(String text) {
        try {
            byte[] v4 = dottedQuad(text);
            return InetAddress.getByAddress(v4 != null ? v4 : IpAddresses.parse(text));
        } catch (IllegalArgumentException | java.net.UnknownHostException e) {
            return null;
        }
    }

    /** Plain `a.b.c.d` without regular expressions (the common case, once per address per snapshot). */
    private static byte[] dottedQuad(String s) {
        byte[] out = new byte[4];
        int part = 0;
        int value = -1;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                value = (value < 0 ? 0 : value * 10) + (c - '0');
                if (value > 255) {
                    return null;
                }
            } else if (c == '.' && value >= 0 && part < 3) {
                out[part++] = (byte) value;
                value = -1;
            } else {
                return null;
            }
        }
        if (part != 3 || value < 0) {
            return null;
        }
        out[3] = (byte) value;
        return out;
    }
}
