package dev.clusterdns.agent.endpoints;

import static dev.clusterdns.agent.endpoints.Manifests.endpoints;
import static dev.clusterdns.agent.endpoints.Manifests.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.model.EndpointPort;
import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.EndpointSlice.Conditions;
import dev.clusterdns.agent.model.Endpoints;
import dev.clusterdns.agent.model.ObjectReference;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Selector-less Services keep the given Endpoints/slices; Endpoints are mirrored to slices. */
class MirroringTest {
    static final String SELECTORLESS = """
            apiVersion: v1
            kind: Service
            metadata: {name: ext-db, namespace: shop}
            spec:
              clusterIP: 10.96.0.20
              ipFamilies: [IPv4]
              ports: [{name: pg, port: 5432, targetPort: 5432, protocol: TCP}]
            ---
            """;

    static final String GIVEN_ENDPOINTS = """
            apiVersion: v1
            kind: Endpoints
            metadata:
              name: ext-db
              namespace: shop
              labels: {owner: dba}
              annotations: {note: hand-made, endpoints.kubernetes.io/last-change-trigger-time: "2026-01-01T00:00:00Z"}
            subsets:
            - addresses:
              - {ip: 192.0.2.10, hostname: db-0, nodeName: n1, targetRef: {kind: Pod, namespace: shop, name: db-0, uid: u0}}
              - {ip: "2001:DB8:0:0:0:0:0:1"}
              notReadyAddresses:
              - {ip: 192.0.2.11}
              ports: [{name: pg, port: 5432}]
            ---
            """;

    @Test
    void givenEndpointsAreKeptAndMirroredPerFamily() {
        var r = Manifests.reconcile(SELECTORLESS + GIVEN_ENDPOINTS);
        Endpoints given = Manifests.parse(GIVEN_ENDPOINTS).endpoints().get(0);
        assertEquals(given, endpoints(r, "shop", "ext-db").orElseThrow());

        List<EndpointSlice> s = slices(r, "shop", "ext-db");
        assertEquals(Set.of("IPv4", "IPv6"), s.stream().map(EndpointSlice::addressType).collect(Collectors.toSet()));
        for (EndpointSlice slice : s) {
            assertEquals(Map.of("owner", "dba", "kubernetes.io/service-name", "ext-db",
                    "endpointslice.kubernetes.io/managed-by", "endpointslicemirroring-controller.k8s.io"),
                    slice.metadata().labels());
            assertEquals(Map.of("note", "hand-made"), slice.metadata().annotations());
            assertEquals(List.of(new EndpointPort("pg", 5432, "TCP", null)), slice.ports());
            assertEquals("ext-db-", slice.metadata().generateName());
        }
        EndpointSlice v4 = s.stream().filter(x -> x.addressType().equals("IPv4")).findFirst().orElseThrow();
        assertEquals(List.of(
                new EndpointSlice.Endpoint(List.of("192.0.2.10"), new Conditions(true, null, null), "db-0", "n1", null,
                        new ObjectReference("Pod", "shop", "db-0", "u0")),
                new EndpointSlice.Endpoint(List.of("192.0.2.11"), new Conditions(false, null, null), null, null, null, null)),
                v4.endpoints());
        EndpointSlice v6 = s.stream().filter(x -> x.addressType().equals("IPv6")).findFirst().orElseThrow();
        assertEquals(List.of(List.of("2001:db8::1")), v6.endpoints().stream().map(EndpointSlice.Endpoint::addresses).toList());
    }

    @Test
    void skipMirrorLabelStopsMirroringButKeepsTheEndpoints() {
        String skipped = GIVEN_ENDPOINTS.replace("labels: {owner: dba}",
                "labels: {owner: dba, endpointslice.kubernetes.io/skip-mirror: \"true\"}");
        var r = Manifests.reconcile(SELECTORLESS + skipped);
        assertTrue(endpoints(r, "shop", "ext-db").isPresent());
        assertEquals(List.of(), slices(r, "shop", "ext-db"));

        String notSkipped = GIVEN_ENDPOINTS.replace("labels: {owner: dba}",
                "labels: {owner: dba, endpointslice.kubernetes.io/skip-mirror: \"false\"}");
        assertEquals(2, slices(Manifests.reconcile(SELECTORLESS + notSkipped), "shop", "ext-db").size());
    }

    @Test
    void leaderElectionLocksAreNotMirrored() {
        String lock = GIVEN_ENDPOINTS.replace("annotations: {note: hand-made,",
                "annotations: {control-plane.alpha.kubernetes.io/leader: \"{}\", note: hand-made,");
        assertEquals(List.of(), slices(Manifests.reconcile(SELECTORLESS + lock), "shop", "ext-db"));
    }

    @Test
    void endpointsWithoutAServiceAreKeptButNotMirrored() {
        var r = Manifests.reconcile(GIVEN_ENDPOINTS);
        assertTrue(endpoints(r, "shop", "ext-db").isPresent());
        assertEquals(List.of(), r.endpointSlices());
    }

    @Test
    void subsetsWithTheSamePortsInAnyOrderShareSlicesAndOtherPortsGetTheirOwn() {
        var r = Manifests.reconcile(SELECTORLESS + """
                apiVersion: v1
                kind: Endpoints
                metadata: {name: ext-db, namespace: shop}
                subsets:
                - addresses: [{ip: 192.0.2.1}]
                  ports: [{name: a, port: 1}, {name: b, port: 2}]
                - addresses: [{ip: 192.0.2.2}]
                  ports: [{name: b, port: 2}, {name: a, port: 1}]
                - addresses: [{ip: 192.0.2.3}]
                  ports: [{name: a, port: 1}]
                """);
        Map<Set<EndpointPort>, Set<String>> byPorts = slices(r, "shop", "ext-db").stream().collect(Collectors.toMap(
                s -> Set.copyOf(s.ports()),
                s -> s.endpoints().stream().map(e -> e.addresses().get(0)).collect(Collectors.toSet())));
        EndpointPort a = new EndpointPort("a", 1, "TCP", null);
        EndpointPort b = new EndpointPort("b", 2, "TCP", null);
        assertEquals(Map.of(Set.of(a, b), Set.of("192.0.2.1", "192.0.2.2"), Set.of(a), Set.of("192.0.2.3")), byPorts);
    }

    @Test
    void atMostOneThousandAddressesPerSubsetAreMirrored() {
        StringBuilder yaml = new StringBuilder(SELECTORLESS + """
                apiVersion: v1
                kind: Endpoints
                metadata: {name: ext-db, namespace: shop}
                subsets:
                - ports: [{port: 5432}]
                  addresses:
                """);
        for (int i = 0; i < 1200; i++) {
            yaml.append("  - {ip: 10.9.").append(i / 250).append('.').append(i % 250).append("}\n");
        }
        List<EndpointSlice> s = slices(Manifests.reconcile(yaml.toString()), "shop", "ext-db");
        assertEquals(1, s.size());
        assertEquals(1000, s.get(0).endpoints().size());
        assertEquals("10.9.0.0", s.get(0).endpoints().get(0).addresses().get(0));
    }

    @Test
    void emptyEndpointsMirrorToNoSlices() {
        var r = Manifests.reconcile(SELECTORLESS + """
                apiVersion: v1
                kind: Endpoints
                metadata: {name: ext-db, namespace: shop}
                """);
        assertEquals(List.of(), slices(r, "shop", "ext-db"));
    }

    static final String GIVEN_SLICE = """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata:
              name: ext-db-manual
              namespace: shop
              labels: {kubernetes.io/service-name: ext-db, endpointslice.kubernetes.io/managed-by: me}
            addressType: IPv4
            endpoints: [{addresses: [192.0.2.50]}]
            ports: [{name: pg, port: 5432, protocol: TCP}]
            ---
            """;

    @Test
    void givenSlicesForASelectorlessServicePassThroughNextToMirroredOnes() {
        var r = Manifests.reconcile(SELECTORLESS + GIVEN_SLICE + GIVEN_ENDPOINTS);
        EndpointSlice given = Manifests.parse(GIVEN_SLICE).slices().get(0);
        List<EndpointSlice> s = slices(r, "shop", "ext-db");
        assertTrue(s.contains(given));
        assertEquals(3, s.size());
    }

    @Test
    void givenSlicesNamingNoServiceAreReturnedUnchanged() {
        var r = Manifests.reconcile(GIVEN_SLICE);
        assertEquals(Manifests.parse(GIVEN_SLICE).slices(), r.endpointSlices());
    }

    @Test
    void staleControllerSlicesAreReplacedButCustomOnesForASelectorServiceStay() {
        String service = """
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop}
                spec:
                  selector: {app: web}
                  clusterIP: 10.96.0.10
                  ipFamilies: [IPv4]
                  ports: [{port: 80, targetPort: 8080, protocol: TCP}]
                ---
                """;
        String stale = """
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: web-old
                  namespace: shop
                  labels: {kubernetes.io/service-name: web, endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io}
                addressType: IPv4
                endpoints: [{addresses: [192.0.2.99]}]
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: web-mirrored-old
                  namespace: shop
                  labels: {kubernetes.io/service-name: web, endpointslice.kubernetes.io/managed-by: endpointslicemirroring-controller.k8s.io}
                addressType: IPv4
                endpoints: [{addresses: [192.0.2.98]}]
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: web-custom
                  namespace: shop
                  labels: {kubernetes.io/service-name: web, endpointslice.kubernetes.io/managed-by: my-controller}
                addressType: IPv4
                endpoints: [{addresses: [192.0.2.97]}]
                ---
                """;
        var r = Manifests.reconcile(service + stale + """
                apiVersion: v1
                kind: Pod
                metadata: {name: p, namespace: shop, labels: {app: web}}
                status: {podIP: 10.1.0.1}
                """);
        Set<String> addresses = slices(r, "shop", "web").stream().flatMap(s -> s.endpoints().stream())
                .flatMap(e -> e.addresses().stream()).collect(Collectors.toSet());
        assertEquals(Set.of("10.1.0.1", "192.0.2.97"), addresses);
    }

    @Test
    void reconcilingItsOwnOutputAgainChangesNothing() {
        String yaml = SELECTORLESS + GIVEN_ENDPOINTS + GIVEN_SLICE + """
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop}
                spec:
                  selector: {app: web}
                  clusterIP: None
                  ports: [{port: 80, targetPort: 8080, protocol: TCP}]
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: p, namespace: shop, labels: {app: web}}
                status: {podIP: 10.1.0.1}
                """;
        var first = Manifests.reconcile(yaml);
        Manifests m = Manifests.parse(yaml);
        // Feed the previous output back in, as a dump of a live cluster would.
        var second = EndpointsController.reconcile(m.services(), m.pods(), first.endpointSlices(), first.endpoints());
        assertEquals(first, second);
    }
}
