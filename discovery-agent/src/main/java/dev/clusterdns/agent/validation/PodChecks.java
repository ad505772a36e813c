package dev.clusterdns.agent.validation;

import dev.clusterdns.agent.model.Container;
import dev.clusterdns.agent.model.ContainerPort;
import dev.clusterdns.agent.model.EnvVar;
import dev.clusterdns.agent.model.PodDNSConfig;
import dev.clusterdns.agent.model.PodIP;
import dev.clusterdns.agent.model.PodSpec;
import dev.clusterdns.agent.model.PodStatus;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The parts of `ValidatePodSpec` that matter to discovery: containers and ports, DNS, names. */
final class PodChecks {
    private PodChecks() {}

    private static final List<String> RESTART_POLICIES = List.of("Always", "OnFailure", "Never");
    // Not sorted: the API server lists them in this order.
    private static final List<String> DNS_POLICIES = List.of("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None");
    static final int MAX_NAMESERVERS = 3;
    static final int MAX_SEARCH_PATHS = 32;
    static final int MAX_SEARCH_CHARS = 2048;

    static void spec(PodSpec spec, String path, List<FieldError> out) {
        Set<String> names = new HashSet<>();
        if (spec.containers().isEmpty()) {
            out.add(FieldError.required(path + ".containers", ""));
        }
        for (int i = 0; i < spec.containers().size(); i++) {
            Container c = spec.containers().get(i);
            String cp = path + ".containers[" + i + "]";
            container(c, cp, out);
            if (!names.add(ServiceChecks.nz(c.name()))) {
                out.add(FieldError.duplicate(cp + ".name", ServiceChecks.nz(c.name())));
            }
            if (c.restartPolicy() != null) {
                out.add(FieldError.forbidden(cp + ".restartPolicy", "may not be set for non-init containers"));
            }
        }
        for (int i = 0; i < spec.initContainers().size(); i++) {
            Container c = spec.initContainers().get(i);
            String cp = path + ".initContainers[" + i + "]";
            container(c, cp, out);
            if (!names.add(ServiceChecks.nz(c.name()))) {
                out.add(FieldError.duplicate(cp + ".name", ServiceChecks.nz(c.name())));
            }
            if (c.restartPolicy() != null && !c.restartPolicy().equals("Always")) {
                out.add(FieldError.unsupported(cp + ".restartPolicy", c.restartPolicy(), List.of("Always")));
            }
        }
        if (spec.usesHostNetwork()) {
            for (int i = 0; i < spec.containers().size(); i++) {
                List<ContainerPort> ports = spec.containers().get(i).ports();
                for (int j = 0; j < ports.size(); j++) {
                    int hp = nz(ports.get(j).hostPort());
                    if (hp != nz(ports.get(j).containerPort())) {
                        out.add(FieldError.invalid(path + ".containers[" + i + "].ports[" + j + "].hostPort", hp,
                                "must match `containerPort` when `hostNetwork` is true"));
                    }
                }
            }
        }
        String restart = ServiceChecks.nz(spec.restartPolicy());
        if (restart.isEmpty()) {
            out.add(FieldError.required(path + ".restartPolicy", ""));
        } else if (!RESTART_POLICIES.contains(restart)) {
            out.add(FieldError.unsupported(path + ".restartPolicy", restart, RESTART_POLICIES));
        }
        String dnsPolicy = ServiceChecks.nz(spec.dnsPolicy());
        if (dnsPolicy.isEmpty()) {
            out.add(FieldError.required(path + ".dnsPolicy", ""));
        } else if (!DNS_POLICIES.contains(dnsPolicy)) {
            out.add(FieldError.unsupported(path + ".dnsPolicy", dnsPolicy, DNS_POLICIES));
        }
        MetaChecks.labels(spec.nodeSelector(), path + ".nodeSelector", out);
        dnsConfig(spec.dnsConfig(), dnsPolicy, path + ".dnsConfig", out);
        if (spec.serviceAccountName() != null && !spec.serviceAccountName().isEmpty()) {
            for (String msg : Formats.dns1123Subdomain(spec.serviceAccountName())) {
                out.add(FieldError.invalid(path + ".serviceAccountName", spec.serviceAccountName(), msg));
            }
        }
        if (spec.nodeName() != null && !spec.nodeName().isEmpty()) {
            for (String msg : Formats.dns1123Subdomain(spec.nodeName())) {
                out.add(FieldError.invalid(path + ".nodeName", spec.nodeName(), msg));
            }
        }
        if (spec.hostname() != null && !spec.hostname().isEmpty()) {
            for (String msg : Formats.dns1123Label(spec.hostname())) {
                out.add(FieldError.invalid(path + ".hostname", spec.hostname(), msg));
            }
        }
        if (spec.subdomain() != null && !spec.subdomain().isEmpty()) {
            for (String msg : Formats.dns1123Label(spec.subdomain())) {
                out.add(FieldError.invalid(path + ".subdomain", spec.subdomain(), msg));
            }
        }
    }

    private static void container(Container c, String path, List<FieldError> out) {
        String name = ServiceChecks.nz(c.name());
        if (name.isEmpty()) {
            out.add(FieldError.required(path + ".name", ""));
        } else {
            for (String msg : Formats.dns1123Label(name)) {
                out.add(FieldError.invalid(path + ".name", name, msg));
            }
        }
        if (c.image() == null || c.image().isEmpty()) {
            out.add(FieldError.required(path + ".image", ""));
        }
        ports(c.ports(), path + ".ports", out);
        if (c.readinessProbe() != null) {
            probe(c.readinessProbe(), path + ".readinessProbe", out);
        }
        for (int i = 0; i < c.env().size(); i++) {
            EnvVar ev = c.env().get(i);
            String ep = path + ".env[" + i + "].name";
            if (ev.name() == null || ev.name().isEmpty()) {
                out.add(FieldError.required(ep, ""));
            } else {
                for (String msg : Formats.envVarName(ev.name())) {
                    out.add(FieldError.invalid(ep, ev.name(), msg));
                }
            }
        }
    }

    /** `validateProbe` and `validateHandler`: one handler, non-negative timing, a valid port. */
    private static void probe(dev.clusterdns.agent.model.Probe p, String path, List<FieldError> out) {
        int handlers = (p.httpGet() != null ? 1 : 0) + (p.tcpSocket() != null ? 1 : 0) + (p.exec() != null ? 1 : 0)
                + (p.grpc() != null ? 1 : 0);
        if (handlers == 0) {
            out.add(FieldError.required(path, "must specify a handler type"));
        } else if (handlers > 1) {
            out.add(FieldError.forbidden(path, "may not specify more than 1 handler type"));
        }
        Integer[] values = {p.initialDelaySeconds(), p.timeoutSeconds(), p.periodSeconds(), p.successThreshold(),
            p.failureThreshold()};
        String[] fields = {"initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"};
        for (int i = 0; i < values.length; i++) {
            if (values[i] != null && values[i] < 0) {
                out.add(FieldError.invalid(path + "." + fields[i], values[i], "must be greater than or equal to 0"));
            }
        }
        if (p.httpGet() != null) {
            probePort(p.httpGet().port(), path + ".httpGet.port", out);
            String scheme = p.httpGet().scheme();
            if (scheme != null && !scheme.isEmpty() && !List.of("HTTP", "HTTPS").contains(scheme)) {
                out.add(FieldError.unsupported(path + ".httpGet.scheme", scheme, List.of("HTTP", "HTTPS")));
            }
        }
        if (p.tcpSocket() != null) {
            probePort(p.tcpSocket().port(), path + ".tcpSocket.port", out);
        }
    }

    private static void probePort(dev.clusterdns.agent.model.IntOrString port, String path, List<FieldError> out) {
        if (port == null) {
            out.add(FieldError.required(path, ""));
        } else if (port.isInt()) {
            if (port.intValue() < 1 || port.intValue() > 65535) {
                out.add(FieldError.invalid(path, port.intValue(), "must be between 1 and 65535, inclusive"));
            }
        } else {
            for (String msg : Formats.portName(port.stringValue())) {
                out.add(FieldError.invalid(path, port.stringValue(), msg));
            }
        }
    }

    /** `validateContainerPorts`. */
    private static void ports(List<ContainerPort> ports, String path, List<FieldError> out) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < ports.size(); i++) {
            ContainerPort p = ports.get(i);
            String pp = path + "[" + i + "]";
            String name = ServiceChecks.nz(p.name());
            if (!name.isEmpty()) {
                List<String> msgs = Formats.portName(name);
                if (!msgs.isEmpty()) {
                    msgs.forEach(m -> out.add(FieldError.invalid(pp + ".name", name, m)));
                } else if (!names.add(name)) {
                    out.add(FieldError.duplicate(pp + ".name", name));
                }
            }
            int cport = nz(p.containerPort());
            if (cport == 0) {
                out.add(FieldError.required(pp + ".containerPort", ""));
            } else {
                Formats.portNumber(cport).forEach(m -> out.add(FieldError.invalid(pp + ".containerPort", cport, m)));
            }
            int hport = nz(p.hostPort());
            if (hport != 0) {
                Formats.portNumber(hport).forEach(m -> out.add(FieldError.invalid(pp + ".hostPort", hport, m)));
            }
            String protocol = ServiceChecks.nz(p.protocol());
            if (protocol.isEmpty()) {
                out.add(FieldError.required(pp + ".protocol", ""));
            } else if (!ServiceChecks.PROTOCOLS.contains(protocol)) {
                out.add(FieldError.unsupported(pp + ".protocol", protocol, ServiceChecks.PROTOCOLS));
            }
        }
    }

    /** `validatePodDNSConfig` (RelaxedDNSSearchValidation off: searches are DNS-1123 subdomains). */
    static void dnsConfig(PodDNSConfig config, String dnsPolicy, String path, List<FieldError> out) {
        if ("None".equals(dnsPolicy)) {
            if (config == null) {
                out.add(FieldError.required(path, "must provide `dnsConfig` when `dnsPolicy` is None"));
                return;
            }
            if (config.nameservers().isEmpty()) {
                out.add(FieldError.required(path + ".nameservers",
                        "must provide at least one DNS nameserver when `dnsPolicy` is None"));
                return;
            }
        }
        if (config == null) {
            return;
        }
        if (config.nameservers().size() > MAX_NAMESERVERS) {
            out.add(FieldError.invalid(path + ".nameservers", config.nameservers(),
                    "must not have more than " + MAX_NAMESERVERS + " nameservers"));
        }
        for (int i = 0; i < config.nameservers().size(); i++) {
            String ns = config.nameservers().get(i);
            if (IpLiterals.parse(ns) == null) {
                out.add(FieldError.invalid(path + ".nameservers[" + i + "]", ns, IpLiterals.INVALID_IP));
            }
        }
        List<String> searches = config.searches();
        if (searches.size() > MAX_SEARCH_PATHS) {
            out.add(FieldError.invalid(path + ".searches", searches,
                    "must not have more than " + MAX_SEARCH_PATHS + " search paths"));
        }
        if (Formats.byteLength(String.join(" ", searches)) > MAX_SEARCH_CHARS) {
            out.add(FieldError.invalid(path + ".searches", searches,
                    "must not have more than " + MAX_SEARCH_CHARS + " characters (including spaces) in the search list"));
        }
        for (int i = 0; i < searches.size(); i++) {
            String s = ServiceChecks.nz(searches.get(i));
            if (s.endsWith(".")) {
                s = s.substring(0, s.length() - 1);
            }
            for (String msg : Formats.dns1123Subdomain(s)) {
                out.add(FieldError.invalid(path + ".searches[" + i + "]", s, msg));
            }
        }
        for (int i = 0; i < config.options().size(); i++) {
            PodDNSConfig.Option o = config.options().get(i);
            if (o == null || o.name() == null || o.name().isEmpty()) {
                out.add(FieldError.required(path + ".options[" + i + "]", "must not be empty"));
            }
        }
    }

    /**
     * Status IPs, checked because endpoints are built from them (the API server checks these on
     * status updates, which is how a real pod gets them).
     */
    static void status(PodStatus st, List<FieldError> out) {
        if (st.podIP() != null && !st.podIP().isEmpty() && IpLiterals.parse(st.podIP()) == null) {
            out.add(FieldError.invalid("status.podIP", st.podIP(), IpLiterals.INVALID_IP));
        }
        List<PodIP> ips = st.podIPs();
        for (int i = 0; i < ips.size(); i++) {
            String ip = ips.get(i) == null ? "" : ServiceChecks.nz(ips.get(i).ip());
            if (IpLiterals.parse(ip) == null) {
                out.add(FieldError.invalid("status.podIPs[" + i + "]", ip, IpLiterals.INVALID_IP));
            }
        }
        if (ips.size() > 1) {
            Set<String> families = new HashSet<>();
            List<String> texts = new ArrayList<>();
            for (PodIP ip : ips) {
                String t = ip == null ? "" : ServiceChecks.nz(ip.ip());
                texts.add(t);
                families.add(IpLiterals.family(t));
            }
            if (ips.size() > 2 || !(families.contains("IPv4") && families.contains("IPv6"))) {
                List<Object> rendered = new ArrayList<>();
                texts.forEach(t -> rendered.add(java.util.Map.of("ip", t)));
                out.add(FieldError.invalid("status.podIPs", rendered, "may specify no more than one IP for each IP family"));
            }
        }
    }

    private static int nz(Integer i) {
        return i == null ? 0 : i;
    }
}
