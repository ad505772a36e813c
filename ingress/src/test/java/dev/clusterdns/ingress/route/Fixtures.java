package dev.clusterdns.ingress.route;

import dev.clusterdns.agent.manifest.Manifest;
import dev.clusterdns.agent.manifest.ManifestFile;
import dev.clusterdns.agent.manifest.ManifestReader;
import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Ingress;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.agent.validation.IngressChecks;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Snapshots written as YAML manifests, bound by the agent's own reader. */
final class Fixtures {
    private Fixtures() {}

    static ClusterSnapshot snapshot(String yaml) {
        ManifestFile f = new ManifestReader().read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)),
                "test.yaml", false);
        if (!f.problems().isEmpty()) {
            throw new IllegalArgumentException(f.problems().toString());
        }
        List<Ingress> ingresses = new ArrayList<>();
        List<Service> services = new ArrayList<>();
        List<EndpointSlice> slices = new ArrayList<>();
        for (Manifest m : f.manifests()) {
            if (m.object() instanceof Ingress i) {
                Ingress d = IngressChecks.defaults(i);
                if (!IngressChecks.validate(d).isEmpty()) {
                    throw new IllegalArgumentException(IngressChecks.validate(d).toString());
                }
                ingresses.add(d);
            } else if (m.object() instanceof Service s) {
                services.add(s.withMetadata(s.metadata().withNamespace("default")));
            } else if (m.object() instanceof EndpointSlice e) {
                slices.add(new EndpointSlice(e.apiVersion(), e.kind(), e.metadata().withNamespace("default"),
                        e.addressType(), e.endpoints(), e.ports()));
            }
        }
        return ClusterSnapshot.builder(1).ingresses(ingresses).services(services).endpointSlices(slices).build();
    }

    /** An Ingress with one host-less rule per `path:type:service` entry, all on Service port 80. */
    static String ingress(String name, String created, String host, String... paths) {
        StringBuilder sb = new StringBuilder("""
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: %s
                  creationTimestamp: "%s"
                spec:
                  rules:
                  - %shttp:
                      paths:
                """.formatted(name, created, host == null ? "" : "host: \"" + host + "\"\n    "));
        for (String p : paths) {
            String[] parts = p.split(":");
            sb.append("""
                          - path: %s
                            pathType: %s
                            backend:
                              service:
                                name: %s
                                port: {number: 80}
                    """.formatted(parts[0], parts[1], parts[2]));
        }
        return sb.append("---\n").toString();
    }
}
