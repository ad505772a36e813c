package dev.clusterdns.agent.allocation;

import static dev.clusterdns.agent.allocation.ServiceFixture.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.clusterdns.agent.AgentConfig;
import dev.clusterdns.agent.model.Service;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Without a state dir, `serve`, `env` and `resolvconf` are separate processes that must still agree:
 * the production allocator derives each dynamic choice from the Service's name.
 */
class DeterministicAllocationTest {

    private static List<Service> services() {
        List<Service> out = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            out.add(service("svc-" + i).type(i % 2 == 0 ? Service.TYPE_NODE_PORT : Service.TYPE_CLUSTER_IP).build());
        }
        out.add(service("lb").type(Service.TYPE_LOAD_BALANCER).build());
        return out;
    }

    @Test
    void twoProcessesWithoutStateMakeTheSameChoices() {
        AgentConfig config = new AgentConfig(List.of(), null, null, null, null, null);
        Allocations first = new ServiceAllocator(config).reconcile(services());
        Allocations second = new ServiceAllocator(config).reconcile(services());
        assertEquals(first.services(), second.services());
        assertEquals(first.rejected(), second.rejected());
    }

    @Test
    void choicesStillSpreadOverTheDynamicBand() {
        Allocations a = new ServiceAllocator(new AgentConfig(List.of(), null, null, null, null, null)).reconcile(services());
        // Name-derived starts must not pile every Service onto neighbouring addresses.
        assertNotEquals(ServiceFixture.ip(a, "svc-1"), ServiceFixture.ip(a, "svc-3"));
        long distinctSecondOctets = a.services().stream().filter(Service::hasClusterIP)
                .map(s -> s.spec().clusterIP().split("\\.")[1]).distinct().count();
        assertEquals(true, distinctSecondOctets > 5, "spread over the /12: " + distinctSecondOctets);
    }
}
