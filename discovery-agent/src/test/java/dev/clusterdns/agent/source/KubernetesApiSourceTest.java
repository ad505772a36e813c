package dev.clusterdns.agent.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.AgentConfig;
import dev.clusterdns.agent.ClusterAgent;
import dev.clusterdns.agent.SnapshotQueue;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The agent against an API server (fabric8's mock server in CRUD mode): list, then watch. */
@EnableKubernetesMockClient(crud = true, https = false)
class KubernetesApiSourceTest {
    KubernetesMockServer server;
    KubernetesClient client;

    @Test
    void servesWhatTheApiServerSaysAndFollowsItsWatch() throws Exception {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build()).create();
        client.services().inNamespace("shop").resource(new ServiceBuilder()
                .withNewMetadata().withName("web").withNamespace("shop").endMetadata()
                .withNewSpec().withClusterIP("10.96.0.50").withClusterIPs("10.96.0.50").withSelector(Map.of("app", "web"))
                .addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString(8080)).withProtocol("TCP").endPort()
                .endSpec().build()).create();
        client.pods().inNamespace("shop").resource(new PodBuilder()
                .withNewMetadata().withName("web-1").withNamespace("shop").withLabels(Map.of("app", "web")).endMetadata()
                .withNewStatus().withPodIP("10.244.1.5").addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus()
                .build()).create();
        client.discovery().v1().endpointSlices().inNamespace("shop").resource(new EndpointSliceBuilder()
                .withNewMetadata().withName("web-abc").withNamespace("shop")
                .withLabels(Map.of("kubernetes.io/service-name", "web")).endMetadata()
                .withAddressType("IPv4")
                .addNewEndpoint().withAddresses("10.244.1.5").withNewConditions().withReady(true).endConditions().endEndpoint()
                .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort()
                .build()).create();

        AgentConfig config = new AgentConfig(List.of(), null, null, null, null, null,
                new AgentConfig.KubernetesApi(null, client.getMasterUrl().toString()));
        SnapshotQueue seen = new SnapshotQueue();
        try (ClusterAgent agent = new ClusterAgent(config)) {
            agent.view().subscribe(seen);
            agent.start();
            ClusterSnapshot first = seen.await(s -> s.service("shop", "web").isPresent());
            assertEquals("10.96.0.50", first.service("shop", "web").orElseThrow().spec().clusterIP(),
                    "the API server's allocation is kept as is");
            assertEquals(List.of("10.244.1.5"), first.endpointSlices("shop", "web").get(0).endpoints().get(0).addresses());
            assertTrue(first.namespace("shop").isPresent());
            assertTrue(first.service("default", "kubernetes").isEmpty(), "nothing is invented in API mode");

            client.services().inNamespace("shop").resource(new ServiceBuilder()
                    .withNewMetadata().withName("api").withNamespace("shop").endMetadata()
                    .withNewSpec().withClusterIP("10.96.0.51").addNewPort().withPort(9090).endPort().endSpec().build()).create();
            seen.await(s -> s.service("shop", "api").isPresent());

            client.services().inNamespace("shop").withName("web").delete();
            ClusterSnapshot gone = seen.await(s -> s.service("shop", "web").isEmpty());
            assertTrue(gone.service("shop", "api").isPresent());
        }
    }

    @Test
    void loadOnceListsWithoutWatching() {
        client.services().inNamespace("default").resource(new ServiceBuilder()
                .withNewMetadata().withName("one").withNamespace("default").endMetadata()
                .withNewSpec().withClusterIP("10.96.0.9").addNewPort().withPort(53).withProtocol("UDP").endPort().endSpec().build()).create();
        AgentConfig config = new AgentConfig(List.of(), null, null, null, null, null,
                new AgentConfig.KubernetesApi(null, client.getMasterUrl().toString()));
        ClusterSnapshot s = new ClusterAgent(config).loadOnce();
        assertEquals("UDP", s.service("default", "one").orElseThrow().spec().ports().get(0).protocol());
    }

    @Test
    void anAbsentApiServerDoesNotStopTheAgentAndIsPickedUpWhenItAnswers() throws Exception {
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        AgentConfig config = new AgentConfig(List.of(), null, null, null, null, null,
                new AgentConfig.KubernetesApi(null, "http://127.0.0.1:" + port));
        SnapshotQueue seen = new SnapshotQueue();
        try (ClusterAgent agent = new ClusterAgent(config)) {
            agent.view().subscribe(seen);
            agent.start(); // waits a few seconds for the first list, then returns: serving goes on
            assertFalse(agent.synced().isDone(), "nothing listed yet");
            assertEquals(0, agent.view().current().revision());

            KubernetesMockServer late = new KubernetesMockServer(new io.fabric8.mockwebserver.Context(),
                    new io.fabric8.mockwebserver.MockWebServer(), new java.util.HashMap<>(),
                    new io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher(), false);
            late.init(java.net.InetAddress.getByName("127.0.0.1"), port);
            try (KubernetesClient lateClient = late.createClient()) {
                lateClient.services().inNamespace("default").resource(new ServiceBuilder()
                        .withNewMetadata().withName("late").withNamespace("default").endMetadata()
                        .withNewSpec().withClusterIP("10.96.0.77").addNewPort().withPort(80).endPort().endSpec().build()).create();
                seen.await(s -> s.service("default", "late").isPresent());
                // The source completes its first sync after handing the batch over, so the snapshot
                // may be seen a moment before: wait for it rather than read it once.
                agent.synced().get(60, java.util.concurrent.TimeUnit.SECONDS);
            } finally {
                late.destroy();
            }
        }
    }

    @Test
    void aOneOffLoadFromAnAbsentApiServerFailsWithTheReason() throws Exception {
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        AgentConfig config = new AgentConfig(List.of(), null, null, null, null, null,
                new AgentConfig.KubernetesApi(null, "http://127.0.0.1:" + port));
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> new ClusterAgent(config).loadOnce());
        assertTrue(e.getMessage().startsWith("cannot list from the Kubernetes API at http://127.0.0.1:" + port)
                && e.getMessage().contains("connection refused"), e.getMessage());
    }
}
