package dev.clusterdns.agent.validation;

import dev.clusterdns.agent.model.Ingress;
import dev.clusterdns.agent.model.IngressClass;
import dev.clusterdns.agent.model.ObjectMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Defaults and validation of networking.k8s.io/v1 Ingress and IngressClass, with the API server's
 * field paths and messages (`pkg/apis/networking/validation`).
 */
public final class IngressChecks {
    private IngressChecks() {}

    private static final String WILDCARD_FMT = "\\*\\." + Formats.DNS1123_SUBDOMAIN_FMT;
    private static final Pattern WILDCARD = Pattern.compile(WILDCARD_FMT);
    private static final String WILDCARD_MSG = "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid "
            + "DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an "
            + "alphanumeric character";
    private static final List<String> INVALID_PATH_SEQUENCES = List.of("//", "/./", "/../", "%2f", "%2F");
    private static final List<String> INVALID_PATH_SUFFIXES = List.of("/..", "/.");
    private static final List<String> PATH_TYPES = List.of(Ingress.HttpPath.EXACT,
            Ingress.HttpPath.IMPLEMENTATION_SPECIFIC, Ingress.HttpPath.PREFIX);
    private static final int MAX_CONTROLLER_LENGTH = 250;

    /** apiVersion, kind and the default namespace, as the API server fills them in. */
    public static Ingress defaults(Ingress in) {
        ObjectMeta m = in.metadata() == null ? ObjectMeta.of(null, null) : in.metadata();
        if (m.namespace() == null || m.namespace().isEmpty()) {
            m = m.withNamespace(Defaults.DEFAULT_NAMESPACE);
        }
        return new Ingress(or(in.apiVersion(), "networking.k8s.io/v1"), or(in.kind(), "Ingress"), m, in.spec(),
                in.status());
    }

    /** IngressClass is cluster-scoped: a namespace given on one is dropped. */
    public static IngressClass defaults(IngressClass in) {
        ObjectMeta m = in.metadata() == null ? ObjectMeta.of(null, null) : in.metadata();
        IngressClass.Spec spec = in.spec();
        IngressClass.Parameters p = spec.parameters();
        if (p != null && (p.scope() == null || p.scope().isEmpty())) {
            p = new IngressClass.Parameters(p.apiGroup(), p.kind(), p.name(), "Cluster", p.namespace());
            spec = new IngressClass.Spec(spec.controller(), p);
        }
        return new IngressClass(or(in.apiVersion(), "networking.k8s.io/v1"), or(in.kind(), "IngressClass"),
                m.withNamespace(null), spec);
    }

    public static List<FieldError> validate(Ingress ing) {
        List<FieldError> out = new ArrayList<>();
        MetaChecks.objectMeta(ing.metadata(), Formats::dns1123Subdomain, true, out);
        Ingress.Spec spec = ing.spec();
        if (spec.rules().isEmpty() && spec.defaultBackend() == null) {
            out.add(FieldError.invalid("spec", spec.rules(), "either `defaultBackend` or `rules` must be specified"));
        }
        if (spec.defaultBackend() != null) {
            backend(spec.defaultBackend(), "spec.defaultBackend", out);
        }
        for (int i = 0; i < spec.rules().size(); i++) {
            rule(spec.rules().get(i), "spec.rules[" + i + "]", out);
        }
        for (int i = 0; i < spec.tls().size(); i++) {
            Ingress.TLS tls = spec.tls().get(i);
            for (int j = 0; j < tls.hosts().size(); j++) {
                String host = tls.hosts().get(j);
                for (String msg : hostName(host)) {
                    out.add(FieldError.invalid("spec.tls[" + i + "].hosts[" + j + "]", host, msg));
                }
            }
            if (tls.secretName() != null && !tls.secretName().isEmpty()) {
                for (String msg : Formats.dns1123Subdomain(tls.secretName())) {
                    out.add(FieldError.invalid("spec.tls[" + i + "].secretName", tls.secretName(), msg));
                }
            }
        }
        String className = spec.ingressClassName();
        if (className != null) {
            for (String msg : Formats.dns1123Subdomain(className)) {
                out.add(FieldError.invalid("spec.ingressClassName", className, msg));
            }
            String annotation = ing.metadata() == null ? null : ing.metadata().annotation(Ingress.CLASS_ANNOTATION);
            if (annotation != null && !annotation.equals(className)) {
                out.add(FieldError.invalid("annotations." + Ingress.CLASS_ANNOTATION, annotation,
                        "must match `ingressClassName` when both are specified"));
            }
        }
        return out;
    }

    public static List<FieldError> validate(IngressClass c) {
        List<FieldError> out = new ArrayList<>();
        MetaChecks.objectMeta(c.metadata(), Formats::dns1123Subdomain, false, out);
        String controller = c.spec().controller();
        if (controller == null || controller.isEmpty()) {
            out.add(FieldError.required("spec.controller", ""));
        } else {
            if (Formats.byteLength(controller) > MAX_CONTROLLER_LENGTH) {
                out.add(FieldError.tooLong("spec.controller", MAX_CONTROLLER_LENGTH));
            }
            domainPrefixedPath(controller, "spec.controller", out);
        }
        IngressClass.Parameters p = c.spec().parameters();
        if (p != null) {
            String path = "spec.parameters";
            typedReference(p.apiGroup(), p.kind(), p.name(), path, out);
            String scope = p.scope();
            if ("Cluster".equals(scope)) {
                if (p.namespace() != null && !p.namespace().isEmpty()) {
                    out.add(FieldError.forbidden(path + ".namespace", "`parameters.scope` is set to 'Cluster'"));
                }
            } else if ("Namespace".equals(scope)) {
                if (p.namespace() == null || p.namespace().isEmpty()) {
                    out.add(FieldError.required(path + ".namespace", "`parameters.scope` is set to 'Namespace'"));
                } else {
                    for (String msg : Formats.dns1123Label(p.namespace())) {
                        out.add(FieldError.invalid(path + ".namespace", p.namespace(), msg));
                    }
                }
            } else {
                out.add(FieldError.unsupported(path + ".scope", scope, List.of("Cluster", "Namespace")));
            }
        }
        return out;
    }

    /** IsDNS1123Subdomain, or IsWildcardDNS1123Subdomain when the host has a `*`; never an IP. */
    static List<String> hostName(String host) {
        if (IpLiterals.family(host) != null) {
            return List.of("must be a DNS name, not an IP address");
        }
        if (!host.contains("*")) {
            return Formats.dns1123Subdomain(host);
        }
        List<String> errs = new ArrayList<>();
        if (Formats.byteLength(host) > 253) {
            errs.add(Formats.maxLenError(253));
        }
        if (!WILDCARD.matcher(host).matches()) {
            errs.add(Formats.regexError(WILDCARD_MSG, WILDCARD_FMT, "*.example.com"));
        }
        return errs;
    }

    private static void rule(Ingress.Rule rule, String path, List<FieldError> out) {
        String host = rule.host();
        if (host != null && !host.isEmpty()) {
            for (String msg : hostName(host)) {
                out.add(FieldError.invalid(path + ".host", host, msg));
            }
        }
        if (rule.http() == null) {
            return;
        }
        List<Ingress.HttpPath> paths = rule.http().paths();
        if (paths.isEmpty()) {
            out.add(FieldError.required(path + ".http.paths", ""));
        }
        for (int j = 0; j < paths.size(); j++) {
            httpPath(paths.get(j), path + ".http.paths[" + j + "]", out);
        }
    }

    private static void httpPath(Ingress.HttpPath p, String path, List<FieldError> out) {
        String value = p.path() == null ? "" : p.path();
        String type = p.pathType();
        if (type == null) {
            out.add(FieldError.required(path + ".pathType", "pathType must be specified"));
        } else if (type.equals(Ingress.HttpPath.EXACT) || type.equals(Ingress.HttpPath.PREFIX)) {
            if (!value.startsWith("/")) {
                out.add(FieldError.invalid(path + ".path", value, "must be an absolute path"));
            }
            if (!value.isEmpty()) {
                for (String seq : INVALID_PATH_SEQUENCES) {
                    if (value.contains(seq)) {
                        out.add(FieldError.invalid(path + ".path", value, "must not contain '" + seq + "'"));
                    }
                }
                for (String suffix : INVALID_PATH_SUFFIXES) {
                    if (value.endsWith(suffix)) {
                        out.add(FieldError.invalid(path + ".path", value, "cannot end with '" + suffix + "'"));
                    }
                }
            }
        } else if (type.equals(Ingress.HttpPath.IMPLEMENTATION_SPECIFIC)) {
            if (!value.isEmpty() && !value.startsWith("/")) {
                out.add(FieldError.invalid(path + ".path", value, "must be an absolute path"));
            }
        } else {
            out.add(FieldError.unsupported(path + ".pathType", type, PATH_TYPES));
        }
        if (p.backend() == null) {
            out.add(FieldError.invalid(path + ".backend", "", "resource or service backend is required"));
        } else {
            backend(p.backend(), path + ".backend", out);
        }
    }

    private static void backend(Ingress.Backend b, String path, List<FieldError> out) {
        boolean hasService = b.service() != null;
        boolean hasResource = b.resource() != null;
        if (hasService && hasResource) {
            out.add(FieldError.invalid(path, "", "cannot set both resource and service backends"));
        } else if (hasResource) {
            Ingress.TypedLocalObjectReference r = b.resource();
            typedReference(r.apiGroup(), r.kind(), r.name(), path + ".resource", out);
        } else if (hasService) {
            Ingress.ServiceBackend s = b.service();
            if (s.name() == null || s.name().isEmpty()) {
                out.add(FieldError.required(path + ".service.name", ""));
            } else {
                for (String msg : Formats.dns1035Label(s.name())) {
                    out.add(FieldError.invalid(path + ".service.name", s.name(), msg));
                }
            }
            String portName = s.port() == null ? null : s.port().name();
            int portNumber = s.port() == null ? 0 : s.port().number();
            boolean hasName = portName != null && !portName.isEmpty();
            boolean hasNumber = portNumber != 0;
            if (hasName && hasNumber) {
                out.add(FieldError.invalid(path, "", "cannot set both port name & port number"));
            } else if (hasName) {
                for (String msg : Formats.portName(portName)) {
                    out.add(FieldError.invalid(path + ".service.port.name", portName, msg));
                }
            } else if (hasNumber) {
                for (String msg : Formats.portNumber(portNumber)) {
                    out.add(FieldError.invalid(path + ".service.port.number", portNumber, msg));
                }
            } else {
                out.add(FieldError.required(path, "port name or number is required"));
            }
        } else {
            out.add(FieldError.invalid(path, "", "resource or service backend is required"));
        }
    }

    private static void typedReference(String apiGroup, String kind, String name, String path, List<FieldError> out) {
        if (apiGroup != null && !apiGroup.isEmpty()) {
            for (String msg : Formats.dns1123Subdomain(apiGroup)) {
                out.add(FieldError.invalid(path + ".apiGroup", apiGroup, msg));
            }
        }
        if (kind == null || kind.isEmpty()) {
            out.add(FieldError.required(path + ".kind", "kind is required"));
        } else {
            for (String msg : pathSegmentName(kind)) {
                out.add(FieldError.invalid(path + ".kind", kind, msg));
            }
        }
        if (name == null || name.isEmpty()) {
            out.add(FieldError.required(path + ".name", "name is required"));
        } else {
            for (String msg : pathSegmentName(name)) {
                out.add(FieldError.invalid(path + ".name", name, msg));
            }
        }
    }

    /** apimachinery's IsValidPathSegmentName. */
    private static List<String> pathSegmentName(String v) {
        if (v.equals(".") || v.equals("..")) {
            return List.of("may not be '" + v + "'");
        }
        List<String> errs = new ArrayList<>();
        if (v.contains("/")) {
            errs.add("may not contain '/'");
        }
        if (v.contains("%")) {
            errs.add("may not contain '%'");
        }
        return errs;
    }

    /** IsDomainPrefixedPath: `example.com/path`, the domain a DNS-1123 subdomain. */
    private static void domainPrefixedPath(String v, String path, List<FieldError> out) {
        int slash = v.indexOf('/');
        if (slash < 0) {
            out.add(FieldError.invalid(path, v, "must be a domain-prefixed path (such as \"acme.io/foo\")"));
            return;
        }
        String host = v.substring(0, slash);
        for (String msg : Formats.dns1123Subdomain(host)) {
            out.add(FieldError.invalid(path, host, msg));
        }
    }

    private static String or(String s, String fallback) {
        return s == null || s.isEmpty() ? fallback : s;
    }
}
