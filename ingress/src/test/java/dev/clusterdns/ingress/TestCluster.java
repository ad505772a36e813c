package dev.clusterdns.ingress;

import dev.clusterdns.agent.manifest.Manifest;
import dev.clusterdns.agent.manifest.ManifestFile;
import dev.clusterdns.agent.manifest.ManifestReader;
import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Ingress;
import dev.clusterdns.agent.model.Secret;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.agent.snapshot.ClusterView;
import dev.clusterdns.agent.validation.Defaults;
import dev.clusterdns.agent.validation.IngressChecks;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** A ClusterView fed from YAML by the test: each {@link #apply} publishes the next snapshot. */
final class TestCluster implements ClusterView {
    private final List<Consumer<ClusterSnapshot>> listeners = new CopyOnWriteArrayList<>();
    private volatile ClusterSnapshot current = ClusterSnapshot.empty();
    private long revision;

    @Override
    public ClusterSnapshot current() {
        return current;
    }

    @Override
    public synchronized AutoCloseable subscribe(Consumer<ClusterSnapshot> listener) {
        listeners.add(listener);
        listener.accept(current);
        return () -> listeners.remove(listener);
    }

    synchronized void apply(String yaml) {
        ManifestFile f = new ManifestReader().read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)),
                "test.yaml", false);
        if (!f.problems().isEmpty()) {
            throw new IllegalArgumentException(f.problems().toString());
        }
        List<Ingress> ingresses = new ArrayList<>();
        List<Service> services = new ArrayList<>();
        List<EndpointSlice> slices = new ArrayList<>();
        List<Secret> secrets = new ArrayList<>();
        for (Manifest m : f.manifests()) {
            if (m.object() instanceof Ingress i) {
                ingresses.add(IngressChecks.defaults(i));
            } else if (m.object() instanceof Service s) {
                services.add(Defaults.service(s));
            } else if (m.object() instanceof EndpointSlice e) {
                slices.add(Defaults.endpointSlice(e));
            } else if (m.object() instanceof Secret s) {
                secrets.add(Defaults.secret(s));
            }
        }
        current = ClusterSnapshot.builder(++revision).ingresses(ingresses).services(services).endpointSlices(slices)
                .secrets(secrets).build();
        listeners.forEach(l -> l.accept(current));
    }

    /** A Service `name` on port 80 → `http` with one EndpointSlice of these ready endpoints on `port`. */
    static String service(String name, int port, String... ips) {
        StringBuilder sb = new StringBuilder("""
                apiVersion: v1
                kind: Service
                metadata: {name: %s}
                spec:
                  ports: [{name: http, port: 80, targetPort: http}]
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: %s-x, labels: {kubernetes.io/service-name: %s}}
                addressType: IPv4
                ports: [{name: http, port: %d}]
                endpoints:
                """.formatted(name, name, name, port));
        for (String ip : ips) {
            sb.append("- addresses: [").append(ip).append("]\n");
        }
        return sb.append("---\n").toString();
    }
}
