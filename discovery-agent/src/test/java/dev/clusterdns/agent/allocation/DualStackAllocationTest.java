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
import dev.clusterdns.agent.model.ServiceSpec;
import dev.clusterdns.agent.net.Cidr;
import dev.clusterdns.agent.net.IpAddresses;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ipFamilyPolicy / ipFamilies with one and two service CIDRs. */
class DualStackAllocationTest {
    private static final AgentConfig DUAL = config(List.of("10.0.0.0/24", "fd00:10::/112"), null, null, null);
    private static final AgentConfig SINGLE = config(List.of("10.0.0.0/24"), null, null, null);
    private static final Cidr V4 = Cidr.parse("10.0.0.0/24");
    private static final Cidr V6 = Cidr.parse("fd00:10::/112");

    @Test
    void singleStackGetsOneAddressOfThePrimaryFamily() {
        Allocations a = allocator(DUAL, 1).reconcile(List.of(service("web").build()));
        ServiceSpec spec = find(a, "web").spec();
        assertEquals(1, spec.clusterIPs().size());
        assertTrue(V4.contains(spec.clusterIP()));
        assertEquals(List.of("IPv4"), spec.ipFamilies());
        assertEquals("SingleStack", spec.ipFamilyPolicy());
    }

    @Test
    void singleStackOfTheRequestedFamily() {
        Allocations a = allocator(DUAL, 1).reconcile(List.of(service("v6").families("SingleStack", "IPv6").build()));
        ServiceSpec spec = find(a, "v6").spec();
        assertEquals(1, spec.clusterIPs().size());
        assertTrue(V6.contains(spec.clusterIP()), spec.clusterIP());
        assertEquals(List.of("IPv6"), spec.ipFamilies());
    }

    @Test
    void dualStackPoliciesGetOneAddressPerFamilyInRequestedOrder() {
        Allocations a = allocator(DUAL, 1).reconcile(List.of(
                service("prefer").families("PreferDualStack").build(),
                service("require").families("RequireDualStack", "IPv6", "IPv4").build(),
                service("fixed").families("RequireDualStack").clusterIPs("10.0.0.10", "fd00:10::a").build()));
        ServiceSpec prefer = find(a, "prefer").spec();
        assertEquals(List.of("IPv4", "IPv6"), prefer.ipFamilies());
        assertTrue(V4.contains(prefer.clusterIPs().get(0)) && V6.contains(prefer.clusterIPs().get(1)), prefer.clusterIPs().toString());
        assertEquals(prefer.clusterIPs().get(0), prefer.clusterIP());

        ServiceSpec require = find(a, "require").spec();
        assertEquals(List.of("IPv6", "IPv4"), require.ipFamilies());
        assertTrue(V6.contains(require.clusterIP()) && V4.contains(require.clusterIPs().get(1)), require.clusterIPs().toString());

        assertEquals(List.of("10.0.0.10", "fd00:10::a"), find(a, "fixed").spec().clusterIPs());
    }

    @Test
    void dynamicIpv6AddressesUseTheUpperBand() {
        // /112 = 65536 addresses → offset 256: static band fd00:10::1 - fd00:10::100.
        for (long seed = 0; seed < 10; seed++) {
            String ip = find(allocator(DUAL, seed).reconcile(List.of(service("v6").families("SingleStack", "IPv6").build())), "v6")
                    .spec().clusterIP();
            BigInteger offset = new BigInteger(1, IpAddresses.parse(ip)).subtract(new BigInteger(1, IpAddresses.parse("fd00:10::")));
            assertTrue(offset.compareTo(BigInteger.valueOf(256)) > 0 && offset.compareTo(BigInteger.valueOf(65535)) <= 0, ip);
        }
    }

    @Test
    void singleCidrClusters() {
        Allocations a = allocator(SINGLE, 1).reconcile(List.of(
                service("prefer").families("PreferDualStack").build(),
                service("require").families("RequireDualStack").build(),
                service("v6").families("SingleStack", "IPv6").build(),
                service("v6ip").clusterIPs("fd00::1").build()));
        assertEquals(1, find(a, "prefer").spec().clusterIPs().size());
        assertEquals(List.of("spec.ipFamilyPolicy: Invalid value: \"RequireDualStack\": this cluster is not configured for dual-stack services"),
                errors(a, "require"));
        assertEquals(List.of("spec.ipFamilies[0]: Invalid value: \"IPv6\": not configured on this cluster"), errors(a, "v6"));
        assertEquals(List.of("spec.ipFamilies[0]: Invalid value: \"IPv6\": not configured on this cluster"), errors(a, "v6ip"));
    }

    @Test
    void droppingToSingleStackKeepsThePrimaryAndFreesTheSecondary() {
        ServiceAllocator alloc = allocator(DUAL, 2);
        Allocations dual = alloc.reconcile(List.of(service("web").families("PreferDualStack").build()));
        List<String> ips = find(dual, "web").spec().clusterIPs();
        Allocations single = alloc.reconcile(List.of(service("web").families("SingleStack").build(),
                service("taker").families("SingleStack", "IPv6").clusterIPs(ips.get(1)).build()));
        assertEquals(List.of(ips.get(0)), find(single, "web").spec().clusterIPs());
        assertEquals(ips.get(1), find(single, "taker").spec().clusterIP());
    }

    @Test
    void headlessDualStackStaysHeadless() {
        Allocations a = allocator(DUAL, 1).reconcile(List.of(service("h").headless().families("PreferDualStack").port("TCP", 80).build()));
        assertEquals(Service.CLUSTER_IP_NONE, find(a, "h").spec().clusterIP());
        assertTrue(find(a, "h").spec().clusterIPs().isEmpty());
    }

    @Test
    void anExplicitPrimaryWithPreferDualStackGetsADynamicSecondary() {
        Allocations a = allocator(DUAL, 1).reconcile(List.of(
                service("web").families("PreferDualStack").clusterIPs("10.0.0.10").build(),
                service("v6first").families("PreferDualStack").clusterIPs("FD00:10::B").build()));
        List<String> web = find(a, "web").spec().clusterIPs();
        assertEquals("10.0.0.10", web.get(0));
        assertTrue(V6.contains(web.get(1)), web.toString());
        List<String> v6first = find(a, "v6first").spec().clusterIPs();
        assertEquals("fd00:10::b", v6first.get(0), "canonical text");
        assertTrue(V4.contains(v6first.get(1)), v6first.toString());
        assertEquals(List.of("IPv6", "IPv4"), find(a, "v6first").spec().ipFamilies());
    }
}
