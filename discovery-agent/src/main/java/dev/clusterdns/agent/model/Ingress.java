package dev.clusterdns.agent.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * networking.k8s.io/v1 Ingress: HTTP routes by host and path to Services, with TLS from Secrets.
 * Field names and nesting are the API's (`IngressSpec`, `IngressRule`, `HTTPIngressPath`, ...).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Ingress(String apiVersion, String kind, ObjectMeta metadata, Spec spec, Status status)
        implements KubeObject {

    /** The legacy class annotation, still honoured by controllers (the API says they should). */
    public static final String CLASS_ANNOTATION = "kubernetes.io/ingress.class";

    public Ingress {
        apiVersion = Strings.shared(apiVersion);
        kind = Strings.shared(kind);
        if (spec == null) {
            spec = new Spec(null, null, null, null);
        }
    }

    public Ingress withMetadata(ObjectMeta m) {
        return new Ingress(apiVersion, kind, m, spec, status);
    }

    public Ingress withStatus(Status s) {
        return new Ingress(apiVersion, kind, metadata, spec, s);
    }

    /** `spec.ingressClassName`, else the legacy annotation, else null (no class). */
    @JsonIgnore
    public String className() {
        if (spec.ingressClassName() != null && !spec.ingressClassName().isEmpty()) {
            return spec.ingressClassName();
        }
        String a = metadata == null ? null : metadata.annotation(CLASS_ANNOTATION);
        return a == null || a.isEmpty() ? null : a;
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Spec(String ingressClassName, Backend defaultBackend, List<TLS> tls, List<Rule> rules) {
        public Spec {
            tls = Lists.copy(tls);
            rules = Lists.copy(rules);
        }
    }

    /** `IngressBackend`: exactly one of a Service and a typed resource reference. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Backend(ServiceBackend service, TypedLocalObjectReference resource) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ServiceBackend(String name, ServiceBackendPort port) {}

    /** A Service port by name or by number (0 = unset, as in the API). */
    @JsonInclude(JsonInclude.Include.NON_DEFAULT)
    public record ServiceBackendPort(String name, int number) {
        /** `80` or `http`, as kubectl prints it. */
        @Override
        public String toString() {
            return name != null && !name.isEmpty() ? name : String.valueOf(number);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TypedLocalObjectReference(String apiGroup, String kind, String name) {}

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record TLS(List<String> hosts, String secretName) {
        public TLS {
            hosts = Lists.copy(hosts);
        }
    }

    /** `IngressRule`: an optional host and its HTTP paths (a rule without `http` matches nothing). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Rule(String host, HttpRuleValue http) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record HttpRuleValue(List<HttpPath> paths) {
        public HttpRuleValue {
            paths = Lists.copy(paths);
        }
    }

    /** `HTTPIngressPath`. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record HttpPath(String path, String pathType, Backend backend) {
        public static final String EXACT = "Exact";
        public static final String PREFIX = "Prefix";
        public static final String IMPLEMENTATION_SPECIFIC = "ImplementationSpecific";
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Status(LoadBalancer loadBalancer) {}

    /** `IngressLoadBalancerStatus`. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record LoadBalancer(List<LoadBalancerIngress> ingress) {
        public LoadBalancer {
            ingress = Lists.copy(ingress);
        }
    }

    /** `IngressLoadBalancerIngress`: an IP or host name, with per-port status. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record LoadBalancerIngress(String ip, String hostname, List<PortStatus> ports) {
        public LoadBalancerIngress {
            ports = Lists.copy(ports);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PortStatus(int port, String protocol, String error) {}
}
