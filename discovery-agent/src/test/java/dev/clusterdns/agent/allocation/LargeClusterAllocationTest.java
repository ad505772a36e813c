package dev.clusterdns.agent.allocation;

import static dev.clusterdns.agent.allocation.ServiceFixture.allocator;
import static dev.clusterdns.agent.allocation.ServiceFixture.config;
import static dev.clusterdns.agent.allocation.ServiceFixture.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.ServicePort;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 10k Services in the default ranges: every address and port distinct, and stable on the next rebuild. */
class LargeClusterAllocationTest {
    @TempDir
    Path dir;

    @Test
    void tenThousandServices() {
        List<Service> services = new ArrayList<>();
        int externallyReachable = 0;
        for (int i = 0; i < 10_000; i++) {
            ServiceFixture f = service("svc-" + i).namespace("ns" + (i % 50));
            if (i % 5 == 0) {
                f.type(Service.TYPE_NODE_PORT).port("TCP", 80).port("UDP", 80);
                externallyReachable++;
            } else if (i % 97 == 0) {
                f.type(Service.TYPE_LOAD_BALANCER).port("TCP", 443);
                externallyReachable++;
            }
            services.add(f.build());
        }
        ServiceAllocator alloc = allocator(config(null, null, null, dir), 17);
        Allocations a = alloc.reconcile(services);
        assertTrue(a.rejected().isEmpty(), a.rejected().toString());
        Set<String> ips = new HashSet<>();
        Set<Integer> nodePorts = new HashSet<>();
        for (Service s : a.services()) {
            assertTrue(ips.add(s.spec().clusterIP()), "duplicate " + s.spec().clusterIP());
            Set<Integer> own = new HashSet<>();
            for (ServicePort p : s.spec().ports()) {
                if (p.nodePort() != null) {
                    own.add(p.nodePort());
                }
            }
            for (int np : own) {
                assertTrue(nodePorts.add(np), "nodePort " + np + " used by two Services");
            }
        }
        assertEquals(10_000, ips.size());
        assertEquals(externallyReachable, nodePorts.size(), "one per NodePort Service (TCP/UDP share), one per LoadBalancer");
        assertEquals(a, alloc.reconcile(services));
        assertEquals(a, allocator(config(null, null, null, dir), 18).reconcile(services));
    }
}
