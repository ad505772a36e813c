package dev.clusterdns.agent.endpoints;

import static dev.clusterdns.agent.endpoints.Manifests.endpoints;
import static dev.clusterdns.agent.endpoints.Manifests.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Endpoints;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Which Services the endpoints controllers act on, and which pods back them. */
class ServiceSelectionTest {
    static final String PODS = """
            apiVersion: v1
            kind: Pod
            metadata: {name: web-1, namespace: shop, labels: {app: web, tier: front}}
            status: {phase: Running, podIP: 10.1.0.1}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: web-2, namespace: shop, labels: {app: web, tier: back}}
            status: {phase: Running, podIP: 10.1.0.2}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: db-1, namespace: shop, labels: {app: db}}
            status: {phase: Running, podIP: 10.1.0.3}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: web-1, namespace: other, labels: {app: web, tier: front}}
            status: {phase: Running, podIP: 10.2.0.1}
            """;

    static String service(String name, String selectorYaml) {
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: %s, namespace: shop}
                spec:
                  %s
                  clusterIP: 10.96.0.10
                  ipFamilies: [IPv4]
                  ports: [{port: 80, targetPort: 8080, protocol: TCP}]
                ---
                """.formatted(name, selectorYaml);
    }

    static List<String> endpointIps(Endpoints e) {
        return e.subsets().stream()
                .flatMap(s -> java.util.stream.Stream.concat(s.addresses().stream(), s.notReadyAddresses().stream()))
                .map(Endpoints.Address::ip).sorted().toList();
    }

    static List<String> sliceIps(List<EndpointSlice> slices) {
        return slices.stream().flatMap(s -> s.endpoints().stream())
                .flatMap(e -> e.addresses().stream()).sorted().toList();
    }

    @Test
    void selectorMatchesEveryEntryAsEquality() {
        var r = Manifests.reconcile(service("web", "selector: {app: web}") + service("front", "selector: {app: web, tier: front}") + PODS);
        assertEquals(List.of("10.1.0.1", "10.1.0.2"), endpointIps(endpoints(r, "shop", "web").orElseThrow()));
        assertEquals(List.of("10.1.0.1", "10.1.0.2"), sliceIps(slices(r, "shop", "web")));
        assertEquals(List.of("10.1.0.1"), endpointIps(endpoints(r, "shop", "front").orElseThrow()));
        assertEquals(List.of("10.1.0.1"), sliceIps(slices(r, "shop", "front")));
    }

    @Test
    void selectorWithNoMatchingPodGetsEmptyEndpointsAndAPlaceholderSlice() {
        var r = Manifests.reconcile(service("none", "selector: {app: nothing-has-this}") + PODS);
        assertEquals(List.of(), endpoints(r, "shop", "none").orElseThrow().subsets());
        List<EndpointSlice> s = slices(r, "shop", "none");
        assertEquals(1, s.size());
        assertEquals(List.of(), s.get(0).endpoints());
    }

    @Test
    void emptySelectorSelectsEveryPodOfTheNamespaceOnly() {
        var r = Manifests.reconcile(service("all", "selector: {}") + PODS);
        assertEquals(List.of("10.1.0.1", "10.1.0.2", "10.1.0.3"), endpointIps(endpoints(r, "shop", "all").orElseThrow()));
        assertEquals(List.of("10.1.0.1", "10.1.0.2", "10.1.0.3"), sliceIps(slices(r, "shop", "all")));
    }

    @Test
    void nilSelectorGetsNoControllerEndpointsOrSlices() {
        var r = Manifests.reconcile(service("manual", "type: ClusterIP") + PODS);
        assertTrue(endpoints(r, "shop", "manual").isEmpty());
        assertEquals(List.of(), slices(r, "shop", "manual"));
    }

    @Test
    void externalNameIsIgnoredEvenWithASelector() {
        var r = Manifests.reconcile("""
                apiVersion: v1
                kind: Service
                metadata: {name: ext, namespace: shop}
                spec:
                  type: ExternalName
                  externalName: example.com
                  selector: {app: web}
                  ports: [{port: 80, targetPort: 8080, protocol: TCP}]
                ---
                """ + PODS);
        assertTrue(endpoints(r, "shop", "ext").isEmpty());
        assertEquals(List.of(), slices(r, "shop", "ext"));
    }

    @Test
    void podsComeOnlyFromTheServiceNamespace() {
        var r = Manifests.reconcile(service("web", "selector: {app: web}") + PODS);
        assertTrue(sliceIps(slices(r, "shop", "web")).stream().noneMatch(ip -> ip.startsWith("10.2.")));
        assertTrue(endpointIps(endpoints(r, "shop", "web").orElseThrow()).stream().noneMatch(ip -> ip.startsWith("10.2.")));
        assertTrue(r.endpointSlices().stream().noneMatch(s -> "other".equals(s.namespace())));
    }

    @Test
    void selectorValuesMustMatchExactlyAndMissingKeysDoNotMatch() {
        var r = Manifests.reconcile(service("svc", "selector: {tier: front, app: web}") + """
                apiVersion: v1
                kind: Pod
                metadata: {name: a, namespace: shop, labels: {app: web}}
                status: {podIP: 10.1.0.7}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: b, namespace: shop, labels: {app: Web, tier: front}}
                status: {podIP: 10.1.0.8}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: c, namespace: shop, labels: {app: web, tier: front, extra: x}}
                status: {podIP: 10.1.0.9}
                """);
        assertEquals(List.of("10.1.0.9"), sliceIps(slices(r, "shop", "svc")));
    }

    @Test
    void failedAndSucceededPodsAreExcludedWhateverTheirRestartPolicy() {
        var r = Manifests.reconcile(service("web", "selector: {app: web}") + """
                apiVersion: v1
                kind: Pod
                metadata: {name: failed, namespace: shop, labels: {app: web}}
                spec: {restartPolicy: Always}
                status: {phase: Failed, podIP: 10.1.0.7}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: done, namespace: shop, labels: {app: web}}
                spec: {restartPolicy: Never}
                status: {phase: Succeeded, podIP: 10.1.0.8}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: running, namespace: shop, labels: {app: web}}
                status: {phase: Running, podIP: 10.1.0.9}
                """);
        assertEquals(List.of("10.1.0.9"), endpointIps(endpoints(r, "shop", "web").orElseThrow()));
        assertEquals(List.of("10.1.0.9"), sliceIps(slices(r, "shop", "web")));
    }

    @Test
    void podsWithoutAnyIpAreExcluded() {
        var r = Manifests.reconcile(service("web", "selector: {app: web}") + """
                apiVersion: v1
                kind: Pod
                metadata: {name: scheduled, namespace: shop, labels: {app: web}}
                status: {phase: Pending}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: only-podips, namespace: shop, labels: {app: web}}
                status: {phase: Running, podIPs: [{ip: 10.1.0.4}]}
                """);
        assertEquals(List.of("10.1.0.4"), endpointIps(endpoints(r, "shop", "web").orElseThrow()));
        assertEquals(List.of("10.1.0.4"), sliceIps(slices(r, "shop", "web")));
    }

    @Test
    void pendingAndUnknownPodsWithAnIpAreIncluded() {
        var r = Manifests.reconcile(service("web", "selector: {app: web}") + """
                apiVersion: v1
                kind: Pod
                metadata: {name: pending, namespace: shop, labels: {app: web}}
                status:
                  phase: Pending
                  podIP: 10.1.0.5
                  conditions: [{type: Ready, status: "False"}]
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: unknown, namespace: shop, labels: {app: web}}
                status: {phase: Unknown, podIP: 10.1.0.6}
                """);
        assertEquals(List.of("10.1.0.5", "10.1.0.6"), endpointIps(endpoints(r, "shop", "web").orElseThrow()));
        assertEquals(List.of("10.1.0.5", "10.1.0.6"), sliceIps(slices(r, "shop", "web")));
    }

    @Test
    void selectionIsExactAcrossManyServicesAndPods() {
        StringBuilder yaml = new StringBuilder();
        for (int s = 0; s < 50; s++) {
            yaml.append(service("svc-" + s, "selector: {app: a" + s + "}"));
        }
        for (int p = 0; p < 2000; p++) {
            yaml.append("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: p-%d, namespace: shop, labels: {app: a%d, shard: s%d}}
                    status: {podIP: 10.3.%d.%d}
                    ---
                    """.formatted(p, p % 50, p % 7, p / 256, p % 256));
        }
        var r = Manifests.reconcile(yaml.toString());
        for (int s = 0; s < 50; s++) {
            int svc = s;
            var ips = new TreeSet<>(sliceIps(slices(r, "shop", "svc-" + s)));
            var expected = java.util.stream.IntStream.range(0, 2000).filter(p -> p % 50 == svc)
                    .mapToObj(p -> "10.3." + (p / 256) + "." + (p % 256)).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(expected, ips, "svc-" + s);
        }
    }
}
