package dev.clusterdns.agent.validation;

import dev.clusterdns.agent.model.IntOrString;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.ServicePort;
import dev.clusterdns.agent.model.ServiceSpec;
import dev.clusterdns.agent.model.SessionAffinityConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * `ValidateService` (create), in the API server's order, plus the static half of the nodePort
 * allocator: the range check. Expects a defaulted Service ({@link Defaults#service}).
 */
final class ServiceChecks {
    private ServiceChecks() {}

    static final List<String> PROTOCOLS = List.of("SCTP", "TCP", "UDP");
    private static final List<String> TYPES = List.of("ClusterIP", "ExternalName", "LoadBalancer", "NodePort");
    private static final List<String> AFFINITIES = List.of("ClientIP", "None");
    private static final List<String> FAMILIES = List.of("IPv4", "IPv6");
    private static final List<String> FAMILY_POLICIES = List.of("PreferDualStack", "RequireDualStack", "SingleStack");
    private static final List<String> TRAFFIC_POLICIES = List.of("Cluster", "Local");
    private static final int MAX_AFFINITY_SECONDS = 86400;
    static final String SOURCE_RANGES_ANNOTATION = "service.beta.kubernetes.io/load-balancer-source-ranges";
    private static final String TOPOLOGY_MODE = "service.kubernetes.io/topology-mode";
    private static final String TOPOLOGY_HINTS = "service.kubernetes.io/topology-aware-hints";

    static List<FieldError> validate(Service s, int nodePortBase, int nodePortLast) {
        List<FieldError> out = new ArrayList<>();
        // RelaxedServiceNameValidation is off: names are DNS-1035 labels (must start with a letter).
        MetaChecks.objectMeta(s.metadata(), Formats::dns1035Label, true, out);
        ServiceSpec spec = s.spec();
        Map<String, String> annotations = s.metadata() == null ? Map.of() : s.metadata().annotations();

        String mode = annotations.get(TOPOLOGY_MODE);
        String hints = annotations.get(TOPOLOGY_HINTS);
        if (mode != null && hints != null && !mode.equals(hints)) {
            out.add(FieldError.invalid("metadata.annotations[" + TOPOLOGY_MODE + "]", mode,
                    "must match annotations[" + TOPOLOGY_HINTS + "] when both are specified"));
        }

        String type = nz(spec.type());
        boolean headless = isHeadless(spec);
        List<ServicePort> ports = spec.ports();
        if (ports.isEmpty() && !headless && !Service.TYPE_EXTERNAL_NAME.equals(type)) {
            out.add(FieldError.required("spec.ports", ""));
        }
        switch (type) {
            case Service.TYPE_LOAD_BALANCER, Service.TYPE_NODE_PORT -> {
                if (headless) {
                    out.add(FieldError.invalid("spec.clusterIPs[0]", spec.clusterIPs().get(0),
                            "may not be set to 'None' for " + type + " services"));
                }
            }
            case Service.TYPE_EXTERNAL_NAME -> externalName(spec, out);
            default -> { }
        }

        Set<String> portNames = new HashSet<>();
        for (int i = 0; i < ports.size(); i++) {
            servicePort(ports.get(i), ports.size() > 1, portNames, "spec.ports[" + i + "]", out);
        }

        if (spec.selector() != null) {
            MetaChecks.labels(spec.selector(), "spec.selector", out);
        }

        String affinity = nz(spec.sessionAffinity());
        if (affinity.isEmpty()) {
            out.add(FieldError.required("spec.sessionAffinity", ""));
        } else if (!AFFINITIES.contains(affinity)) {
            out.add(FieldError.unsupported("spec.sessionAffinity", affinity, AFFINITIES));
        }
        if (affinity.equals("ClientIP")) {
            clientIpAffinity(spec.sessionAffinityConfig(), out);
        } else if (affinity.equals("None") && spec.sessionAffinityConfig() != null) {
            out.add(FieldError.forbidden("spec.sessionAffinityConfig", "must not be set when session affinity is None"));
        }

        clusterIps(spec, type, out);

        for (int i = 0; i < spec.externalIPs().size(); i++) {
            String path = "spec.externalIPs[" + i + "]";
            List<FieldError> ipErrs = IpLiterals.validIp(path, spec.externalIPs().get(i));
            out.addAll(ipErrs.isEmpty() ? IpLiterals.nonSpecial(path, spec.externalIPs().get(i)) : ipErrs);
        }

        if (type.isEmpty()) {
            out.add(FieldError.required("spec.type", ""));
        } else if (!TYPES.contains(type)) {
            out.add(FieldError.unsupported("spec.type", type, TYPES));
        }

        if (Service.TYPE_CLUSTER_IP.equals(type)) {
            for (int i = 0; i < ports.size(); i++) {
                if (nodePort(ports.get(i)) != 0) {
                    out.add(FieldError.forbidden("spec.ports[" + i + "].nodePort",
                            "may not be used when `type` is 'ClusterIP'"));
                }
            }
        }

        Set<String> nodePorts = new HashSet<>();
        for (int i = 0; i < ports.size(); i++) {
            ServicePort p = ports.get(i);
            if (nodePort(p) == 0) {
                continue;
            }
            if (!nodePorts.add(nz(p.protocol()) + "/" + nodePort(p))) {
                out.add(FieldError.duplicate("spec.ports[" + i + "].nodePort", nodePort(p)));
            }
        }

        Set<String> seen = new HashSet<>();
        for (int i = 0; i < ports.size(); i++) {
            ServicePort p = ports.get(i);
            if (!seen.add(nz(p.protocol()) + "/" + port(p))) {
                out.add(FieldError.duplicate("spec.ports[" + i + "]", portKey(p)));
            }
        }

        sourceRanges(spec, type, annotations, out);

        if (spec.allocateLoadBalancerNodePorts() != null && !Service.TYPE_LOAD_BALANCER.equals(type)) {
            out.add(FieldError.forbidden("spec.allocateLoadBalancerNodePorts",
                    "may only be used when `type` is 'LoadBalancer'"));
        }
        if (Service.TYPE_LOAD_BALANCER.equals(type) && spec.allocateLoadBalancerNodePorts() == null) {
            // The API server reports this one without the `spec.` prefix.
            out.add(FieldError.required("allocateLoadBalancerNodePorts", ""));
        }

        if (spec.loadBalancerClass() != null) {
            if (Service.TYPE_LOAD_BALANCER.equals(type)) {
                for (String msg : Formats.qualifiedName(spec.loadBalancerClass())) {
                    out.add(FieldError.invalid("spec.loadBalancerClass", spec.loadBalancerClass(), msg));
                }
            } else {
                out.add(FieldError.forbidden("spec.loadBalancerClass", "may only be used when `type` is 'LoadBalancer'"));
            }
        }

        externalTrafficPolicy(spec, type, out);

        String itp = spec.internalTrafficPolicy();
        if (itp == null) {
            if (type.equals(Service.TYPE_NODE_PORT) || type.equals(Service.TYPE_LOAD_BALANCER)
                    || type.equals(Service.TYPE_CLUSTER_IP)) {
                out.add(FieldError.required("spec.internalTrafficPolicy", ""));
            }
        } else if (!TRAFFIC_POLICIES.contains(itp)) {
            out.add(FieldError.unsupported("spec.internalTrafficPolicy", itp, TRAFFIC_POLICIES));
        }

        if (spec.trafficDistribution() != null && !spec.trafficDistribution().equals("PreferClose")) {
            out.add(FieldError.unsupported("spec.trafficDistribution", spec.trafficDistribution(),
                    List.of("PreferClose")));
        }

        nodePortRange(spec, type, nodePortBase, nodePortLast, out);
        return out;
    }

    static boolean isHeadless(ServiceSpec spec) {
        return spec.clusterIPs().size() == 1 && Service.CLUSTER_IP_NONE.equals(spec.clusterIPs().get(0));
    }

    /** Externally reachable: NodePort, LoadBalancer, or a ClusterIP Service with externalIPs. */
    static boolean externallyAccessible(ServiceSpec spec) {
        String type = nz(spec.type());
        return type.equals(Service.TYPE_LOAD_BALANCER) || type.equals(Service.TYPE_NODE_PORT)
                || (type.equals(Service.TYPE_CLUSTER_IP) && !spec.externalIPs().isEmpty());
    }

    private static void externalName(ServiceSpec spec, List<FieldError> out) {
        if (!spec.clusterIPs().isEmpty()) {
            out.add(FieldError.forbidden("spec.clusterIPs", "may not be set for ExternalName services"));
        }
        if (!spec.ipFamilies().isEmpty()) {
            out.add(FieldError.forbidden("spec.ipFamilies", "may not be set for ExternalName services"));
        }
        if (spec.ipFamilyPolicy() != null) {
            out.add(FieldError.forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services"));
        }
        // One trailing dot marks the name as fully qualified.
        String cname = nz(spec.externalName());
        if (cname.endsWith(".")) {
            cname = cname.substring(0, cname.length() - 1);
        }
        if (cname.isEmpty()) {
            out.add(FieldError.required("spec.externalName", ""));
        } else {
            for (String msg : Formats.dns1123Subdomain(cname)) {
                out.add(FieldError.invalid("spec.externalName", cname, msg));
            }
        }
    }

    private static void servicePort(ServicePort p, boolean requireName, Set<String> names, String path,
                                    List<FieldError> out) {
        String name = nz(p.name());
        if (requireName && name.isEmpty()) {
            out.add(FieldError.required(path + ".name", ""));
        } else if (!name.isEmpty()) {
            for (String msg : Formats.dns1123Label(name)) {
                out.add(FieldError.invalid(path + ".name", name, msg));
            }
            if (!names.add(name)) {
                out.add(FieldError.duplicate(path + ".name", name));
            }
        }
        for (String msg : Formats.portNumber(port(p))) {
            out.add(FieldError.invalid(path + ".port", port(p), msg));
        }
        String protocol = nz(p.protocol());
        if (protocol.isEmpty()) {
            out.add(FieldError.required(path + ".protocol", ""));
        } else if (!PROTOCOLS.contains(protocol)) {
            out.add(FieldError.unsupported(path + ".protocol", protocol, PROTOCOLS));
        }
        IntOrString target = p.targetPort() == null ? IntOrString.of(0) : p.targetPort();
        if (target.isInt()) {
            for (String msg : Formats.portNumber(target.intValue())) {
                out.add(FieldError.invalid(path + ".targetPort", target.intValue(), msg));
            }
        } else {
            for (String msg : Formats.portName(target.stringValue())) {
                out.add(FieldError.invalid(path + ".targetPort", target.stringValue(), msg));
            }
        }
        if (p.appProtocol() != null) {
            for (String msg : Formats.qualifiedName(p.appProtocol())) {
                out.add(FieldError.invalid(path + ".appProtocol", p.appProtocol(), msg));
            }
        }
    }

    private static void clientIpAffinity(SessionAffinityConfig config, List<FieldError> out) {
        String when = "when session affinity type is ClientIP";
        if (config == null) {
            out.add(FieldError.required("spec.sessionAffinityConfig", when));
        } else if (config.clientIP() == null) {
            out.add(FieldError.required("spec.sessionAffinityConfig.clientIP", when));
        } else if (config.clientIP().timeoutSeconds() == null) {
            out.add(FieldError.required("spec.sessionAffinityConfig.clientIP.timeoutSeconds", when));
        } else {
            int t = config.clientIP().timeoutSeconds();
            if (t <= 0 || t > MAX_AFFINITY_SECONDS) {
                out.add(FieldError.invalid("spec.sessionAffinityConfig.clientIP.timeoutSeconds", t,
                        "must be greater than 0 and less than " + MAX_AFFINITY_SECONDS));
            }
        }
    }

    /** `ValidateServiceClusterIPsRelatedFields`. */
    private static void clusterIps(ServiceSpec spec, String type, List<FieldError> out) {
        if (Service.TYPE_EXTERNAL_NAME.equals(type)) {
            return;
        }
        List<String> ips = spec.clusterIPs();
        String clusterIp = nz(spec.clusterIP());
        if (!clusterIp.isEmpty()) {
            if (ips.isEmpty()) {
                out.add(FieldError.required("spec.clusterIPs", ""));
            } else if (!ips.get(0).equals(clusterIp)) {
                out.add(FieldError.invalid("spec.clusterIPs", ips, "first value must match `clusterIP`"));
            }
        } else if (!ips.isEmpty()) {
            out.add(FieldError.invalid("spec.clusterIPs", ips, "must be empty when `clusterIP` is not specified"));
        }

        Set<String> seenFamilies = new HashSet<>();
        for (int i = 0; i < spec.ipFamilies().size(); i++) {
            String f = spec.ipFamilies().get(i);
            if (!FAMILIES.contains(f)) {
                out.add(FieldError.unsupported("spec.ipFamilies[" + i + "]", f, FAMILIES));
            }
            if (!seenFamilies.add(f)) {
                out.add(FieldError.duplicate("spec.ipFamilies[" + i + "]", f));
            }
        }
        if (spec.ipFamilyPolicy() != null && !FAMILY_POLICIES.contains(spec.ipFamilyPolicy())) {
            out.add(FieldError.unsupported("spec.ipFamilyPolicy", spec.ipFamilyPolicy(), FAMILY_POLICIES));
        }

        boolean invalid = false;
        for (int i = 0; i < ips.size(); i++) {
            if (i == 0 && Service.CLUSTER_IP_NONE.equals(ips.get(0))) {
                if (ips.size() > 1) {
                    invalid = true;
                    out.add(FieldError.invalid("spec.clusterIPs", ips, "'None' must be the first and only value"));
                }
                continue;
            }
            List<FieldError> errs = IpLiterals.validIp("spec.clusterIPs[" + i + "]", ips.get(i));
            invalid |= !errs.isEmpty();
            out.addAll(errs);
        }
        if (ips.size() > 2) {
            out.add(FieldError.invalid("spec.clusterIPs", ips, "may only hold up to 2 values"));
        }
        // Bad IPs would skew the family checks below, so the API server stops here.
        if (invalid) {
            return;
        }
        if (ips.size() > 1) {
            Set<String> families = new HashSet<>();
            ips.forEach(ip -> families.add(IpLiterals.family(ip)));
            if (!(families.contains("IPv4") && families.contains("IPv6"))) {
                out.add(FieldError.invalid("spec.clusterIPs", ips, "may specify no more than one IP for each IP family"));
            }
        }
        if (!isHeadless(spec) && !ips.isEmpty() && !spec.ipFamilies().isEmpty()) {
            for (int i = 0; i < ips.size() && i < spec.ipFamilies().size(); i++) {
                String family = IpLiterals.family(ips.get(i));
                String wanted = spec.ipFamilies().get(i);
                if (wanted.equals("IPv4") && "IPv6".equals(family)) {
                    out.add(FieldError.invalid("spec.clusterIPs[" + i + "]", ips.get(i),
                            "expected an IPv4 value as indicated by `ipFamilies[" + i + "]`"));
                }
                if (wanted.equals("IPv6") && !"IPv6".equals(family)) {
                    out.add(FieldError.invalid("spec.clusterIPs[" + i + "]", ips.get(i),
                            "expected an IPv6 value as indicated by `ipFamilies[" + i + "]`"));
                }
            }
        }
    }

    private static void sourceRanges(ServiceSpec spec, String type, Map<String, String> annotations,
                                     List<FieldError> out) {
        boolean lb = Service.TYPE_LOAD_BALANCER.equals(type);
        if (!spec.loadBalancerSourceRanges().isEmpty()) {
            // The API server spells this path with a capital L.
            String path = "spec.LoadBalancerSourceRanges";
            if (!lb) {
                out.add(FieldError.forbidden(path, "may only be used when `type` is 'LoadBalancer'"));
            }
            List<String> ranges = spec.loadBalancerSourceRanges();
            for (int i = 0; i < ranges.size(); i++) {
                // Space padding is tolerated for historical reasons (the annotation allowed it).
                out.addAll(IpLiterals.validCidr(path + "[" + i + "]", nz(ranges.get(i)).trim()));
            }
        } else if (annotations.containsKey(SOURCE_RANGES_ANNOTATION)) {
            String path = "metadata.annotations[" + SOURCE_RANGES_ANNOTATION + "]";
            if (!lb) {
                out.add(FieldError.forbidden(path, "may only be used when `type` is 'LoadBalancer'"));
            }
            String val = nz(annotations.get(SOURCE_RANGES_ANNOTATION)).trim();
            if (!val.isEmpty()) {
                for (String cidr : val.split(",", -1)) {
                    out.addAll(IpLiterals.validCidr(path, cidr.trim()));
                }
            }
        }
    }

    private static void externalTrafficPolicy(ServiceSpec spec, String type, List<FieldError> out) {
        String etp = nz(spec.externalTrafficPolicy());
        if (!externallyAccessible(spec)) {
            if (!etp.isEmpty()) {
                out.add(FieldError.invalid("spec.externalTrafficPolicy", etp,
                        "may only be set for externally-accessible services"));
            }
        } else if (etp.isEmpty()) {
            out.add(FieldError.required("spec.externalTrafficPolicy", ""));
        } else if (!TRAFFIC_POLICIES.contains(etp)) {
            out.add(FieldError.unsupported("spec.externalTrafficPolicy", etp, TRAFFIC_POLICIES));
        }
        int hc = spec.healthCheckNodePort() == null ? 0 : spec.healthCheckNodePort();
        boolean needsHealthCheck = Service.TYPE_LOAD_BALANCER.equals(type) && etp.equals("Local");
        if (!needsHealthCheck) {
            if (hc != 0) {
                out.add(FieldError.invalid("spec.healthCheckNodePort", hc,
                        "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
            }
        } else if (hc != 0) {
            // Zero is fine before allocation: the allocator fills it in.
            for (String msg : Formats.portNumber(hc)) {
                out.add(FieldError.invalid("spec.healthCheckNodePort", hc, msg));
            }
        }
    }

    /** The nodePort allocator's static check: a requested port must lie in the configured range. */
    private static void nodePortRange(ServiceSpec spec, String type, int base, int last, List<FieldError> out) {
        if (!type.equals(Service.TYPE_NODE_PORT) && !type.equals(Service.TYPE_LOAD_BALANCER)) {
            return;
        }
        String detail = "provided port is not in the valid range. The range of valid ports is " + base + "-" + last;
        List<ServicePort> ports = spec.ports();
        for (int i = 0; i < ports.size(); i++) {
            int np = nodePort(ports.get(i));
            if (np != 0 && (np < base || np > last)) {
                out.add(FieldError.invalid("spec.ports[" + i + "].nodePort", np, detail));
            }
        }
        int hc = spec.healthCheckNodePort() == null ? 0 : spec.healthCheckNodePort();
        if (hc != 0 && (hc < base || hc > last) && type.equals(Service.TYPE_LOAD_BALANCER)
                && "Local".equals(spec.externalTrafficPolicy())) {
            out.add(FieldError.invalid("spec.healthCheckNodePort", hc, detail));
        }
    }

    /** What the API server prints for a duplicate (protocol, port): the port struct, as JSON. */
    private static Map<String, Object> portKey(ServicePort p) {
        Map<String, Object> key = new LinkedHashMap<>();
        key.put("Name", "");
        key.put("Protocol", nz(p.protocol()));
        key.put("AppProtocol", null);
        key.put("Port", port(p));
        key.put("TargetPort", 0);
        key.put("NodePort", 0);
        return key;
    }

    private static int port(ServicePort p) {
        return p.port() == null ? 0 : p.port();
    }

    private static int nodePort(ServicePort p) {
        return p.nodePort() == null ? 0 : p.nodePort();
    }

    static String nz(String s) {
        return Objects.requireNonNullElse(s, "");
    }
}
