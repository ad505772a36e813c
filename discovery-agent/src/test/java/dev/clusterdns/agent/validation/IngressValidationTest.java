package dev.clusterdns.agent.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.clusterdns.agent.model.Ingress;
import dev.clusterdns.agent.model.IngressClass;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Ingress and IngressClass defaults and validation, with the API server's messages. */
class IngressValidationTest {

    private static List<String> ingress(String specYaml) {
        Ingress i = IngressChecks.defaults(Manifests.read("""
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: web
                spec:
                """ + specYaml.indent(2), Ingress.class));
        return IngressChecks.validate(i).stream().map(FieldError::render).toList();
    }

    private static String rule(String host, String path, String pathType, String backend) {
        return "rules:\n- " + (host == null ? "" : "host: \"" + host + "\"\n  ") + "http:\n    paths:\n    - "
                + (path == null ? "" : "path: \"" + path + "\"\n      ")
                + (pathType == null ? "" : "pathType: " + pathType + "\n      ")
                + "backend:\n" + backend.indent(8);
    }

    private static final String SVC = "service: {name: web, port: {number: 80}}";

    @Test
    void theTutorialIngressIsValidAndDefaulted() {
        Ingress i = IngressChecks.defaults(Manifests.read("""
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: nginx-ingress
                  annotations:
                    kubernetes.io/ingress.class: traefik
                spec:
                  rules:
                  - http:
                      paths:
                      - path: /
                        pathType: Prefix
                        backend:
                          service:
                            name: nginx-service
                            port:
                              number: 80
                """, Ingress.class));
        assertEquals(List.of(), IngressChecks.validate(i));
        assertEquals("default", i.namespace());
        assertEquals("traefik", i.className());
        assertEquals(80, i.spec().rules().get(0).http().paths().get(0).backend().service().port().number());
    }

    @Test
    void pathTypeIsRequiredAndMustBeKnown() {
        assertEquals(List.of("spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified"),
                ingress(rule(null, "/", null, SVC)));
        assertEquals(List.of("spec.rules[0].http.paths[0].pathType: Unsupported value: \"Regex\": supported values: "
                        + "\"Exact\", \"ImplementationSpecific\", \"Prefix\""),
                ingress(rule(null, "/", "Regex", SVC)));
    }

    @Test
    void exactAndPrefixPathsMustBeAbsoluteAndClean() {
        assertEquals(List.of("spec.rules[0].http.paths[0].path: Invalid value: \"foo\": must be an absolute path"),
                ingress(rule(null, "foo", "Prefix", SVC)));
        assertEquals(List.of("spec.rules[0].http.paths[0].path: Invalid value: \"\": must be an absolute path"),
                ingress(rule(null, null, "Exact", SVC)));
        assertEquals(List.of("spec.rules[0].http.paths[0].path: Invalid value: \"/a//b\": must not contain '//'"),
                ingress(rule(null, "/a//b", "Exact", SVC)));
        assertEquals(List.of("spec.rules[0].http.paths[0].path: Invalid value: \"/a/..\": cannot end with '/..'"),
                ingress(rule(null, "/a/..", "Prefix", SVC)));
        // ImplementationSpecific may leave the path empty.
        assertEquals(List.of(), ingress(rule(null, null, "ImplementationSpecific", SVC)));
        assertEquals(List.of("spec.rules[0].http.paths[0].path: Invalid value: \"x\": must be an absolute path"),
                ingress(rule(null, "x", "ImplementationSpecific", SVC)));
    }

    @Test
    void hostsAreSubdomainsOrOneWildcardAndNeverIps() {
        assertEquals(List.of(), ingress(rule("foo.bar.com", "/", "Prefix", SVC)));
        assertEquals(List.of(), ingress(rule("*.foo.com", "/", "Prefix", SVC)));
        assertEquals(List.of("spec.rules[0].host: Invalid value: \"10.0.0.1\": must be a DNS name, not an IP address"),
                ingress(rule("10.0.0.1", "/", "Prefix", SVC)));
        assertEquals(List.of("spec.rules[0].host: Invalid value: \"*\": a wildcard DNS-1123 subdomain must start with "
                        + "'*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric "
                        + "characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex "
                        + "used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
                ingress(rule("*", "/", "Prefix", SVC)));
        assertEquals(1, ingress(rule("foo.*.com", "/", "Prefix", SVC)).size());
        assertEquals(List.of("spec.rules[0].host: Invalid value: \"Foo.com\": a lowercase RFC 1123 subdomain must "
                        + "consist of lower case alphanumeric characters, '-' or '.', and must start and end with an "
                        + "alphanumeric character (e.g. 'example.com', regex used for validation is "
                        + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
                ingress(rule("Foo.com", "/", "Prefix", SVC)));
    }

    @Test
    void backendsNeedExactlyOneOfServiceAndResourceAndOnePort() {
        assertEquals(List.of("spec.rules[0].http.paths[0].backend: Invalid value: \"\": cannot set both resource and "
                        + "service backends"),
                ingress(rule(null, "/", "Prefix", SVC + "\nresource: {kind: StorageBucket, name: b}")));
        assertEquals(List.of("spec.rules[0].http.paths[0].backend: Invalid value: \"\": resource or service backend is "
                        + "required"),
                ingress(rule(null, "/", "Prefix", "{}")));
        assertEquals(List.of("spec.rules[0].http.paths[0].backend: Required value: port name or number is required"),
                ingress(rule(null, "/", "Prefix", "service: {name: web}")));
        assertEquals(List.of("spec.rules[0].http.paths[0].backend: Invalid value: \"\": cannot set both port name & "
                        + "port number"),
                ingress(rule(null, "/", "Prefix", "service: {name: web, port: {name: http, number: 80}}")));
        assertEquals(List.of("spec.rules[0].http.paths[0].backend.service.port.number: Invalid value: 70000: must be "
                        + "between 1 and 65535, inclusive"),
                ingress(rule(null, "/", "Prefix", "service: {name: web, port: {number: 70000}}")));
        assertEquals(List.of("spec.rules[0].http.paths[0].backend.service.port.name: Invalid value: \"HTTP\": must "
                        + "contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
                        "spec.rules[0].http.paths[0].backend.service.port.name: Invalid value: \"HTTP\": must contain at "
                        + "least one letter (a-z)"),
                ingress(rule(null, "/", "Prefix", "service: {name: web, port: {name: HTTP}}")));
        assertEquals(List.of("spec.rules[0].http.paths[0].backend.service.name: Required value"),
                ingress(rule(null, "/", "Prefix", "service: {port: {number: 80}}")));
        assertEquals(List.of(), ingress(rule(null, "/", "Prefix", "resource: {apiGroup: k8s.example.com, kind: "
                + "StorageBucket, name: static-assets}")));
        assertEquals(List.of("spec.rules[0].http.paths[0].backend.resource.kind: Required value: kind is required"),
                ingress(rule(null, "/", "Prefix", "resource: {name: b}")));
    }

    @Test
    void rulesOrDefaultBackendAndTlsHostsAndClass() {
        assertEquals(List.of("spec: Invalid value: []: either `defaultBackend` or `rules` must be specified"),
                ingress("ingressClassName: nginx"));
        assertEquals(List.of(), ingress("defaultBackend: {" + SVC + "}"));
        assertEquals(List.of("spec.rules[0].http.paths: Required value"), ingress("rules:\n- http: {paths: []}"));
        assertEquals(List.of("spec.tls[0].hosts[1]: Invalid value: \"1.2.3.4\": must be a DNS name, not an IP address",
                        "spec.tls[0].secretName: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must "
                        + "consist of lower case alphanumeric characters, '-' or '.', and must start and end with an "
                        + "alphanumeric character (e.g. 'example.com', regex used for validation is "
                        + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
                ingress("defaultBackend: {" + SVC + "}\ntls:\n- hosts: [a.example.com, 1.2.3.4]\n  secretName: Bad_Name"));
        Ingress both = IngressChecks.defaults(Manifests.read("""
                metadata: {name: web, annotations: {kubernetes.io/ingress.class: traefik}}
                spec: {ingressClassName: nginx, defaultBackend: {service: {name: web, port: {number: 80}}}}
                """, Ingress.class));
        assertEquals(List.of("annotations.kubernetes.io/ingress.class: Invalid value: \"traefik\": must match "
                + "`ingressClassName` when both are specified"),
                IngressChecks.validate(both).stream().map(FieldError::render).toList());
    }

    @Test
    void ingressClassNeedsAControllerAndScopedParameters() {
        IngressClass ok = IngressChecks.defaults(Manifests.read("""
                metadata: {name: clusterdns, namespace: ignored}
                spec:
                  controller: clusterdns.dev/ingress
                  parameters: {apiGroup: k8s.example.com, kind: IngressParameters, name: external-lb}
                """, IngressClass.class));
        assertEquals(List.of(), IngressChecks.validate(ok));
        assertEquals(null, ok.namespace());
        assertEquals("Cluster", ok.spec().parameters().scope());
        IngressClass bad = IngressChecks.defaults(Manifests.read("""
                metadata: {name: c}
                spec:
                  parameters: {kind: P, name: p, scope: Namespace}
                """, IngressClass.class));
        assertEquals(List.of("spec.controller: Required value",
                        "spec.parameters.namespace: Required value: `parameters.scope` is set to 'Namespace'"),
                IngressChecks.validate(bad).stream().map(FieldError::render).toList());
    }
}
