package dev.clusterdns.agent.endpoints;

import static dev.clusterdns.agent.endpoints.Manifests.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.model.EndpointPort;
import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.EndpointSlice.Conditions;
import dev.clusterdns.agent.model.ObjectReference;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The EndpointSlices the endpointslice controller writes. */
class EndpointSlicesTest {

    static String service(String name, String specExtra) {
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: %s, namespace: shop, labels: {team: a, kubernetes.io/service-name: spoof}}
                spec:
                  selector: {app: web}
                %s
                ---
                """.formatted(name, specExtra.indent(2));
    }

    static final String V4 = """
            clusterIP: 10.96.0.10
            ipFamilies: [IPv4]
            ports: [{name: http, port: 80, targetPort: 8080, protocol: TCP}]
            """;

    static String pod(String name, String statusAndSpec) {
        return """
                apiVersion: v1
                kind: Pod
                metadata: {name: %s, namespace: shop, labels: {app: web}}
                %s
                ---
                """.formatted(name, statusAndSpec);
    }

    static List<EndpointSlice> web(String yaml) {
        return slices(Manifests.reconcile(yaml), "shop", "web");
    }

    static Map<String, EndpointSlice.Endpoint> byPodName(List<EndpointSlice> slices) {
        return slices.stream().flatMap(s -> s.endpoints().stream())
                .collect(Collectors.toMap(e -> e.targetRef().name(), e -> e));
    }

    @Test
    void endpointFieldsAndMetadata() {
        List<EndpointSlice> s = web(service("web", V4) + pod("p", """
                metadata: {name: p, namespace: shop, uid: u-1, labels: {app: web}}
                spec: {nodeName: node-a, hostname: p-0, subdomain: web}
                status: {podIP: 10.1.0.1, conditions: [{type: Ready, status: "True"}]}
                """));
        assertEquals(1, s.size());
        EndpointSlice slice = s.get(0);
        assertEquals("discovery.k8s.io/v1", slice.apiVersion());
        assertEquals("EndpointSlice", slice.kind());
        assertEquals("IPv4", slice.addressType());
        assertEquals("web-", slice.metadata().generateName());
        assertTrue(slice.name().matches("web-[bcdfghjklmnpqrstvwxz2456789]{5}"), slice.name());
        assertEquals(Map.of("team", "a", "kubernetes.io/service-name", "web",
                "endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io"), slice.metadata().labels());
        assertEquals(List.of(new EndpointPort("http", 8080, "TCP", null)), slice.ports());
        EndpointSlice.Endpoint e = slice.endpoints().get(0);
        assertEquals(new EndpointSlice.Endpoint(List.of("10.1.0.1"), new Conditions(true, true, false), "p-0", "node-a",
                null, new ObjectReference("Pod", "shop", "p", "u-1")), e);
    }

    @Test
    void conditionsServingTerminatingReady() {
        String pods = pod("ready", "status: {podIP: 10.1.0.1, conditions: [{type: Ready, status: \"True\"}]}")
                + pod("not-ready", "status: {podIP: 10.1.0.2, conditions: [{type: Ready, status: \"False\"}]}")
                + """
                apiVersion: v1
                kind: Pod
                metadata: {name: terminating, namespace: shop, labels: {app: web}, deletionTimestamp: "2026-01-01T00:00:00Z"}
                status: {podIP: 10.1.0.3, conditions: [{type: Ready, status: "True"}]}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: terminating-not-ready, namespace: shop, labels: {app: web}, deletionTimestamp: "2026-01-01T00:00:00Z"}
                status: {podIP: 10.1.0.4, conditions: [{type: Ready, status: "False"}]}
                ---
                """;
        // Terminating pods are always in slices (unlike v1 Endpoints), published with their conditions.
        Map<String, EndpointSlice.Endpoint> plain = byPodName(web(service("web", V4) + pods));
        assertEquals(new Conditions(true, true, false), plain.get("ready").conditions());
        assertEquals(new Conditions(false, false, false), plain.get("not-ready").conditions());
        assertEquals(new Conditions(false, true, true), plain.get("terminating").conditions());
        assertEquals(new Conditions(false, false, true), plain.get("terminating-not-ready").conditions());

        Map<String, EndpointSlice.Endpoint> publish =
                byPodName(web(service("web", V4 + "publishNotReadyAddresses: true") + pods));
        assertEquals(new Conditions(true, true, false), publish.get("ready").conditions());
        assertEquals(new Conditions(true, false, false), publish.get("not-ready").conditions());
        assertEquals(new Conditions(true, true, true), publish.get("terminating").conditions());
        assertEquals(new Conditions(true, false, true), publish.get("terminating-not-ready").conditions());
    }

    @Test
    void podWithAnIpAndNoConditionsCountsAsReady() {
        var e = byPodName(web(service("web", V4) + pod("handwritten", "status: {podIP: 10.1.0.1}")));
        assertEquals(new Conditions(true, true, false), e.get("handwritten").conditions());
    }

    @Test
    void oneSliceSetPerServiceFamilyWithAllPodIpsOfThatFamilyCanonical() {
        List<EndpointSlice> s = web(service("web", """
                clusterIP: 10.96.0.10
                clusterIPs: [10.96.0.10, "fd00:96::10"]
                ipFamilies: [IPv4, IPv6]
                ports: [{port: 80, targetPort: 8080, protocol: TCP}]
                """) + pod("dual", """
                status:
                  podIP: 10.1.0.1
                  podIPs: [{ip: 10.1.0.1}, {ip: "FD00:0:0:0:0:0:0:0A"}, {ip: "fd00:0::b"}]
                """) + pod("v4only", "status: {podIP: 10.1.0.2}"));
        Map<String, List<List<String>>> byType = s.stream().collect(Collectors.toMap(EndpointSlice::addressType,
                x -> x.endpoints().stream().map(EndpointSlice.Endpoint::addresses).toList()));
        assertEquals(Map.of("IPv4", List.of(List.of("10.1.0.1"), List.of("10.1.0.2")),
                "IPv6", List.of(List.of("fd00::a", "fd00::b"))), byType);
    }

    @Test
    void familyFallsBackToTheClusterIpAndHeadlessWithoutFamiliesGetsBoth() {
        List<EndpointSlice> byClusterIp = web(service("web", """
                clusterIP: "fd00:96::10"
                ports: [{port: 80, targetPort: 8080, protocol: TCP}]
                """));
        assertEquals(List.of("IPv6"), byClusterIp.stream().map(EndpointSlice::addressType).toList());

        List<EndpointSlice> headless = web(service("web", """
                clusterIP: None
                ports: [{port: 80, targetPort: 8080, protocol: TCP}]
                """) + pod("v4", "status: {podIP: 10.1.0.1}"));
        assertEquals(Set.of("IPv4", "IPv6"), headless.stream().map(EndpointSlice::addressType).collect(Collectors.toSet()));
        EndpointSlice v6 = headless.stream().filter(x -> x.addressType().equals("IPv6")).findFirst().orElseThrow();
        assertEquals(List.of(), v6.endpoints(), "no IPv6 pod IPs: a placeholder");
    }

    @Test
    void placeholderPerFamilyWhenNothingIsDesired() {
        List<EndpointSlice> s = web(service("web", """
                clusterIP: 10.96.0.10
                ipFamilies: [IPv4, IPv6]
                ports: [{port: 80, targetPort: 8080, protocol: TCP}]
                """));
        assertEquals(2, s.size());
        for (EndpointSlice slice : s) {
            assertEquals(List.of(), slice.endpoints());
            assertEquals(List.of(), slice.ports());
            String yaml = Manifests.toYaml(slice);
            assertTrue(yaml.contains("endpoints: []") && yaml.contains("ports: []"), yaml);
        }
        assertNotEquals(s.get(0).name(), s.get(1).name());
    }

    @Test
    void hostnameRuleAsForEndpoints() {
        var e = byPodName(web(service("web", V4)
                + pod("both", "spec: {hostname: h, subdomain: web}\nstatus: {podIP: 10.1.0.1}")
                + pod("wrong-subdomain", "spec: {hostname: h, subdomain: db}\nstatus: {podIP: 10.1.0.2}")
                + pod("no-hostname", "spec: {subdomain: web}\nstatus: {podIP: 10.1.0.3}")));
        assertEquals("h", e.get("both").hostname());
        assertNull(e.get("wrong-subdomain").hostname());
        assertNull(e.get("no-hostname").hostname());
    }

    @Test
    void nodeNameOnlyWhenSetAndNoZoneWithoutNodes() {
        var e = byPodName(web(service("web", V4)
                + pod("placed", "spec: {nodeName: n1}\nstatus: {podIP: 10.1.0.1}")
                + pod("unplaced", "status: {podIP: 10.1.0.2}")));
        assertEquals("n1", e.get("placed").nodeName());
        assertNull(e.get("unplaced").nodeName());
        assertNull(e.get("placed").zone());
    }

    @Test
    void atMostOneHundredEndpointsPerSlice() {
        StringBuilder yaml = new StringBuilder(service("web", V4));
        for (int i = 0; i < 250; i++) {
            yaml.append(pod("p" + i, "status: {podIP: 10.1." + (i / 200) + "." + (i % 200) + "}"));
        }
        List<EndpointSlice> s = web(yaml.toString());
        assertEquals(List.of(100, 100, 50), s.stream().map(x -> x.endpoints().size()).sorted(java.util.Comparator.reverseOrder()).toList());
        assertEquals(250, s.stream().flatMap(x -> x.endpoints().stream()).map(x -> x.addresses().get(0)).distinct().count());
        assertEquals(3, s.stream().map(EndpointSlice::name).distinct().count());
    }

    @Test
    void podsWithDifferentResolvedPortsGetSeparateSlices() {
        List<EndpointSlice> s = web(service("web", """
                clusterIP: 10.96.0.10
                ipFamilies: [IPv4]
                ports:
                - {name: http, port: 80, targetPort: http, protocol: TCP}
                - {name: admin, port: 81, targetPort: 9000, protocol: TCP}
                """)
                + pod("a", "spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}\nstatus: {podIP: 10.1.0.1}")
                + pod("b", "spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}\nstatus: {podIP: 10.1.0.2}")
                + pod("c", "status: {podIP: 10.1.0.3}"));
        Map<List<EndpointPort>, Set<String>> byPorts = s.stream().collect(Collectors.toMap(EndpointSlice::ports,
                x -> x.endpoints().stream().map(e -> e.targetRef().name()).collect(Collectors.toSet())));
        assertEquals(Map.of(
                List.of(new EndpointPort("http", 8080, "TCP", null), new EndpointPort("admin", 9000, "TCP", null)), Set.of("a", "b"),
                List.of(new EndpointPort("admin", 9000, "TCP", null)), Set.of("c")), byPorts);
    }

    @Test
    void headlessWithoutPortsHasAnEmptyPortListAndTheHeadlessLabel() {
        List<EndpointSlice> s = web(service("web", """
                clusterIP: None
                ipFamilies: [IPv4]
                """) + pod("a", "status: {podIP: 10.1.0.1}"));
        assertEquals(1, s.size());
        assertEquals(List.of(), s.get(0).ports());
        assertEquals(1, s.get(0).endpoints().size());
        assertEquals("", s.get(0).metadata().labels().get("service.kubernetes.io/headless"));
    }

    @Test
    void unnamedServicePortIsPublishedWithAnEmptyName() {
        List<EndpointSlice> s = web(service("web", """
                clusterIP: 10.96.0.10
                ipFamilies: [IPv4]
                ports: [{port: 80, targetPort: 8080, protocol: UDP, appProtocol: dns}]
                """) + pod("a", "status: {podIP: 10.1.0.1}"));
        assertEquals(List.of(new EndpointPort("", 8080, "UDP", "dns")), s.get(0).ports());
    }

    @Test
    void outputIsDeterministicAndNamesAreStableAndUnique() {
        StringBuilder yaml = new StringBuilder();
        for (int svc = 0; svc < 30; svc++) {
            yaml.append(service("svc" + svc, V4));
        }
        for (int i = 0; i < 150; i++) {
            yaml.append(pod("p" + i, "status: {podIP: 10.1." + (i / 200) + "." + (i % 200) + "}"));
        }
        Manifests m = Manifests.parse(yaml.toString());
        var first = m.reconcile();
        var again = m.reconcile();
        assertEquals(first, again);
        Set<String> names = new HashSet<>();
        for (EndpointSlice s : first.endpointSlices()) {
            assertTrue(names.add(s.namespace() + "/" + s.name()), "duplicate " + s.name());
        }
        assertEquals(60, names.size());
        // Reversing the input order changes nothing.
        var reversed = EndpointsController.reconcile(reverse(m.services()), reverse(m.pods()), List.of(), List.of());
        assertEquals(first, reversed);
    }

    @Test
    void longServiceNamesKeepGeneratedNamesWithinALabel() {
        String longName = "a".repeat(63);
        var r = Manifests.reconcile(service(longName, V4));
        EndpointSlice s = slices(r, "shop", longName).get(0);
        assertEquals(longName + "-", s.metadata().generateName());
        assertEquals(63, s.name().length());
        assertTrue(s.name().startsWith("a".repeat(58)));
    }

    static <T> List<T> reverse(List<T> in) {
        List<T> out = new java.util.ArrayList<>(in);
        java.util.Collections.reverse(out);
        return out;
    }
}
