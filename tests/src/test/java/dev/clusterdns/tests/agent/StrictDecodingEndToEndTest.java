package dev.clusterdns.tests.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clusterdns.tests.CommandResult;
import dev.clusterdns.tests.ServeProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A misspelled field in a manifest gets the API server's strict-decoding error, named with its file,
 * in `/api/clusterdns/problems` and serve's output; that object is left out while the good objects
 * of the same file answer in DNS.
 */
class StrictDecodingEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static String dig(ServeProcess serve, String name) {
        List<String> cmd = new ArrayList<>(List.of("dig", "@127.0.0.1", "-p", String.valueOf(serve.dnsPort()),
                "+time=2", "+tries=1", "+short", name));
        return CommandResult.run(cmd, ServeProcess.root()).stdout().trim();
    }

    private static String service(String name, String ip, String spec) {
        return "apiVersion: v1\nkind: Service\nmetadata: {name: " + name + "}\nspec:\n  clusterIP: " + ip + "\n" + spec;
    }

    /** The problem reported for an object, polled (bounded) since the first snapshot may still be on its way. */
    private static JsonNode problemFor(ServeProcess serve, String object) throws Exception {
        JsonNode last = null;
        for (int i = 0; i < 100; i++) {
            last = JSON.readTree(serve.http("/api/clusterdns/problems"));
            for (JsonNode p : last) {
                if (p.path("object").asText().equals(object)) {
                    return p;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no problem for " + object + ": " + last + "\n" + serve.output());
    }

    @Test
    void aMisspelledFieldLeavesOnlyThatObjectOut() throws Exception {
        Assumptions.assumeTrue(CommandResult.onPath("dig"), "needs dig (Debian package dnsutils)");
        Path file = dir.resolve("services.yaml");
        String typo = service("typo", "127.96.0.42", "  selectr: {app: typo}\n  ports: [{port: 80, targetport: 8080}]\n");
        Files.writeString(file, service("web", "127.96.0.41", "  selector: {app: web}\n  ports: [{port: 80}]\n")
                + "---\n" + typo
                + "---\n" + service("quoted", "127.96.0.43", "  ports: [{port: \"80\"}]\n")
                + "---\n" + service("api", "127.96.0.44", "  ports: [{port: 8080}]\n"));
        try (ServeProcess serve = ServeProcess.start("--manifests", dir.toString())) {
            JsonNode unknown = problemFor(serve, "Service typo");
            assertEquals(file + " (document 2)", unknown.path("source").asText());
            String unknownMessage = "Service in version \"v1\" cannot be handled as a Service: strict decoding error: "
                    + "unknown field \"spec.ports[0].targetport\", unknown field \"spec.selectr\"";
            assertEquals(unknownMessage, unknown.path("message").asText());

            JsonNode wrongType = problemFor(serve, "Service quoted");
            assertEquals(file + " (document 3)", wrongType.path("source").asText());
            assertEquals("Service in version \"v1\" cannot be handled as a Service: spec.ports[0].port: "
                    + "Invalid value: \"80\": expected an integer (int32), got a string", wrongType.path("message").asText());

            // The good Services of the same file answer; the refused ones do not exist.
            assertEquals("127.96.0.41", dig(serve, "web.default.svc.cluster.local"), serve.output());
            assertEquals("127.96.0.44", dig(serve, "api.default.svc.cluster.local"), serve.output());
            assertEquals("", dig(serve, "typo.default.svc.cluster.local"));
            assertEquals("", dig(serve, "quoted.default.svc.cluster.local"));
            assertEquals(404, serve.httpStatus("/api/v1/namespaces/default/services/typo"));
            assertTrue(serve.output().contains(unknownMessage), serve.output());

            // Fixing the spelling brings the object in, without a restart; the others keep answering.
            Path tmp = dir.resolve(".services.yaml.tmp");
            Files.writeString(tmp, Files.readString(file).replace("selectr:", "selector:").replace("targetport:", "targetPort:"));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            String answer = "";
            for (int i = 0; i < 100 && answer.isEmpty(); i++) {
                Thread.sleep(100);
                answer = dig(serve, "typo.default.svc.cluster.local");
            }
            assertEquals("127.96.0.42", answer, serve.output());
            assertEquals("127.96.0.41", dig(serve, "web.default.svc.cluster.local"));
        }
    }
}
