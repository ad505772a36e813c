package dev.clusterdns.agent.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.clusterdns.agent.manifest.Manifest;
import dev.clusterdns.agent.manifest.ManifestReader;
import dev.clusterdns.agent.model.ConfigMap;
import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Endpoints;
import dev.clusterdns.agent.model.Ingress;
import dev.clusterdns.agent.model.IngressClass;
import dev.clusterdns.agent.model.KubeObject;
import dev.clusterdns.agent.model.Namespace;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.Secret;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.Workload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The manifests `clusterdns serve` ships with, read by the real reader, pass defaulting and validation. */
class ExampleManifestsTest {

    static List<FieldError> check(KubeObject o) {
        if (o instanceof Service s) {
            return Validation.service(Defaults.service(s));
        } else if (o instanceof Pod p) {
            return Validation.pod(Defaults.pod(p));
        } else if (o instanceof EndpointSlice e) {
            return Validation.endpointSlice(Defaults.endpointSlice(e));
        } else if (o instanceof Endpoints e) {
            return Validation.endpoints(Defaults.endpoints(e));
        } else if (o instanceof Namespace n) {
            return Validation.namespace(n);
        } else if (o instanceof ConfigMap c) {
            return Validation.configMap(Defaults.configMap(c));
        } else if (o instanceof Secret s) {
            return Validation.secret(Defaults.secret(s));
        } else if (o instanceof Workload w) {
            return Validation.workload(w);
        } else if (o instanceof Ingress i) {
            return IngressChecks.validate(IngressChecks.defaults(i));
        } else if (o instanceof IngressClass c) {
            return IngressChecks.validate(IngressChecks.defaults(c));
        }
        return List.of();
    }

    @Test
    void shippedExamplesAreValid() throws IOException {
        Path dir = Path.of("..", "examples", "manifests");
        Assumptions.assumeTrue(Files.isDirectory(dir), "examples/manifests not found from " + Path.of("").toAbsolutePath());
        List<String> problems = new ArrayList<>();
        int objects = 0;
        ManifestReader reader = new ManifestReader();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(ManifestReader::isManifest).sorted().toList()) {
                for (Manifest m : reader.read(f).manifests()) {
                    objects++;
                    List<FieldError> errors = check(m.object());
                    if (!errors.isEmpty()) {
                        problems.add(m.origin() + ": " + FieldError.kubectlMessage(m.object().kind(), m.object().name(), errors));
                    }
                }
            }
        }
        assertFalse(objects == 0, "no objects read");
        assertEquals(List.of(), problems);
    }
}
