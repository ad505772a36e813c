package dev.clusterdns.tests.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clusterdns.tests.ServeProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 item 4 through the real `serve` process and its state dir: a truncated
 * `allocations.json` costs no address that the previous generation knew.
 */
class DamagedStateServeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static String service(String name, String clusterIP) {
        return "apiVersion: v1\nkind: Service\nmetadata: {name: " + name + ", namespace: default}\nspec:\n"
                + (clusterIP == null ? "" : "  clusterIP: " + clusterIP + "\n")
                + "  selector: {app: " + name + "}\n  ports: [{port: 80}]\n";
    }

    private static String clusterIP(ServeProcess serve, String name) throws Exception {
        return JSON.readTree(serve.http("/api/v1/namespaces/default/services/" + name)).path("spec").path("clusterIP").asText();
    }

    private static void awaitService(ServeProcess serve, String name) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!clusterIP(serve, name).startsWith("127.")) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + " never served\n" + serve.output());
            }
            Thread.sleep(100);
        }
    }

    @Test
    void aTruncatedStateFileFallsBackToThePreviousGeneration() throws Exception {
        Path manifests = Files.createDirectories(dir.resolve("manifests"));
        Path state = Files.createDirectories(dir.resolve("state"));
        // Addresses only the state remembers: asked for explicitly, then the request is dropped
        // from the manifests (a Service keeps what it holds).
        Files.writeString(manifests.resolve("web.yaml"), service("web", "127.96.50.5"));
        Files.writeString(manifests.resolve("api.yaml"), service("api", "127.96.50.6"));
        List<String> args = List.of("--manifests", manifests.toString(), "--no-proxy");
        try (ServeProcess serve = ServeProcess.start(args, state)) {
            assertEquals("127.96.50.5", clusterIP(serve, "web"));
            Files.writeString(manifests.resolve("web.yaml"), service("web", null));
            Files.writeString(manifests.resolve("api.yaml"), service("api", null));
            // One more change, so the generation holding web and api is kept back as .prev.
            Files.writeString(manifests.resolve("late.yaml"), service("late", null));
            awaitService(serve, "late");
        }
        Path current = state.resolve("allocations.json");
        assertTrue(Files.exists(state.resolve("allocations.json.prev")), "a generation is kept back");
        byte[] whole = Files.readAllBytes(current);
        Files.write(current, java.util.Arrays.copyOf(whole, whole.length / 3));

        try (ServeProcess serve = ServeProcess.start(args, state)) {
            assertEquals("127.96.50.5", clusterIP(serve, "web"), serve.output());
            assertEquals("127.96.50.6", clusterIP(serve, "api"), serve.output());
            assertTrue(serve.output().contains("using the previous generation"), serve.output());
            assertTrue(Files.exists(state.resolve("allocations.json.corrupt")));
        }
    }
}
