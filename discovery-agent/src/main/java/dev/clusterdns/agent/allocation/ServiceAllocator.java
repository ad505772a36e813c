package dev.clusterdns.agent.allocation;

import dev.clusterdns.agent.AgentConfig;
import dev.clusterdns.agent.model.Service;
import java.util.List;
import java.util.Map;

/** Placeholder until the allocation work lands. */
public final class ServiceAllocator {
    public ServiceAllocator(AgentConfig config) {}

    public synchronized Allocations reconcile(List<Service> services) {
        return new Allocations(services, Map.of());
    }
}
