package dev.clusterdns.agent.allocation;

import static dev.clusterdns.agent.allocation.ServiceFixture.allocator;
import static dev.clusterdns.agent.allocation.ServiceFixture.config;
import static dev.clusterdns.agent.allocation.ServiceFixture.errors;
import static dev.clusterdns.agent.allocation.ServiceFixture.find;
import static dev.clusterdns.agent.allocation.ServiceFixture.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.AgentConfig;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.net.Cidr;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** LoadBalancer ingress IPs from --loadbalancer-cidr. */
class LoadBalancerIpAllocationTest {
    private static final String LB = Service.TYPE_LOAD_BALANCER;
    /** 14 usable addresses, no static band (16 addresses or fewer). */
    private static final AgentConfig SMALL_POOL = config(List.of("10.0.0.0/24"), null, "192.0.2.0/28", null);

    private static List<String> lbIps(Allocations a, String name) {
        return find(a, name).loadBalancerIPs();
    }

    @Test
    void defaultPoolIsOnLoopback() {
        Allocations a = new ServiceAllocator(config(null, null, null, null))
                .reconcile(List.of(service("lb").type(LB).port("TCP", 80).build()));
        List<String> ips = lbIps(a, "lb");
        assertEquals(1, ips.size());
        assertTrue(Cidr.parse("127.200.0.0/16").contains(ips.get(0)), ips.toString());
    }

    @Test
    void everyLoadBalancerGetsItsOwnIpUntilThePoolIsFull() {
        ServiceAllocator alloc = allocator(SMALL_POOL, 8);
        List<Service> services = new ArrayList<>();
        for (int i = 0; i < 14; i++) {
            services.add(service("lb" + i).type(LB).port("TCP", 80).build());
        }
        services.add(service("plain").port("TCP", 80).build());
        Allocations a = alloc.reconcile(services);
        Set<String> ips = new HashSet<>();
        for (int i = 0; i < 14; i++) {
            String ip = lbIps(a, "lb" + i).get(0);
            assertTrue(Cidr.parse("192.0.2.0/28").contains(ip) && !ip.equals("192.0.2.0") && !ip.equals("192.0.2.15"), ip);
            ips.add(ip);
        }
        assertEquals(14, ips.size());
        assertTrue(lbIps(a, "plain").isEmpty());

        services.add(service("late").type(LB).port("TCP", 80).build());
        assertEquals(List.of("Internal error occurred: failed to allocate a loadBalancer IP: range is full"),
                errors(alloc.reconcile(services), "late"));
    }

    @Test
    void requestedLoadBalancerIPIsHonouredAndOlderWins() {
        ServiceAllocator alloc = allocator(SMALL_POOL, 8);
        Service newer = service("newer").type(LB).loadBalancerIP("192.0.2.5").created("2024-02-01T00:00:00Z").port("TCP", 80).build();
        Service older = service("older").type(LB).loadBalancerIP("192.0.2.5").created("2024-01-01T00:00:00Z").port("TCP", 80).build();
        Service outside = service("outside").type(LB).loadBalancerIP("198.51.100.1").port("TCP", 80).build();
        Allocations a = alloc.reconcile(List.of(newer, older, outside));
        assertEquals(List.of("192.0.2.5"), lbIps(a, "older"));
        assertEquals(List.of("spec.loadBalancerIP: Invalid value: \"192.0.2.5\": failed to allocate IP 192.0.2.5: provided IP is already allocated"),
                errors(a, "newer"));
        assertEquals(List.of("spec.loadBalancerIP: Invalid value: \"198.51.100.1\": failed to allocate IP 198.51.100.1: "
                + "the provided IP (198.51.100.1) is not in the valid range. The range of valid IPs is 192.0.2.0/28"), errors(a, "outside"));
    }

    @Test
    void ipsAreStickyAndReleasedWhenTheServiceGoesOrStopsBeingALoadBalancer() {
        ServiceAllocator alloc = allocator(SMALL_POOL, 8);
        Service lb = service("lb").type(LB).port("TCP", 80).build();
        Service other = service("other").type(LB).port("TCP", 80).build();
        Allocations first = alloc.reconcile(List.of(lb, other));
        String ip = lbIps(first, "lb").get(0);
        String otherIp = lbIps(first, "other").get(0);
        assertEquals(ip, lbIps(alloc.reconcile(List.of(other, lb)), "lb").get(0));

        Allocations demoted = alloc.reconcile(List.of(service("lb").port("TCP", 80).build(), other,
                service("claimer").type(LB).loadBalancerIP(ip).port("TCP", 80).build()));
        assertTrue(lbIps(demoted, "lb").isEmpty());
        assertEquals(List.of(ip), lbIps(demoted, "claimer"));

        Allocations deleted = alloc.reconcile(List.of(service("claimer").type(LB).loadBalancerIP(ip).port("TCP", 80).build(),
                service("claimer2").type(LB).loadBalancerIP(otherIp).port("TCP", 80).build()));
        assertEquals(List.of(otherIp), lbIps(deleted, "claimer2"));
    }
}
