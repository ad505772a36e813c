package dev.clusterdns.proxy.table;

import dev.clusterdns.agent.net.Cidr;
import java.net.InetAddress;
import java.util.List;

/**
 * What one listener serves: the Service port (for logs and metrics), its balancer, and the source
 * ranges allowed (LoadBalancer addresses with {@code loadBalancerSourceRanges}; empty = everyone).
 */
public record Route(String servicePort, Balancer balancer, List<Cidr> sourceRanges, PortMetrics metrics) {

    public Route {
        sourceRanges = List.copyOf(sourceRanges);
    }

    public boolean allows(InetAddress client) {
        return sourceRanges.isEmpty() || Cidr.anyContains(sourceRanges, client);
    }
}
