package dev.clusterdns.dns.cluster;

import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Namespace;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.dns.TestCluster;
import java.util.ArrayList;
import java.util.List;

/**
 * A cluster-sized snapshot for the rebuild tests: {@code services} Services over 20 namespaces, each
 * with {@code endpointsPerService} ready endpoints; every tenth Service is headless.
 */
final class ScaleCluster {
    final List<Namespace> namespaces = new ArrayList<>();
    final List<Service> services = new ArrayList<>();
    final List<EndpointSlice> slices = new ArrayList<>();

    ScaleCluster(int count, int endpointsPerService) {
        for (int n = 0; n < 20; n++) {
            namespaces.add(Namespace.named("ns" + n));
        }
        for (int i = 0; i < count; i++) {
            services.add(service(i, 0));
            slices.add(slice(i, endpointsPerService, 0));
        }
    }

    static String namespace(int i) {
        return "ns" + (i % 20);
    }

    /** Service i; {@code variant} moves its ClusterIP (variant 0 is the original). */
    static Service service(int i, int variant) {
        String ns = namespace(i);
        if (i % 10 == 9) {
            return TestCluster.headless(ns, "svc-" + i, TestCluster.port("http", "TCP", 80));
        }
        int ip = i + variant * 7919;
        return TestCluster.clusterIp(ns, "svc-" + i, List.of("10.96." + (ip / 250 % 250) + "." + (ip % 250 + 1)),
                TestCluster.port("http", "TCP", 80), TestCluster.port("metrics", "TCP", 9090));
    }

    /** The endpoints of Service i; {@code variant} shifts their addresses (0 is the original). */
    static EndpointSlice slice(int i, int endpoints, int variant) {
        EndpointSlice.Endpoint[] eps = new EndpointSlice.Endpoint[endpoints];
        for (int e = 0; e < endpoints; e++) {
            int a = i * endpoints + e + variant * 104729;
            eps[e] = TestCluster.endpoint("10." + (100 + a / 62500 % 100) + "." + (a / 250 % 250) + "." + (a % 250 + 1),
                    i % 10 == 9 ? "pod-" + e : null, true, "p-" + i + "-" + e);
        }
        return TestCluster.slice(namespace(i), "svc-" + i, "a",
                List.of(TestCluster.epPort("http", "TCP", 8080), TestCluster.epPort("metrics", "TCP", 9090)), eps);
    }

    ClusterSnapshot snapshot(long revision) {
        return ClusterSnapshot.builder(revision).namespaces(namespaces).services(services).endpointSlices(slices).build();
    }
}
