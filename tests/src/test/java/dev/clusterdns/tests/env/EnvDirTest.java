package dev.clusterdns.tests.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.tests.ServeProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `serve --env-dir`: the files exist once /ready says so, follow manifest changes, and go with their pod. */
class EnvDirTest {
    @TempDir Path tmp;

    @Test
    void envDirFollowsTheCluster() throws Exception {
        Assumptions.assumeTrue(EnvFixtures.hasShells(), "needs bash, sh and env on PATH");
        Path manifests = Files.createDirectories(tmp.resolve("manifests"));
        Files.copy(EnvFixtures.manifests(), manifests.resolve("cluster.yaml"));
        Path dir = tmp.resolve("env");
        try (ServeProcess serve = ServeProcess.start(List.of("--manifests", manifests.toString(), "--env-dir", dir.toString()))) {
            // Ready means the first write is done.
            Path podFile = dir.resolve("shop/web-1.env");
            assertTrue(Files.exists(podFile), serve.output());
            Map<String, String> expected = new TreeMap<>(EnvCommandTest.webPodVariables());
            assertEquals(expected, EnvFixtures.sourcedIn("bash", podFile));
            assertEquals(expected, EnvFixtures.sourcedIn("sh", podFile));
            assertEquals(new TreeMap<>(EnvCommandTest.shopServiceVariables()), EnvFixtures.sourcedIn("sh", dir.resolve("shop.env")));
            // The node's own search domains (from /etc/resolv.conf) may follow the cluster ones.
            String resolv = Files.readString(dir.resolve("shop/web-1.resolv.conf"));
            assertTrue(resolv.startsWith("search shop.svc.cluster.local svc.cluster.local cluster.local"), resolv);
            assertTrue(resolv.endsWith("\nnameserver 127.96.0.10\noptions ndots:5\n"), resolv);
            assertFalse(Files.exists(dir.resolve("shop/broken.env")), "kubelet would not start that container");

            FileTime defaultWritten = FileTime.fromMillis(1_000_000L);
            Files.setLastModifiedTime(dir.resolve("default.env"), defaultWritten);

            // A new namespace with a Service and a pod.
            Files.writeString(manifests.resolve("late.yaml"), """
                    apiVersion: v1
                    kind: Service
                    metadata: {name: api, namespace: late}
                    spec:
                      clusterIP: 127.96.7.1
                      ports: [{port: 8080}]
                    ---
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: worker, namespace: late}
                    spec:
                      containers: [{name: main, image: busybox, env: [{name: TARGET, value: "$(API_SERVICE_HOST):$(API_SERVICE_PORT)"}]}]
                    """);
            Path workerFile = dir.resolve("late/worker.env");
            awaitTrue(() -> Files.exists(workerFile), "late/worker.env never appeared\n" + serve.output());
            assertEquals("127.96.7.1:8080", EnvFixtures.sourcedIn("bash", workerFile).get("TARGET"));
            assertTrue(Files.readString(dir.resolve("late.env")).contains("export API_SERVICE_HOST='127.96.7.1'"));
            assertEquals(defaultWritten, Files.getLastModifiedTime(dir.resolve("default.env")),
                    "a file whose content did not change is not rewritten");

            // The namespace goes again: its files and directory go.
            Files.delete(manifests.resolve("late.yaml"));
            awaitTrue(() -> !Files.exists(dir.resolve("late.env")) && !Files.exists(dir.resolve("late")),
                    "late files never removed\n" + serve.output());
            assertTrue(Files.exists(podFile));
            try (var files = Files.walk(dir)) {
                assertEquals(List.of(), files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList());
            }
        }
    }

    private static void awaitTrue(BooleanSupplier condition, String message) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(message);
    }
}
