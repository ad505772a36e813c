package dev.clusterdns.agent.validation;

import dev.clusterdns.agent.model.ConfigMap;
import dev.clusterdns.agent.model.EndpointPort;
import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Endpoints;
import dev.clusterdns.agent.model.Namespace;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.Secret;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.Workload;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The API server's create-time validation, object by object, with its field paths and messages.
 * Call on a defaulted object ({@link Defaults}); an empty list means valid. Render the result with
 * {@link FieldError#kubectlMessage}. Allocation state (an IP or port already in use, a full range)
 * is not checked here.
 */
public final class Validation {
    private Validation() {}

    public static final int DEFAULT_NODE_PORT_BASE = 30000;
    public static final int DEFAULT_NODE_PORT_LAST = 32767;

    /** A Service against the default nodePort range 30000-32767. */
    public static List<FieldError> service(Service s) {
        return service(s, DEFAULT_NODE_PORT_BASE, DEFAULT_NODE_PORT_LAST);
    }

    /** A Service; requested nodePorts must lie in {@code [nodePortBase, nodePortLast]}. */
    public static List<FieldError> service(Service s, int nodePortBase, int nodePortLast) {
        return ServiceChecks.validate(s, nodePortBase, nodePortLast);
    }

    /**
     * A changed Service (a manifest edited while serving): the create rules plus the update rule
     * that a set clusterIP may not change. Only explicitly requested IPs are compared; a manifest
     * that leaves clusterIP out keeps its allocation (the allocator's business).
     */
    public static List<FieldError> serviceUpdate(Service old, Service updated, int nodePortBase, int nodePortLast) {
        List<FieldError> out = new ArrayList<>();
        List<String> before = old.spec().clusterIPs();
        List<String> after = updated.spec().clusterIPs();
        boolean externalName = old.isExternalName() || updated.isExternalName();
        boolean bothHeadless = ServiceChecks.isHeadless(old.spec()) && ServiceChecks.isHeadless(updated.spec());
        if (!externalName && !bothHeadless && !before.isEmpty() && !after.isEmpty()) {
            if (before.size() == after.size()) {
                for (int i = 0; i < before.size(); i++) {
                    if (!before.get(i).equals(after.get(i))) {
                        out.add(FieldError.invalid("spec.clusterIPs[" + i + "]", after, "may not change once set"));
                    }
                }
            } else if (!before.get(0).equals(after.get(0))) {
                out.add(FieldError.invalid("spec.clusterIPs[0]", after, "may not change once set"));
            }
        }
        out.addAll(service(updated, nodePortBase, nodePortLast));
        return out;
    }

    public static List<FieldError> pod(Pod p) {
        List<FieldError> out = new ArrayList<>();
        MetaChecks.objectMeta(p.metadata(), Formats::dns1123Subdomain, true, out);
        PodChecks.spec(p.spec(), "spec", out);
        PodChecks.status(p.status(), out);
        return out;
    }

    /** A Namespace; a `metadata.namespace` on it is dropped first, as the API server does. */
    public static List<FieldError> namespace(Namespace n) {
        List<FieldError> out = new ArrayList<>();
        MetaChecks.objectMeta(Defaults.namespace(n).metadata(), Formats::dns1123Label, false, out);
        return out;
    }

    /**
     * An EndpointSlice. Beyond the API server's rules it needs the `kubernetes.io/service-name`
     * label: without it nothing can attach the slice to a Service, so it would be dead weight.
     */
    public static List<FieldError> endpointSlice(EndpointSlice s) {
        List<FieldError> out = new ArrayList<>();
        MetaChecks.objectMeta(s.metadata(), Formats::dns1123Subdomain, true, out);
        String type = ServiceChecks.nz(s.addressType());
        List<String> types = List.of("FQDN", "IPv4", "IPv6");
        if (type.isEmpty()) {
            out.add(FieldError.required("addressType", ""));
        } else if (!types.contains(type)) {
            out.add(FieldError.unsupported("addressType", type, types));
        }
        if (s.endpoints().size() > 1000) {
            out.add(FieldError.tooMany("endpoints", s.endpoints().size(), 1000));
        }
        for (int i = 0; i < s.endpoints().size() && i < 1000; i++) {
            EndpointSlice.Endpoint ep = s.endpoints().get(i);
            String path = "endpoints[" + i + "]";
            if (ep.addresses().isEmpty()) {
                out.add(FieldError.required(path + ".addresses", "must contain at least 1 address"));
            } else if (ep.addresses().size() > 100) {
                out.add(FieldError.tooMany(path + ".addresses", ep.addresses().size(), 100));
            }
            for (int j = 0; j < ep.addresses().size(); j++) {
                String a = ServiceChecks.nz(ep.addresses().get(j));
                String ap = path + ".addresses[" + j + "]";
                switch (type) {
                    case "IPv4" -> {
                        IpLiterals.Parsed parsed = IpLiterals.parse(a);
                        if (parsed == null || !parsed.isIpv4()) {
                            out.add(FieldError.invalid(ap, a, "must be a valid IPv4 address"));
                        }
                        out.addAll(IpLiterals.nonSpecial(ap, a));
                    }
                    case "IPv6" -> {
                        IpLiterals.Parsed parsed = IpLiterals.parse(a);
                        if (parsed == null || parsed.isIpv4()) {
                            out.add(FieldError.invalid(ap, a, "must be a valid IPv6 address"));
                        }
                        out.addAll(IpLiterals.nonSpecial(ap, a));
                    }
                    case "FQDN" -> out.addAll(fqdn(ap, a));
                    default -> { }
                }
            }
            if (ep.nodeName() != null) {
                for (String msg : Formats.dns1123Subdomain(ep.nodeName())) {
                    out.add(FieldError.invalid(path + ".nodeName", ep.nodeName(), msg));
                }
            }
            if (ep.hostname() != null) {
                for (String msg : Formats.dns1123Label(ep.hostname())) {
                    out.add(FieldError.invalid(path + ".hostname", ep.hostname(), msg));
                }
            }
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < s.ports().size(); i++) {
            EndpointPort p = s.ports().get(i);
            String path = "ports[" + i + "]";
            String name = ServiceChecks.nz(p.name());
            if (!name.isEmpty()) {
                for (String msg : Formats.dns1123Label(name)) {
                    out.add(FieldError.invalid(path + ".name", name, msg));
                }
            }
            if (!names.add(name)) {
                out.add(FieldError.duplicate(path + ".name", name));
            }
            protocol(p.protocol(), path + ".protocol", out);
            // The API server leaves port numbers alone here; an out-of-range port is useless to
            // DNS SRV records and the proxy alike, so it is rejected.
            if (p.port() != null) {
                for (String msg : Formats.portNumber(p.port())) {
                    out.add(FieldError.invalid(path + ".port", p.port(), msg));
                }
            }
            appProtocol(p.appProtocol(), path + ".appProtocol", out);
        }
        if (s.metadata() != null && ServiceChecks.nz(s.metadata().label(EndpointSlice.SERVICE_NAME_LABEL)).isEmpty()) {
            out.add(FieldError.required("metadata.labels[" + EndpointSlice.SERVICE_NAME_LABEL + "]",
                    "names the Service this slice belongs to"));
        }
        return out;
    }

    public static List<FieldError> endpoints(Endpoints e) {
        List<FieldError> out = new ArrayList<>();
        MetaChecks.objectMeta(e.metadata(), Formats::dns1123Subdomain, true, out);
        for (int i = 0; i < e.subsets().size(); i++) {
            Endpoints.Subset ss = e.subsets().get(i);
            String path = "subsets[" + i + "]";
            if (ss.addresses().isEmpty() && ss.notReadyAddresses().isEmpty()) {
                out.add(FieldError.required(path, "must specify `addresses` or `notReadyAddresses`"));
            }
            for (int j = 0; j < ss.addresses().size(); j++) {
                address(ss.addresses().get(j), path + ".addresses[" + j + "]", out);
            }
            for (int j = 0; j < ss.notReadyAddresses().size(); j++) {
                address(ss.notReadyAddresses().get(j), path + ".notReadyAddresses[" + j + "]", out);
            }
            for (int j = 0; j < ss.ports().size(); j++) {
                EndpointPort p = ss.ports().get(j);
                String pp = path + ".ports[" + j + "]";
                String name = ServiceChecks.nz(p.name());
                if (ss.ports().size() > 1 && name.isEmpty()) {
                    out.add(FieldError.required(pp + ".name", ""));
                } else if (!name.isEmpty()) {
                    for (String msg : Formats.dns1123Label(name)) {
                        out.add(FieldError.invalid(pp + ".name", name, msg));
                    }
                }
                int port = p.port() == null ? 0 : p.port();
                for (String msg : Formats.portNumber(port)) {
                    out.add(FieldError.invalid(pp + ".port", port, msg));
                }
                protocol(p.protocol(), pp + ".protocol", out);
                appProtocol(p.appProtocol(), pp + ".appProtocol", out);
            }
        }
        return out;
    }

    public static List<FieldError> configMap(ConfigMap c) {
        List<FieldError> out = new ArrayList<>();
        MetaChecks.objectMeta(c.metadata(), Formats::dns1123Subdomain, true, out);
        long total = 0;
        for (Map.Entry<String, String> e : c.data().entrySet()) {
            String path = "data[" + e.getKey() + "]";
            for (String msg : Formats.configMapKey(e.getKey())) {
                out.add(FieldError.invalid(path, e.getKey(), msg));
            }
            if (c.binaryData().containsKey(e.getKey())) {
                out.add(FieldError.invalid(path, e.getKey(), "duplicate of key present in binaryData"));
            }
            total += e.getValue() == null ? 0 : e.getValue().length();
        }
        for (Map.Entry<String, String> e : c.binaryData().entrySet()) {
            String path = "binaryData[" + e.getKey() + "]";
            for (String msg : Formats.configMapKey(e.getKey())) {
                out.add(FieldError.invalid(path, e.getKey(), msg));
            }
            if (c.data().containsKey(e.getKey())) {
                out.add(FieldError.invalid(path, e.getKey(), "duplicate of key present in data"));
            }
            total += e.getValue() == null ? 0 : e.getValue().length() * 3L / 4;
        }
        if (total > MAX_DATA_BYTES) {
            out.add(FieldError.tooLong("", MAX_DATA_BYTES));
        }
        return out;
    }

    private static final int MAX_DATA_BYTES = 1024 * 1024;

    /** A Secret; `stringData` counts as `data`, as the API server merges it before validating. */
    public static List<FieldError> secret(Secret s) {
        List<FieldError> out = new ArrayList<>();
        MetaChecks.objectMeta(s.metadata(), Formats::dns1123Subdomain, true, out);
        Set<String> keys = new java.util.LinkedHashSet<>(s.data().keySet());
        keys.addAll(s.stringData().keySet());
        for (String key : keys) {
            for (String msg : Formats.configMapKey(key)) {
                out.add(FieldError.invalid("data[" + key + "]", key, msg));
            }
        }
        for (Map.Entry<String, String> e : s.data().entrySet()) {
            try {
                // Line breaks are fine (YAML folds long values); anything else outside base64 is not.
                Base64.getDecoder().decode(ServiceChecks.nz(e.getValue()).replaceAll("\\s", ""));
            } catch (IllegalArgumentException ex) {
                // The API server fails earlier, while decoding the request; same field, plainer words.
                out.add(FieldError.invalid("data[" + e.getKey() + "]", "<value>", "must be base64-encoded"));
            }
        }
        return out;
    }

    /**
     * A Deployment, ReplicaSet or StatefulSet: name, selector, and the pod template it would stamp out
     * (defaulted here if the caller has not).
     */
    public static List<FieldError> workload(Workload raw) {
        // The template is checked as the pods it stamps out would be, so it gets their defaults
        // even when the caller passes the workload as written.
        Workload w = Defaults.workload(raw);
        List<FieldError> out = new ArrayList<>();
        MetaChecks.objectMeta(w.metadata(), Formats::dns1123Subdomain, true, out);
        Workload.Spec spec = w.spec();
        if (spec == null || spec.selector() == null) {
            out.add(FieldError.required("spec.selector", ""));
        } else if (spec.selector().matchLabels().isEmpty() && spec.selector().matchExpressions().isEmpty()) {
            out.add(FieldError.invalid("spec.selector", Map.of(), "empty selector is invalid for " + (w.kind() == null ? "deployment" : w.kind().toLowerCase(java.util.Locale.ROOT))));
        } else {
            MetaChecks.labels(spec.selector().matchLabels(), "spec.selector.matchLabels", out);
            Map<String, String> templateLabels = spec.template() == null || spec.template().metadata() == null
                    ? Map.of() : spec.template().metadata().labels();
            if (!LabelMatch.matches(spec.selector(), templateLabels)) {
                out.add(FieldError.invalid("spec.template.metadata.labels", templateLabels,
                        "`selector` does not match template `labels`"));
            }
        }
        if (spec != null && spec.podManagementPolicy() != null && Workload.STATEFUL_SET.equals(w.kind())
                && !List.of("OrderedReady", "Parallel").contains(spec.podManagementPolicy())) {
            out.add(FieldError.unsupported("spec.podManagementPolicy", spec.podManagementPolicy(),
                    List.of("OrderedReady", "Parallel")));
        }
        if (spec != null && spec.serviceName() != null && !spec.serviceName().isEmpty()) {
            for (String msg : Formats.dns1123Label(spec.serviceName())) {
                out.add(FieldError.invalid("spec.serviceName", spec.serviceName(), msg));
            }
        }
        if (spec != null && spec.replicas() != null && spec.replicas() < 0) {
            out.add(FieldError.invalid("spec.replicas", spec.replicas(), "must be greater than or equal to 0"));
        }
        if (spec == null || spec.template() == null || spec.template().spec() == null) {
            out.add(FieldError.required("spec.template", ""));
        } else {
            PodChecks.spec(spec.template().spec(), "spec.template.spec", out);
            String restart = spec.template().spec().restartPolicy();
            if (restart != null && !restart.equals("Always")) {
                out.add(FieldError.unsupported("spec.template.spec.restartPolicy", restart, List.of("Always")));
            }
        }
        return out;
    }

    private static void address(Endpoints.Address a, String path, List<FieldError> out) {
        String ip = ServiceChecks.nz(a.ip());
        if (IpLiterals.parse(ip) == null) {
            out.add(FieldError.invalid(path + ".ip", ip, IpLiterals.INVALID_IP));
        }
        if (a.hostname() != null && !a.hostname().isEmpty()) {
            for (String msg : Formats.dns1123Label(a.hostname())) {
                out.add(FieldError.invalid(path + ".hostname", a.hostname(), msg));
            }
        }
        if (a.nodeName() != null && !a.nodeName().isEmpty()) {
            for (String msg : Formats.dns1123Subdomain(a.nodeName())) {
                out.add(FieldError.invalid(path + ".nodeName", a.nodeName(), msg));
            }
        }
        out.addAll(IpLiterals.nonSpecial(path + ".ip", ip));
    }

    private static void protocol(String protocol, String path, List<FieldError> out) {
        String p = ServiceChecks.nz(protocol);
        if (p.isEmpty()) {
            out.add(FieldError.required(path, ""));
        } else if (!ServiceChecks.PROTOCOLS.contains(p)) {
            out.add(FieldError.unsupported(path, p, ServiceChecks.PROTOCOLS));
        }
    }

    private static void appProtocol(String appProtocol, String path, List<FieldError> out) {
        if (appProtocol != null) {
            for (String msg : Formats.qualifiedName(appProtocol)) {
                out.add(FieldError.invalid(path, appProtocol, msg));
            }
        }
    }

    /** `IsFullyQualifiedDomainName`. */
    private static List<FieldError> fqdn(String path, String name) {
        if (name.isEmpty()) {
            return List.of(FieldError.required(path, ""));
        }
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        List<String> errs = Formats.dns1123Subdomain(n);
        if (!errs.isEmpty()) {
            return List.of(FieldError.invalid(path, n, String.join(",", errs)));
        }
        String[] labels = n.split("\\.", -1);
        if (labels.length < 2) {
            return List.of(FieldError.invalid(path, n, "should be a domain with at least two segments separated by dots"));
        }
        for (String label : labels) {
            List<String> le = Formats.dns1123Label(label);
            if (!le.isEmpty()) {
                return List.of(FieldError.invalid(path, label, String.join(",", le)));
            }
        }
        return List.of();
    }
}
