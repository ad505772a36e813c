package dev.clusterdns.agent.endpoints;

import static dev.clusterdns.agent.endpoints.Manifests.endpoints;
import static dev.clusterdns.agent.endpoints.Manifests.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.clusterdns.agent.model.EndpointPort;
import dev.clusterdns.agent.model.EndpointSlice;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The controllers' `FindPort`, observed through the slices and Endpoints a pod ends up in. */
class TargetPortResolutionTest {

    /** The resolved port of the single Service port `p` for a pod with the given spec, or null. */
    static Integer resolve(String protocol, String targetPort, String podSpec) {
        var r = Manifests.reconcile("""
                apiVersion: v1
                kind: Service
                metadata: {name: svc, namespace: ns}
                spec:
                  selector: {app: x}
                  clusterIP: 10.96.0.1
                  ipFamilies: [IPv4]
                  ports: [{name: p, port: 80, targetPort: %s, protocol: %s}]
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: pod, namespace: ns, labels: {app: x}}
                spec:
                %s
                status: {podIP: 10.1.0.1}
                """.formatted(targetPort, protocol, podSpec.indent(2)));
        List<EndpointSlice> slices = slices(r, "ns", "svc");
        List<EndpointPort> slicePorts = slices.get(0).ports();
        var endpointsPorts = endpoints(r, "ns", "svc").orElseThrow().subsets().stream()
                .flatMap(s -> s.ports().stream()).toList();
        if (slicePorts.isEmpty()) {
            // Skipped for this pod: no slice port, and the pod is in no Endpoints subset.
            assertEquals(List.of(), endpointsPorts);
            assertEquals(1, slices.get(0).endpoints().size(), "the pod stays in the slice, without the port");
            return null;
        }
        assertEquals(slicePorts.get(0).port(), endpointsPorts.get(0).port());
        assertEquals(protocol, slicePorts.get(0).protocol());
        return slicePorts.get(0).port();
    }

    @Test
    void numericTargetPortIsUsedEvenWhenNoContainerDeclaresIt() {
        assertEquals(8080, resolve("TCP", "8080", "containers: [{name: c}]"));
    }

    @Test
    void namedTargetPortResolvesToTheContainerPortNotTheHostPort() {
        assertEquals(8080, resolve("TCP", "http", """
                containers: [{name: c, ports: [{name: http, containerPort: 8080, hostPort: 80}]}]
                """));
    }

    @Test
    void namedTargetPortNeedsTheSameProtocol() {
        String spec = "containers: [{name: c, ports: [{name: dns, containerPort: 5353, protocol: UDP}]}]";
        assertEquals(5353, resolve("UDP", "dns", spec));
        assertEquals(null, resolve("TCP", "dns", spec));
    }

    @Test
    void containerPortProtocolDefaultsToTcp() {
        assertEquals(8080, resolve("TCP", "http", "containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]"));
    }

    @Test
    void firstMatchingContainerInOrderWins() {
        assertEquals(7000, resolve("TCP", "http", """
                containers:
                - {name: a, ports: [{name: other, containerPort: 6000}, {name: http, containerPort: 7000}]}
                - {name: b, ports: [{name: http, containerPort: 8000}]}
                """));
    }

    @Test
    void sidecarInitContainersCountButRegularContainersWin() {
        assertEquals(9000, resolve("TCP", "proxy", """
                initContainers: [{name: envoy, restartPolicy: Always, ports: [{name: proxy, containerPort: 9000}]}]
                containers: [{name: app}]
                """));
        assertEquals(8000, resolve("TCP", "proxy", """
                initContainers: [{name: envoy, restartPolicy: Always, ports: [{name: proxy, containerPort: 9000}]}]
                containers: [{name: app, ports: [{name: proxy, containerPort: 8000}]}]
                """));
    }

    @Test
    void plainInitContainersNeverCount() {
        assertEquals(null, resolve("TCP", "setup", """
                initContainers: [{name: init, ports: [{name: setup, containerPort: 9000}]}]
                containers: [{name: app}]
                """));
    }

    @Test
    void unknownNameSkipsThePortForThatPodOnly() {
        assertEquals(null, resolve("TCP", "nope", "containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]"));
    }

    @Test
    void eachPodResolvesTheNameToItsOwnPortAndPodsAreGroupedByTheirPorts() {
        var r = Manifests.reconcile("""
                apiVersion: v1
                kind: Service
                metadata: {name: svc, namespace: ns}
                spec:
                  selector: {app: x}
                  clusterIP: 10.96.0.1
                  ipFamilies: [IPv4]
                  ports: [{name: p, port: 80, targetPort: http, protocol: TCP}]
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: old, namespace: ns, labels: {app: x}}
                spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}
                status: {podIP: 10.1.0.1}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: new, namespace: ns, labels: {app: x}}
                spec: {containers: [{name: c, ports: [{name: http, containerPort: 9090}]}]}
                status: {podIP: 10.1.0.2}
                """);
        Map<Integer, List<String>> ipsByPort = slices(r, "ns", "svc").stream().collect(Collectors.toMap(
                s -> s.ports().get(0).port(),
                s -> s.endpoints().stream().flatMap(e -> e.addresses().stream()).toList()));
        assertEquals(Map.of(8080, List.of("10.1.0.1"), 9090, List.of("10.1.0.2")), ipsByPort);
        Map<Integer, List<String>> endpointsByPort = endpoints(r, "ns", "svc").orElseThrow().subsets().stream()
                .collect(Collectors.toMap(s -> s.ports().get(0).port(),
                        s -> s.addresses().stream().map(a -> a.ip()).toList()));
        assertEquals(Map.of(8080, List.of("10.1.0.1"), 9090, List.of("10.1.0.2")), endpointsByPort);
    }
}
