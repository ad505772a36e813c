package dev.clusterdns.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tutorials' manifests (Deployment + Service, no Pods) through the real agent. */
class WorkloadAgentTest {
    @TempDir
    Path dir;
    @TempDir
    Path state;

    private static final String MY_NGINX = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: my-nginx}
            spec:
              selector: {matchLabels: {run: my-nginx}}
              replicas: %d
              template:
                metadata: {labels: {run: my-nginx}}
                spec:
                  containers:
                  - name: my-nginx
                    image: nginx
                    ports: [{containerPort: 80}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: my-nginx, labels: {run: my-nginx}}
            spec: {ports: [{port: 80, protocol: TCP}], selector: {run: my-nginx}}
            """;

    private AgentConfig config() {
        return new AgentConfig(List.of(dir), state, null, null, null, null).withWorkloads("127.244.0.0/16", "node-a");
    }

    private static List<String> endpointIps(ClusterSnapshot s, String ns, String svc, boolean ready) {
        return s.endpointSlices(ns, svc).stream().flatMap(e -> e.endpoints().stream())
                .filter(e -> ready == e.isReady())
                .flatMap(e -> e.addresses().stream()).sorted().toList();
    }

    @Test
    void aDeploymentGetsPodsWithIpsTheServiceGetsEndpointsAndKubeDnsExists() throws Exception {
        Files.writeString(dir.resolve("my-nginx.yaml"), MY_NGINX.formatted(2));
        ClusterSnapshot s = new ClusterAgent(config()).loadOnce();
        assertEquals(List.of(), s.problems());
        List<Pod> pods = s.pods("default");
        assertEquals(2, pods.size());
        for (Pod p : pods) {
            assertTrue(p.name().startsWith("my-nginx-"), p.name());
            assertEquals("node-a", p.spec().nodeName());
            assertTrue(p.status().podIP().startsWith("127.244."), p.status().podIP());
            assertTrue(p.isReady());
            assertTrue(p.metadata().creationTimestamp() != null && p.metadata().uid() != null);
        }
        assertEquals(pods.stream().map(p -> p.status().podIP()).sorted().toList(), endpointIps(s, "default", "my-nginx", true));
        assertEquals("127.96.0.10", s.service("kube-system", "kube-dns").orElseThrow().spec().clusterIP());
        assertEquals(List.of("127.0.0.1"), endpointIps(s, "kube-system", "kube-dns", true));
        assertTrue(s.workloads().stream().anyMatch(w -> w.kind().equals("ReplicaSet") && w.name().startsWith("my-nginx-")));

        // A restart with the same state dir: same names, same IPs.
        ClusterSnapshot again = new ClusterAgent(config()).loadOnce();
        assertEquals(pods.stream().map(p -> p.name() + "=" + p.status().podIP()).toList(),
                again.pods("default").stream().map(p -> p.name() + "=" + p.status().podIP()).toList());
    }

    @Test
    void aManifestDefinedKubeDnsWins() throws Exception {
        Files.writeString(dir.resolve("dns.yaml"), """
                apiVersion: v1
                kind: Service
                metadata: {name: kube-dns, namespace: kube-system}
                spec: {clusterIP: 127.96.0.53, ports: [{name: dns, port: 53, protocol: UDP}]}
                """);
        ClusterSnapshot s = new ClusterAgent(config()).loadOnce();
        assertEquals("127.96.0.53", s.service("kube-system", "kube-dns").orElseThrow().spec().clusterIP());
    }

    @Test
    void editingReplicasScalesAndAReadinessProbeDecidesTheEndpoint() throws Exception {
        Files.writeString(dir.resolve("my-nginx.yaml"), MY_NGINX.formatted(2));
        SnapshotQueue seen = new SnapshotQueue();
        try (ClusterAgent agent = new ClusterAgent(config())) {
            agent.view().subscribe(seen);
            agent.start();
            ClusterSnapshot two = seen.await(s -> s.pods("default").size() == 2);
            Files.writeString(dir.resolve("my-nginx.yaml"), MY_NGINX.formatted(3));
            ClusterSnapshot three = seen.await(s -> s.pods("default").size() == 3);
            assertTrue(three.pods("default").stream().map(Pod::name).toList()
                    .containsAll(two.pods("default").stream().map(Pod::name).toList()));

            // A tcpSocket probe: not ready until something listens on the pod IP.
            String probed = MY_NGINX.formatted(1).replace("ports: [{containerPort: 80}]",
                    "ports: [{containerPort: 80}]\n        readinessProbe: {tcpSocket: {port: PORT}, periodSeconds: 1}");
            try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                probed = probed.replace("PORT", Integer.toString(free.getLocalPort()));
                int port = free.getLocalPort();
                free.close();
                Files.writeString(dir.resolve("my-nginx.yaml"), probed);
                ClusterSnapshot notReady = seen.await(s -> s.pods("default").size() == 1
                        && !s.pods("default").get(0).isReady());
                String ip = notReady.pods("default").get(0).status().podIP();
                assertEquals(List.of(ip), endpointIps(notReady, "default", "my-nginx", false));
                try (ServerSocket backend = new ServerSocket()) {
                    backend.bind(new InetSocketAddress(ip, port));
                    ClusterSnapshot ready = seen.await(s -> s.pods("default").size() == 1 && s.pods("default").get(0).isReady());
                    assertEquals(List.of(ip), endpointIps(ready, "default", "my-nginx", true));
                }
            }
        }
    }
}
