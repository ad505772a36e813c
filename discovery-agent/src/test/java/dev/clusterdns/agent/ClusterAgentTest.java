package dev.clusterdns.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterAgentTest {
    @TempDir
    Path dir;

    private static AgentConfig config(Path dir) {
        return new AgentConfig(List.of(dir), null, null, null, null, null);
    }

    @Test
    void publishesOnStartAndAfterEveryFileChange() throws Exception {
        Files.writeString(dir.resolve("web.yaml"), """
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop}
                spec: {selector: {app: web}, ports: [{port: 80}]}
                """);
        SnapshotQueue seen = new SnapshotQueue();
        try (ClusterAgent agent = new ClusterAgent(config(dir))) {
            agent.view().subscribe(seen);
            agent.start();
            ClusterSnapshot first = seen.await(s -> s.revision() >= 1);
            assertTrue(first.service("shop", "web").isPresent());
            assertTrue(first.service("default", "kubernetes").isPresent(), "default/kubernetes always exists");
            assertTrue(first.namespace("shop").isPresent(), "namespaces of objects exist");
            assertTrue(first.namespace("kube-system").isPresent());

            Files.writeString(dir.resolve("api.yaml"), """
                    apiVersion: v1
                    kind: Service
                    metadata: {name: api, namespace: shop}
                    spec: {selector: {app: api}, ports: [{port: 8080}]}
                    """);
            ClusterSnapshot second = seen.await(s -> s.service("shop", "api").isPresent());
            assertTrue(second.revision() > first.revision());

            Files.delete(dir.resolve("web.yaml"));
            ClusterSnapshot third = seen.await(s -> s.service("shop", "web").isEmpty());
            assertTrue(third.service("shop", "api").isPresent());
        }
    }

    @Test
    void duplicateObjectsKeepTheFirstAndReportTheSecond() {
        try {
            Files.writeString(dir.resolve("a.yaml"), "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n");
            Files.writeString(dir.resolve("b.yaml"), "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 81}]}\n");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        ClusterSnapshot s = new ClusterAgent(config(dir)).loadOnce();
        assertEquals(80, s.service("default", "web").orElseThrow().spec().ports().get(0).port());
        assertTrue(s.problems().stream().anyMatch(p -> p.source().endsWith("b.yaml")
                && p.message().contains("services \"web\" already exists")), s.problems().toString());
    }
}
