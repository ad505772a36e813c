package dev.clusterdns.agent;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.clusterdns.agent.manifest.ManifestFile;
import dev.clusterdns.agent.manifest.ManifestReader;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.agent.snapshot.Problem;
import dev.clusterdns.agent.validation.Validation;
import java.io.ByteArrayInputStream;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes what a manifest file controls: any bytes as YAML or JSON through the reader, defaulting,
 * validation, allocation and the endpoints controller. Bad input must come back as problems with a
 * message (never an exception), and every Service that is served must pass validation.
 *
 * <p>`mvn verify` replays the seeds in `ManifestFuzzTestInputs/`; `JAZZER_FUZZ=1` fuzzes (see the
 * root README).
 */
class ManifestFuzzTest {
    private static final ManifestReader READER = new ManifestReader();

    /** Found by this target: an object without metadata made every reconcile throw (NPE while keying objects). */
    @Test
    void anObjectWithoutMetadataIsReportedAndTheRestServes() {
        String yaml = "apiVersion: v1\nkind: Service\nspec: {ports: [{port: 80}]}\n---\n"
                + "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n";
        ManifestFile read = READER.read(new ByteArrayInputStream(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                "two.yaml", false);
        assertTrue(read.problems().get(0).message().contains("missing required field \"metadata\""), read.problems().toString());
        ClusterSnapshot s = new ClusterReconciler(new AgentConfig(List.of(), null, List.of(AgentConfig.DEFAULT_SERVICE_CIDR),
                AgentConfig.DEFAULT_NODE_PORT_RANGE, "127.200.0.0/16", "cluster.local")).apply(changes(read));
        assertTrue(s.services().stream().anyMatch(x -> "web".equals(x.name())), "the valid Service is served");
    }

    /** What a source would report for this file: each object once, the first definition winning. */
    private static dev.clusterdns.agent.source.SourceChanges changes(ManifestFile read) {
        java.util.Map<dev.clusterdns.agent.source.ObjectKey, dev.clusterdns.agent.source.ObjectChange> first = new java.util.LinkedHashMap<>();
        read.manifests().forEach(m -> first.putIfAbsent(dev.clusterdns.agent.source.ObjectKey.of(m.object()),
                dev.clusterdns.agent.source.ObjectChange.put(m)));
        return new dev.clusterdns.agent.source.SourceChanges(new java.util.ArrayList<>(first.values()), read.problems());
    }

    @FuzzTest(maxDuration = "10m")
    void readValidateAndAllocate(byte[] input) {
        if (input.length == 0) {
            return;
        }
        // The first byte picks the syntax; the rest is the file.
        boolean json = (input[0] & 1) == 1;
        byte[] file = Arrays.copyOfRange(input, 1, input.length);
        ManifestFile read = READER.read(new ByteArrayInputStream(file), json ? "fuzz.json" : "fuzz.yaml", json);
        for (Problem p : read.problems()) {
            assertFalse(p.message() == null || p.message().isBlank(), "a problem says what is wrong: " + p);
        }
        // Memory-only state: a fresh reconciler per input, so inputs do not depend on each other.
        ClusterReconciler reconciler = new ClusterReconciler(new AgentConfig(List.of(), null,
                List.of(AgentConfig.DEFAULT_SERVICE_CIDR), AgentConfig.DEFAULT_NODE_PORT_RANGE, "127.200.0.0/16",
                "cluster.local"));
        ClusterSnapshot snapshot = reconciler.apply(changes(read));
        for (Problem p : snapshot.problems()) {
            assertFalse(p.message() == null || p.message().isBlank(), "a problem says what is wrong: " + p);
        }
        for (Service s : snapshot.services()) {
            assertTrue(Validation.service(s).isEmpty(), "served Service " + s.metadata().key()
                    + " fails validation: " + Validation.service(s));
        }
    }
}
