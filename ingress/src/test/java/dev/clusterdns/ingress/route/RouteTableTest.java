package dev.clusterdns.ingress.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Matching and precedence as the Ingress API documents them, and merging as ingress-nginx does. */
class RouteTableTest {

    private static String routed(RouteTable t, String host, String path) {
        Upstream u = t.route(host, path);
        return u == null ? "404" : u.service();
    }

    /**
     * The examples table of the Ingress documentation ("Examples" under "Path types"): each row is
     * the rules' paths (type and path), a request path, and the rule that must serve it (or 404).
     */
    @ParameterizedTest(name = "{0} / request {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            Prefix:/                              | /anything/at/all | Prefix:/
            Exact:/foo                            | /foo             | Exact:/foo
            Exact:/foo                            | /bar             | 404
            Exact:/foo                            | /foo/            | 404
            Exact:/foo/                           | /foo             | 404
            Prefix:/foo                           | /foo             | Prefix:/foo
            Prefix:/foo                           | /foo/            | Prefix:/foo
            Prefix:/foo/                          | /foo             | Prefix:/foo/
            Prefix:/foo/                          | /foo/            | Prefix:/foo/
            Prefix:/aaa/bb                        | /aaa/bbb         | 404
            Prefix:/aaa/bbb                       | /aaa/bbb         | Prefix:/aaa/bbb
            Prefix:/aaa/bbb/                      | /aaa/bbb         | Prefix:/aaa/bbb/
            Prefix:/aaa/bbb                       | /aaa/bbb/        | Prefix:/aaa/bbb
            Prefix:/aaa/bbb                       | /aaa/bbb/ccc     | Prefix:/aaa/bbb
            Prefix:/aaa/bbb                       | /aaa/bbbxyz      | 404
            Prefix:/ Prefix:/aaa                  | /aaa/ccc         | Prefix:/aaa
            Prefix:/ Prefix:/aaa Prefix:/aaa/bbb  | /aaa/bbb         | Prefix:/aaa/bbb
            Prefix:/ Prefix:/aaa Prefix:/aaa/bbb  | /ccc             | Prefix:/
            Prefix:/aaa                           | /ccc             | 404
            Prefix:/foo Exact:/foo                | /foo             | Exact:/foo
            Exact:/foo Prefix:/foo                | /foo             | Exact:/foo
            Prefix:/foo Prefix:/foo/              | /foo/x           | Prefix:/foo/
            Exact:/foo                            | /FOO             | 404
            Prefix:/foo                           | /FOO             | 404
            ImplementationSpecific:/foo           | /foo/bar         | ImplementationSpecific:/foo
            ImplementationSpecific:/foo           | /foobar          | 404
            """)
    void documentedPathExamples(String rules, String request, String expected) {
        String[] list = rules.trim().split(" +");
        String[] paths = new String[list.length];
        for (int i = 0; i < list.length; i++) {
            String[] tp = list[i].split(":");
            // The Service name records which rule served the request.
            paths[i] = tp[1] + ":" + tp[0] + ":" + svcName(list[i]);
        }
        RouteTable t = RouteTable.build(Fixtures.snapshot(Fixtures.ingress("web", "2026-01-01T00:00:00Z", null, paths)),
                Set.of());
        String got = routed(t, "example.com", request);
        assertEquals(expected.equals("404") ? "404" : svcName(expected), got);
    }

    private static String svcName(String rule) {
        String n = rule.toLowerCase().replace("implementationspecific", "is").replace(":", "-")
                .replaceAll("[^a-z0-9-]", "x");
        return "s" + n + "e";
    }

    @Test
    void hostsMatchExactlyOrByOneWildcardLabelIgnoringPortAndCase() {
        RouteTable t = RouteTable.build(Fixtures.snapshot(
                Fixtures.ingress("a", "2026-01-01T00:00:00Z", "foo.bar.com", "/:Prefix:foo")
                        + Fixtures.ingress("b", "2026-01-01T00:00:00Z", "*.foo.com", "/:Prefix:wild")), Set.of());
        assertEquals("foo", routed(t, "foo.bar.com", "/"));
        assertEquals("foo", routed(t, "FOO.bar.com:8080", "/x"));
        assertEquals("foo", routed(t, "foo.bar.com.", "/x"));
        assertEquals("404", routed(t, "subdomain.bar.com", "/"));
        assertEquals("wild", routed(t, "bar.foo.com", "/"));
        assertEquals("404", routed(t, "baz.bar.foo.com", "/"));
        assertEquals("404", routed(t, "foo.com", "/"));
        assertEquals("404", routed(t, null, "/"));
    }

    @Test
    void exactHostBeatsWildcardBeatsHostlessAndOnlyTheFirstGroupIsSearched() {
        RouteTable t = RouteTable.build(Fixtures.snapshot(
                Fixtures.ingress("a", "2026-01-01T00:00:00Z", "a.example.com", "/api:Prefix:exact")
                        + Fixtures.ingress("b", "2026-01-01T00:00:00Z", "*.example.com", "/:Prefix:wild")
                        + Fixtures.ingress("c", "2026-01-01T00:00:00Z", null, "/:Prefix:any")), Set.of());
        assertEquals("exact", routed(t, "a.example.com", "/api/v1"));
        assertEquals("404", routed(t, "a.example.com", "/other"));
        assertEquals("wild", routed(t, "b.example.com", "/other"));
        assertEquals("any", routed(t, "elsewhere.test", "/other"));
        assertEquals("any", routed(t, "10.0.0.1:8080", "/"));
    }

    @Test
    void rulesOfSeveralIngressesForOneHostMergeAndTheOldestWinsAConflict() {
        RouteTable t = RouteTable.build(Fixtures.snapshot(
                Fixtures.ingress("young", "2026-03-01T00:00:00Z", "shop.test", "/cart:Prefix:young", "/a:Prefix:onlyyoung")
                        + Fixtures.ingress("old", "2026-01-01T00:00:00Z", "shop.test", "/cart:Prefix:old", "/:Prefix:root")),
                Set.of());
        assertEquals("old", routed(t, "shop.test", "/cart/1"));
        assertEquals("onlyyoung", routed(t, "shop.test", "/a"));
        assertEquals("root", routed(t, "shop.test", "/b"));
        assertEquals(1, t.conflicts().size(), t.conflicts().toString());
        assertTrue(t.conflicts().get(0).contains("default/young"), t.conflicts().toString());
        assertEquals(List.of("old", "young"), t.served().stream().map(i -> i.name()).toList());
    }

    @Test
    void defaultBackendServesWhatNoRuleMatches() {
        String yaml = """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: fallback, creationTimestamp: "2026-01-01T00:00:00Z"}
                spec:
                  defaultBackend: {service: {name: dflt, port: {number: 80}}}
                  rules:
                  - host: shop.test
                    http:
                      paths:
                      - {path: /cart, pathType: Prefix, backend: {service: {name: cart, port: {number: 80}}}}
                ---
                """ + Fixtures.ingress("other", "2026-02-01T00:00:00Z", "blog.test", "/posts:Exact:posts");
        RouteTable t = RouteTable.build(Fixtures.snapshot(yaml), Set.of());
        assertEquals("cart", routed(t, "shop.test", "/cart"));
        assertEquals("dflt", routed(t, "shop.test", "/other"));
        assertEquals("dflt", routed(t, "unknown.test", "/"));
        assertEquals("posts", routed(t, "blog.test", "/posts"));
        // The blog Ingress has no defaultBackend of its own: the oldest one serves.
        assertEquals("dflt", routed(t, "blog.test", "/other"));
    }

    @Test
    void ingressClassFilterServesNamedClassesAndClasslessIngresses() {
        String yaml = """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: traefik, annotations: {kubernetes.io/ingress.class: traefik}}
                spec: {rules: [{host: t.test, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: t, port: {number: 80}}}}]}}]}
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: nginx}
                spec: {ingressClassName: nginx, rules: [{host: n.test, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: n, port: {number: 80}}}}]}}]}
                ---
                """ + Fixtures.ingress("none", "", "x.test", "/:Prefix:x");
        var snapshot = Fixtures.snapshot(yaml);
        assertEquals(3, RouteTable.build(snapshot, Set.of()).served().size());
        RouteTable onlyTraefik = RouteTable.build(snapshot, Set.of("traefik"));
        assertEquals(List.of("none", "traefik"), onlyTraefik.served().stream().map(i -> i.name()).sorted().toList());
        assertEquals("404", routed(onlyTraefik, "n.test", "/"));
        assertEquals("t", routed(onlyTraefik, "t.test", "/"));
    }

    @Test
    void backendsResolveToReadyEndpointsOnTheTargetPortByPortNameOrNumberAndRoundRobin() {
        String yaml = """
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec:
                  ports:
                  - {name: http, port: 80, targetPort: web}
                  - {name: admin, port: 9000, targetPort: 9001}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: web-abc, labels: {kubernetes.io/service-name: web}}
                addressType: IPv4
                ports:
                - {name: http, port: 8080}
                - {name: admin, port: 9001}
                endpoints:
                - addresses: [127.244.0.1]
                - addresses: [127.244.0.2]
                  conditions: {ready: true}
                - addresses: [127.244.0.3]
                  conditions: {ready: false}
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: web}
                spec:
                  rules:
                  - http:
                      paths:
                      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
                      - {path: /admin, pathType: Prefix, backend: {service: {name: web, port: {name: admin}}}}
                      - {path: /missing, pathType: Prefix, backend: {service: {name: nope, port: {number: 80}}}}
                      - {path: /noport, pathType: Prefix, backend: {service: {name: web, port: {number: 81}}}}
                """;
        RouteTable t = RouteTable.build(Fixtures.snapshot(yaml), Set.of());
        Upstream web = t.route("x", "/");
        assertEquals(List.of(new InetSocketAddress("127.244.0.1", 8080), new InetSocketAddress("127.244.0.2", 8080)),
                web.endpoints());
        Set<Integer> firsts = new HashSet<>();
        firsts.add(web.firstIndex());
        firsts.add(web.firstIndex());
        assertEquals(Set.of(0, 1), firsts);
        assertEquals(List.of(new InetSocketAddress("127.244.0.1", 9001), new InetSocketAddress("127.244.0.2", 9001)),
                t.route("x", "/admin").endpoints());
        assertTrue(t.route("x", "/missing").endpoints().isEmpty());
        assertTrue(t.route("x", "/missing").unavailable().contains("not found"));
        assertTrue(t.route("x", "/noport").unavailable().contains("no TCP port 81"));
    }

    @Test
    void tlsHostsAreFoundExactlyOrByWildcard() {
        String yaml = """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: tls}
                spec:
                  tls:
                  - {hosts: [secure.test], secretName: secure-tls}
                  - {hosts: ["*.wild.test"]}
                  rules:
                  - host: secure.test
                    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: s, port: {number: 80}}}}]}
                """;
        RouteTable t = RouteTable.build(Fixtures.snapshot(yaml), Set.of());
        assertTrue(t.hasTls("secure.test:8080"));
        assertEquals("secure-tls", t.tlsHost("secure.test").secretName());
        assertTrue(t.hasTls("a.wild.test"));
        assertNull(t.tlsHost("a.wild.test").secretName());
        assertFalse(t.hasTls("b.a.wild.test"));
        assertFalse(t.hasTls("plain.test"));
    }

    @Test
    void hostHeaderParsing() {
        assertEquals("[::1]", RouteTable.hostOf("[::1]:8080"));
        assertEquals("example.com", RouteTable.hostOf("Example.COM:443"));
        assertEquals("", RouteTable.hostOf(null));
    }
}
