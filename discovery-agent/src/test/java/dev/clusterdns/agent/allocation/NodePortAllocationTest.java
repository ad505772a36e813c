package dev.clusterdns.agent.allocation;

import static dev.clusterdns.agent.allocation.ServiceFixture.allocator;
import static dev.clusterdns.agent.allocation.ServiceFixture.config;
import static dev.clusterdns.agent.allocation.ServiceFixture.errors;
import static dev.clusterdns.agent.allocation.ServiceFixture.find;
import static dev.clusterdns.agent.allocation.ServiceFixture.nodePorts;
import static dev.clusterdns.agent.allocation.ServiceFixture.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.AgentConfig;
import dev.clusterdns.agent.model.Service;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** NodePort rules (Kubernetes' NodePort allocator): bands, per-protocol sharing, health checks, errors, release. */
class NodePortAllocationTest {
    private static final AgentConfig DEFAULT = config(List.of("10.0.0.0/16"), null, null, null);
    private static final String NODE_PORT = Service.TYPE_NODE_PORT;
    private static final String LOAD_BALANCER = Service.TYPE_LOAD_BALANCER;

    @Test
    void dynamicNodePortsComeFromTheUpperBandOfTheDefaultRange() {
        List<Service> services = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            services.add(service("np" + i).type(NODE_PORT).port("TCP", 80).build());
        }
        Allocations a = allocator(DEFAULT, 9).reconcile(services);
        Set<Integer> seen = new HashSet<>();
        for (Service s : a.services()) {
            int port = s.spec().ports().get(0).nodePort();
            // 2768 ports → offset min(max(16, 2768/32), 128) = 86: static band 30000-30085.
            assertTrue(port >= 30086 && port <= 32767, s.metadata().name() + " got " + port);
            assertTrue(seen.add(port), "duplicate " + port);
        }
        assertEquals(300, seen.size());
    }

    @Test
    void smallRangeFillsTheUpperBandThenTheStaticBandThenReportsFull() {
        // 30000-30099: 100 ports, offset max(16, 100/32) = 16: static band 30000-30015.
        AgentConfig small = config(List.of("10.0.0.0/16"), "30000-30099", null, null);
        ServiceAllocator alloc = allocator(small, 4);
        List<Service> services = new ArrayList<>();
        for (int i = 0; i < 84; i++) {
            services.add(service("np" + i).type(NODE_PORT).port("TCP", 80).build());
        }
        Allocations upper = alloc.reconcile(services);
        for (Service s : upper.services()) {
            int port = s.spec().ports().get(0).nodePort();
            assertTrue(port >= 30016 && port <= 30099, "upper band first: " + port);
        }
        services.add(service("low").type(NODE_PORT).port("TCP", 80).build());
        int low = nodePorts(alloc.reconcile(services), "low").get(0);
        assertTrue(low >= 30000 && low <= 30015, "static band once the upper band is full: " + low);

        for (int i = 0; i < 15; i++) {
            services.add(service("fill" + i).type(NODE_PORT).port("TCP", 80).build());
        }
        services.add(service("late").type(NODE_PORT).port("TCP", 80).build());
        Allocations full = alloc.reconcile(services);
        assertEquals(List.of("Internal error occurred: failed to allocate a nodePort: range is full"), errors(full, "late"));
        assertEquals(100, full.services().size());
    }

    @Test
    void explicitNodePortsInEitherBandAndTheirErrors() {
        ServiceAllocator alloc = allocator(DEFAULT, 1);
        Allocations a = alloc.reconcile(List.of(
                service("static").type(NODE_PORT).port("TCP", 80, 30007).build(),
                service("dynamic").type(NODE_PORT).port("TCP", 80, 31000).build(),
                service("outside").type(NODE_PORT).port("TCP", 80, 8080).build()));
        assertEquals(List.of(30007), nodePorts(a, "static"));
        assertEquals(List.of(31000), nodePorts(a, "dynamic"));
        assertEquals(List.of("spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. "
                + "The range of valid ports is 30000-32767"), errors(a, "outside"));

        Allocations b = alloc.reconcile(List.of(
                service("static").type(NODE_PORT).port("TCP", 80, 30007).build(),
                service("dynamic").type(NODE_PORT).port("TCP", 80, 31000).build(),
                service("late").type(NODE_PORT).port("TCP", 80).port("TCP", 81, 30007).build()));
        assertEquals(List.of("spec.ports[1].nodePort: Invalid value: 30007: provided port is already allocated"), errors(b, "late"));
    }

    @Test
    void olderWinsAConflictingNodePortRequest() {
        Service newer = service("newer").type(NODE_PORT).port("TCP", 80, 30080).created("2024-06-01T00:00:00Z").build();
        Service older = service("older").type(NODE_PORT).port("TCP", 80, 30080).created("2024-01-01T00:00:00Z").build();
        Allocations a = allocator(DEFAULT, 1).reconcile(List.of(newer, older));
        assertEquals(List.of(30080), nodePorts(a, "older"));
        assertEquals(List.of("spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated"), errors(a, "newer"));
    }

    @Test
    void theSamePortNumberOverTcpAndUdpSharesOneNodePort() {
        ServiceAllocator alloc = allocator(DEFAULT, 2);
        Allocations a = alloc.reconcile(List.of(
                service("dns").type(NODE_PORT).port("TCP", 53).port("UDP", 53).port("TCP", 9153).build(),
                service("fixed").type(NODE_PORT).port("TCP", 53, 30053).port("UDP", 53, 30053).build()));
        List<Integer> dns = nodePorts(a, "dns");
        assertEquals(dns.get(0), dns.get(1), "53/TCP and 53/UDP share: " + dns);
        assertNotEquals(dns.get(0), dns.get(2));
        assertEquals(List.of(30053, 30053), nodePorts(a, "fixed"));

        // Another Service may not take the number under the other protocol.
        Allocations b = alloc.reconcile(List.of(
                service("fixed").type(NODE_PORT).port("TCP", 53, 30053).port("UDP", 53, 30053).build(),
                service("udp-only").type(NODE_PORT).port("UDP", 5353, 30053).build()));
        assertEquals(List.of("spec.ports[0].nodePort: Invalid value: 30053: provided port is already allocated"), errors(b, "udp-only"));

        // Within one Service, two different port numbers cannot share a nodePort.
        Allocations c = allocator(DEFAULT, 2).reconcile(List.of(
                service("mixed").type(NODE_PORT).port("TCP", 80, 30090).port("UDP", 81, 30090).build()));
        assertEquals(List.of("spec.ports[1].nodePort: Invalid value: 30090: provided port is already allocated"), errors(c, "mixed"));
    }

    @Test
    void nodePortsAreStickyAndAnExplicitChangeMovesThem() {
        ServiceAllocator alloc = allocator(DEFAULT, 3);
        Service web = service("web").type(NODE_PORT).port("TCP", 80).port("TCP", 443).build();
        List<Integer> first = nodePorts(alloc.reconcile(List.of(web)), "web");
        assertEquals(first, nodePorts(alloc.reconcile(List.of(web)), "web"));

        Service moved = service("web").type(NODE_PORT).port("TCP", 80, 30001).port("TCP", 443).build();
        List<Integer> after = nodePorts(alloc.reconcile(List.of(moved)), "web");
        assertEquals(List.of(30001, first.get(1)), after);
        Allocations reuse = alloc.reconcile(List.of(moved,
                service("taker").type(NODE_PORT).port("TCP", 80, first.get(0)).build()));
        assertEquals(List.of(first.get(0)), nodePorts(reuse, "taker"));
    }

    @Test
    void changingTypeToClusterIPReleasesNodePorts() {
        ServiceAllocator alloc = allocator(DEFAULT, 3);
        alloc.reconcile(List.of(service("web").type(NODE_PORT).port("TCP", 80, 30080).build()));
        Allocations a = alloc.reconcile(List.of(
                service("web").port("TCP", 80).build(),
                service("next").type(NODE_PORT).port("TCP", 80, 30080).build()));
        assertNull(nodePorts(a, "web").get(0));
        assertEquals(List.of(30080), nodePorts(a, "next"));
    }

    @Test
    void deletingAServiceReleasesItsNodePorts() {
        ServiceAllocator alloc = allocator(DEFAULT, 3);
        alloc.reconcile(List.of(service("web").type(NODE_PORT).port("TCP", 80, 30080).build()));
        Allocations a = alloc.reconcile(List.of(service("next").type(NODE_PORT).port("TCP", 80, 30080).build()));
        assertEquals(List.of(30080), nodePorts(a, "next"));
    }

    @Test
    void loadBalancersGetNodePortsUnlessTheyOptOut() {
        Allocations a = allocator(DEFAULT, 5).reconcile(List.of(
                service("lb").type(LOAD_BALANCER).port("TCP", 80).build(),
                service("lb-none").type(LOAD_BALANCER).noLoadBalancerNodePorts().port("TCP", 80).port("TCP", 81, 30081).build(),
                service("plain").port("TCP", 80).build()));
        assertNotNull(nodePorts(a, "lb").get(0));
        assertEquals(Arrays.asList(null, 30081), nodePorts(a, "lb-none"), "only the explicit one");
        assertNull(nodePorts(a, "plain").get(0));
    }

    @Test
    void healthCheckNodePortForLocalLoadBalancers() {
        ServiceAllocator alloc = allocator(DEFAULT, 6);
        Allocations a = alloc.reconcile(List.of(
                service("local").type(LOAD_BALANCER).local().port("TCP", 80).build(),
                service("cluster").type(LOAD_BALANCER).port("TCP", 80).build(),
                service("fixed").type(LOAD_BALANCER).local().healthCheckNodePort(30300).port("TCP", 80).build()));
        Integer check = find(a, "local").spec().healthCheckNodePort();
        assertNotNull(check);
        assertTrue(check >= 30086 && check <= 32767, "dynamic band: " + check);
        assertNotEquals(check, nodePorts(a, "local").get(0));
        assertNull(find(a, "cluster").spec().healthCheckNodePort());
        assertEquals(30300, find(a, "fixed").spec().healthCheckNodePort());

        Allocations sticky = alloc.reconcile(List.of(
                service("local").type(LOAD_BALANCER).local().port("TCP", 80).build(),
                service("fixed").type(LOAD_BALANCER).local().healthCheckNodePort(30300).port("TCP", 80).build(),
                service("copy").type(LOAD_BALANCER).local().healthCheckNodePort(30300).port("TCP", 80).build(),
                service("range").type(LOAD_BALANCER).local().healthCheckNodePort(40000).port("TCP", 80).build()));
        assertEquals(check, find(sticky, "local").spec().healthCheckNodePort());
        assertEquals(List.of("spec.healthCheckNodePort: Invalid value: 30300: provided port is already allocated"), errors(sticky, "copy"));
        assertEquals(List.of("spec.healthCheckNodePort: Invalid value: 40000: provided port is not in the valid range. "
                + "The range of valid ports is 30000-32767"), errors(sticky, "range"));

        // Switching to Cluster releases the health-check port for others.
        Allocations released = alloc.reconcile(List.of(
                service("fixed").type(LOAD_BALANCER).port("TCP", 80).build(),
                service("copy").type(NODE_PORT).port("TCP", 80, 30300).build()));
        assertEquals(List.of(30300), nodePorts(released, "copy"));
        assertNull(find(released, "fixed").spec().healthCheckNodePort());
    }

    @Test
    void aNodePortOfAPortWithoutNumberIsHeldWhileTheServiceLivesAndFreedWithIt() {
        // The state records nodePorts by port number, so such a port is remembered apart from it.
        ServiceAllocator alloc = allocator(DEFAULT, 3);
        Service unnumbered = service("unnumbered").type(NODE_PORT).portWithoutNumber("TCP", 30400).build();
        Allocations first = alloc.reconcile(List.of(unnumbered));
        assertEquals(List.of(30400), nodePorts(first, "unnumbered"));

        Service copy = service("copy").type(NODE_PORT).port("TCP", 80, 30400).build();
        Allocations taken = alloc.reconcile(List.of(unnumbered, copy));
        assertEquals(List.of("spec.ports[0].nodePort: Invalid value: 30400: provided port is already allocated"),
                errors(taken, "copy"));
        Allocations again = alloc.reconcile(List.of(unnumbered, copy));
        assertEquals(List.of(30400), nodePorts(again, "unnumbered"), "planned again, it keeps its port");
        assertEquals(List.of("spec.ports[0].nodePort: Invalid value: 30400: provided port is already allocated"),
                errors(again, "copy"));

        Allocations freed = alloc.reconcile(List.of(copy));
        assertEquals(List.of(30400), nodePorts(freed, "copy"));
    }
}
