package dev.clusterdns.agent.endpoints;

import static dev.clusterdns.agent.endpoints.Manifests.endpoints;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.model.EndpointPort;
import dev.clusterdns.agent.model.Endpoints;
import dev.clusterdns.agent.model.Endpoints.Address;
import dev.clusterdns.agent.model.Endpoints.Subset;
import dev.clusterdns.agent.model.ObjectReference;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The v1 Endpoints object the endpoint controller writes. */
class EndpointsObjectTest {

    static String service(String specExtra) {
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop, labels: {team: a}}
                spec:
                  selector: {app: web}
                %s
                ---
                """.formatted(specExtra.indent(2));
    }

    static final String CLUSTER_IP_V4 = """
            clusterIP: 10.96.0.10
            ipFamilies: [IPv4]
            ports: [{name: http, port: 80, targetPort: 8080, protocol: TCP}]
            """;

    static String pod(String name, String ip, String extra) {
        return """
                apiVersion: v1
                kind: Pod
                metadata: {name: %s, namespace: shop, uid: uid-%s, labels: {app: web}}
                %s
                ---
                """.formatted(name, name, extra.replace("$IP", ip));
    }

    static String readyPod(String name, String ip) {
        return pod(name, ip, "status: {phase: Running, podIP: $IP, conditions: [{type: Ready, status: \"True\"}]}");
    }

    static String notReadyPod(String name, String ip) {
        return pod(name, ip, "status: {phase: Running, podIP: $IP, conditions: [{type: Ready, status: \"False\"}]}");
    }

    static Endpoints web(String yaml) {
        return endpoints(Manifests.reconcile(yaml), "shop", "web").orElseThrow();
    }

    static Set<String> ips(List<Address> addresses) {
        return addresses.stream().map(Address::ip).collect(Collectors.toSet());
    }

    /** Pods without a uid of their own (the agent assigns one from the name) on one IP (host network). */
    @Test
    void podsSharingAnIpAreKeptApartByTheirAssignedUids() {
        String shared = "status: {phase: Running, podIP: 10.1.0.7, conditions: [{type: Ready, status: \"True\"}]}";
        String yaml = service(CLUSTER_IP_V4);
        for (String name : List.of("web-a", "web-b", "web-c")) {
            yaml += pod(name, "", shared).replace(", uid: uid-" + name, "");
        }
        Manifests m = Manifests.parse(yaml);
        // As the reconciler stamps them: the uid stands for the one computed from the name.
        List<dev.clusterdns.agent.model.Pod> stamped = m.pods().stream().map(p -> new dev.clusterdns.agent.model.Pod(
                p.apiVersion(), p.kind(), dev.clusterdns.agent.model.Uids.assign(p), p.spec(), p.status())).toList();
        Endpoints e = endpoints(EndpointsController.reconcile(m.services(), stamped, List.of(), List.of()), "shop", "web")
                .orElseThrow();
        assertEquals(1, e.subsets().size());
        List<String> uids = e.subsets().get(0).addresses().stream().map(a -> a.targetRef().uid()).toList();
        List<String> want = new java.util.ArrayList<>(List.of("web-a", "web-b", "web-c").stream()
                .map(n -> dev.clusterdns.agent.model.Uids.of("Pod", "shop", n)).toList());
        want.sort(null);
        assertEquals(want, uids);
        assertEquals(Set.of("10.1.0.7"), ips(e.subsets().get(0).addresses()));
    }

    @Test
    void nameNamespaceLabelsAndAddressFields() {
        Endpoints e = web(service(CLUSTER_IP_V4) + pod("web-1", "10.1.0.5", """
                spec: {nodeName: node-a}
                status: {podIP: $IP, conditions: [{type: Ready, status: "True"}]}
                """));
        assertEquals("v1", e.apiVersion());
        assertEquals("Endpoints", e.kind());
        assertEquals("web", e.name());
        assertEquals("shop", e.namespace());
        assertEquals(Map.of("team", "a", "endpoints.kubernetes.io/managed-by", "endpoint-controller"),
                e.metadata().labels());
        assertEquals(Map.of(), e.metadata().annotations());
        assertEquals(1, e.subsets().size());
        Address a = e.subsets().get(0).addresses().get(0);
        assertEquals("10.1.0.5", a.ip());
        assertEquals("node-a", a.nodeName());
        assertNull(a.hostname());
        assertEquals(new ObjectReference("Pod", "shop", "web-1", "uid-web-1"), a.targetRef());
        assertEquals(List.of(new EndpointPort("http", 8080, "TCP", null)), e.subsets().get(0).ports());
    }

    @Test
    void readinessDecidesAddressesVersusNotReadyAddresses() {
        Endpoints e = web(service(CLUSTER_IP_V4)
                + readyPod("ready", "10.1.0.1")
                + notReadyPod("not-ready", "10.1.0.2")
                + pod("no-ready-condition", "10.1.0.3",
                        "status: {podIP: $IP, conditions: [{type: PodScheduled, status: \"True\"}]}")
                // Documented deviation: a hand-written pod with an IP and no conditions is ready.
                + pod("no-conditions", "10.1.0.4", "status: {podIP: $IP}"));
        assertEquals(1, e.subsets().size());
        assertEquals(Set.of("10.1.0.1", "10.1.0.4"), ips(e.subsets().get(0).addresses()));
        assertEquals(Set.of("10.1.0.2", "10.1.0.3"), ips(e.subsets().get(0).notReadyAddresses()));
    }

    @Test
    void publishNotReadyAddressesPutsEveryPodInAddresses() {
        Endpoints e = web(service(CLUSTER_IP_V4 + "publishNotReadyAddresses: true")
                + readyPod("ready", "10.1.0.1") + notReadyPod("not-ready", "10.1.0.2"));
        assertEquals(Set.of("10.1.0.1", "10.1.0.2"), ips(e.subsets().get(0).addresses()));
        assertEquals(List.of(), e.subsets().get(0).notReadyAddresses());
    }

    @Test
    void terminatingPodsAreLeftOutUnlessPublishNotReadyAddresses() {
        String terminating = """
                apiVersion: v1
                kind: Pod
                metadata: {name: going, namespace: shop, labels: {app: web}, deletionTimestamp: "2026-01-01T00:00:00Z"}
                status: {podIP: 10.1.0.9, conditions: [{type: Ready, status: "True"}]}
                ---
                """;
        Endpoints without = web(service(CLUSTER_IP_V4) + readyPod("ready", "10.1.0.1") + terminating);
        assertEquals(Set.of("10.1.0.1"), ips(without.subsets().get(0).addresses()));
        assertEquals(List.of(), without.subsets().get(0).notReadyAddresses());

        Endpoints with = web(service(CLUSTER_IP_V4 + "publishNotReadyAddresses: true")
                + readyPod("ready", "10.1.0.1") + terminating);
        assertEquals(Set.of("10.1.0.1", "10.1.0.9"), ips(with.subsets().get(0).addresses()));
    }

    @Test
    void addressIsTheFirstPodIpOfTheServicePrimaryFamilyCopiedVerbatim() {
        String dual = pod("dual", "", """
                status: {podIP: 10.1.0.5, podIPs: [{ip: 10.1.0.5}, {ip: "FD00:0:0:0:0:0:0:0A"}, {ip: "fd00::b"}]}
                """);
        String v4only = pod("v4only", "", "status: {podIP: 10.1.0.6}");

        Endpoints v6primary = web(service("""
                clusterIP: fd00:96::10
                ipFamilies: [IPv6, IPv4]
                ports: [{port: 80, targetPort: 8080, protocol: TCP}]
                """) + dual + v4only);
        // The IPv4-only pod has no address of the primary family and is skipped.
        assertEquals(Set.of("FD00:0:0:0:0:0:0:0A"), ips(v6primary.subsets().get(0).addresses()));

        Endpoints byClusterIp = web(service("""
                clusterIP: fd00:96::10
                ports: [{port: 80, targetPort: 8080, protocol: TCP}]
                """) + dual + v4only);
        assertEquals(Set.of("FD00:0:0:0:0:0:0:0A"), ips(byClusterIp.subsets().get(0).addresses()));

        Endpoints v4primary = web(service(CLUSTER_IP_V4) + dual + v4only);
        assertEquals(Set.of("10.1.0.5", "10.1.0.6"), ips(v4primary.subsets().get(0).addresses()));

        Endpoints headlessNoFamilies = web(service("""
                clusterIP: None
                ports: [{port: 80, targetPort: 8080, protocol: TCP}]
                """) + dual + v4only + pod("v6pod", "", "status: {podIPs: [{ip: \"fd00::c\"}, {ip: 10.1.0.7}]}"));
        // Each pod's own primary family decides.
        assertEquals(Set.of("10.1.0.5", "10.1.0.6", "fd00::c"), ips(headlessNoFamilies.subsets().get(0).addresses()));
    }

    @Test
    void hostnameNeedsHostnameAndSubdomainEqualToTheServiceName() {
        Endpoints e = web(service("""
                clusterIP: None
                ipFamilies: [IPv4]
                ports: [{port: 80, targetPort: 8080, protocol: TCP}]
                """)
                + pod("both", "10.1.0.1", "spec: {hostname: web-0, subdomain: web}\nstatus: {podIP: $IP}")
                + pod("other-subdomain", "10.1.0.2", "spec: {hostname: web-1, subdomain: db}\nstatus: {podIP: $IP}")
                + pod("no-hostname", "10.1.0.3", "spec: {subdomain: web}\nstatus: {podIP: $IP}")
                + pod("no-subdomain", "10.1.0.4", "spec: {hostname: web-3}\nstatus: {podIP: $IP}")
                // Third condition (same namespace): a pod elsewhere with a matching subdomain is not even selected.
                + """
                apiVersion: v1
                kind: Pod
                metadata: {name: elsewhere, namespace: other, labels: {app: web}}
                spec: {hostname: web-9, subdomain: web}
                status: {podIP: 10.2.0.1}
                """);
        Map<String, String> hostnames = e.subsets().get(0).addresses().stream()
                .collect(Collectors.toMap(Address::ip, a -> String.valueOf(a.hostname())));
        assertEquals(Map.of("10.1.0.1", "web-0", "10.1.0.2", "null", "10.1.0.3", "null", "10.1.0.4", "null"), hostnames);
    }

    @Test
    void portsCarryServicePortNameProtocolAndAppProtocolWithTheResolvedTargetPort() {
        Endpoints e = web(service("""
                clusterIP: 10.96.0.10
                ipFamilies: [IPv4]
                ports:
                - {name: http, port: 80, targetPort: web, protocol: TCP, appProtocol: http}
                - {name: dns, port: 53, targetPort: 5353, protocol: UDP}
                """) + pod("p", "10.1.0.1", """
                spec: {containers: [{name: c, ports: [{name: web, containerPort: 8080, hostPort: 18080}]}]}
                status: {podIP: $IP}
                """));
        assertEquals(Set.of(new EndpointPort("http", 8080, "TCP", "http"), new EndpointPort("dns", 5353, "UDP", null)),
                Set.copyOf(e.subsets().get(0).ports()));
    }

    @Test
    void aPortThatDoesNotResolveForAPodPutsThatPodInAnotherSubset() {
        Endpoints e = web(service("""
                clusterIP: 10.96.0.10
                ipFamilies: [IPv4]
                ports:
                - {name: http, port: 80, targetPort: 8080, protocol: TCP}
                - {name: metrics, port: 9090, targetPort: metrics, protocol: TCP}
                """)
                + pod("with-metrics", "10.1.0.1", """
                spec: {containers: [{name: c, ports: [{name: metrics, containerPort: 9100}]}]}
                status: {podIP: $IP}
                """)
                + pod("without-metrics", "10.1.0.2", "status: {podIP: $IP}"));
        Map<Set<EndpointPort>, Set<String>> bySubset = e.subsets().stream()
                .collect(Collectors.toMap(s -> Set.copyOf(s.ports()), s -> ips(s.addresses())));
        assertEquals(Map.of(
                Set.of(new EndpointPort("http", 8080, "TCP", null)), Set.of("10.1.0.1", "10.1.0.2"),
                Set.of(new EndpointPort("metrics", 9100, "TCP", null)), Set.of("10.1.0.1")), bySubset);
    }

    @Test
    void podsWithTheSamePortsRepackIntoOneSubsetSortedByIp() {
        Endpoints e = web(service("""
                clusterIP: 10.96.0.10
                ipFamilies: [IPv4]
                ports:
                - {name: a, port: 80, targetPort: 8080, protocol: TCP}
                - {name: b, port: 90, targetPort: 9090, protocol: TCP}
                """) + readyPod("p9", "10.1.0.9") + readyPod("p10", "10.1.0.10") + readyPod("p5", "10.1.0.5"));
        assertEquals(1, e.subsets().size());
        Subset s = e.subsets().get(0);
        // Byte-wise string order, as upstream: "10.1.0.10" < "10.1.0.5" < "10.1.0.9".
        assertEquals(List.of("10.1.0.10", "10.1.0.5", "10.1.0.9"), s.addresses().stream().map(Address::ip).toList());
        assertEquals(Set.of(new EndpointPort("a", 8080, "TCP", null), new EndpointPort("b", 9090, "TCP", null)),
                Set.copyOf(s.ports()));
    }

    @Test
    void headlessWithoutPortsGivesAddressesWithoutPorts() {
        Endpoints e = web(service("""
                clusterIP: None
                ipFamilies: [IPv4]
                """) + readyPod("a", "10.1.0.1") + notReadyPod("b", "10.1.0.2"));
        assertEquals(1, e.subsets().size());
        assertEquals(List.of(), e.subsets().get(0).ports());
        assertEquals(Set.of("10.1.0.1"), ips(e.subsets().get(0).addresses()));
        assertEquals(Set.of("10.1.0.2"), ips(e.subsets().get(0).notReadyAddresses()));
        assertTrue(Manifests.toYaml(e).contains("addresses"));
    }

    @Test
    void nonHeadlessWithoutPortsGetsNoSubsets() {
        Endpoints e = web(service("""
                clusterIP: 10.96.0.10
                ipFamilies: [IPv4]
                """) + readyPod("a", "10.1.0.1"));
        assertEquals(List.of(), e.subsets());
    }

    @Test
    void headlessLabelWhenThereIsNoUsableClusterIpAndRemovedOtherwise() {
        String headlessLabel = "service.kubernetes.io/headless";
        Endpoints none = web(service("clusterIP: None\nports: [{port: 80, targetPort: 80, protocol: TCP}]"));
        assertEquals("", none.metadata().labels().get(headlessLabel));
        Endpoints empty = web(service("ports: [{port: 80, targetPort: 80, protocol: TCP}]"));
        assertEquals("", empty.metadata().labels().get(headlessLabel));
        Endpoints withIp = web("""
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop, labels: {service.kubernetes.io/headless: "", team: a}}
                spec:
                  selector: {app: web}
                  clusterIP: 10.96.0.10
                  ports: [{port: 80, targetPort: 80, protocol: TCP}]
                """);
        assertFalse(withIp.metadata().labels().containsKey(headlessLabel));
        assertEquals(Map.of("team", "a", "endpoints.kubernetes.io/managed-by", "endpoint-controller"),
                withIp.metadata().labels());
    }

    @Test
    void overCapacityTruncatesTo1000AndAnnotates() {
        StringBuilder yaml = new StringBuilder(service(CLUSTER_IP_V4));
        for (int i = 0; i < 900; i++) {
            yaml.append(readyPod("r" + i, "10.1." + (i / 250) + "." + (i % 250)));
        }
        for (int i = 0; i < 300; i++) {
            yaml.append(notReadyPod("n" + i, "10.2." + (i / 250) + "." + (i % 250)));
        }
        Endpoints e = web(yaml.toString());
        assertEquals("truncated", e.metadata().annotations().get("endpoints.kubernetes.io/over-capacity"));
        assertEquals(900, e.subsets().get(0).addresses().size());
        assertEquals(100, e.subsets().get(0).notReadyAddresses().size());
    }

    @Test
    void atCapacityNothingIsTruncatedNorAnnotated() {
        StringBuilder yaml = new StringBuilder(service(CLUSTER_IP_V4));
        for (int i = 0; i < 1000; i++) {
            yaml.append(readyPod("r" + i, "10.1." + (i / 250) + "." + (i % 250)));
        }
        Endpoints e = web(yaml.toString());
        assertEquals(Map.of(), e.metadata().annotations());
        assertEquals(1000, e.subsets().get(0).addresses().size());
    }

    @Test
    void givenEndpointsForAServiceWithASelectorAreReplaced() {
        Endpoints e = web(service(CLUSTER_IP_V4) + readyPod("a", "10.1.0.1") + """
                apiVersion: v1
                kind: Endpoints
                metadata: {name: web, namespace: shop}
                subsets: [{addresses: [{ip: 192.0.2.1}], ports: [{port: 1}]}]
                """);
        assertEquals(Set.of("10.1.0.1"), ips(e.subsets().get(0).addresses()));
    }
}
