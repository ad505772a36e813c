package dev.clusterdns.agent.allocation;

import static dev.clusterdns.agent.allocation.ServiceFixture.allocator;
import static dev.clusterdns.agent.allocation.ServiceFixture.config;
import static dev.clusterdns.agent.allocation.ServiceFixture.errors;
import static dev.clusterdns.agent.allocation.ServiceFixture.find;
import static dev.clusterdns.agent.allocation.ServiceFixture.ip;
import static dev.clusterdns.agent.allocation.ServiceFixture.lastOctet;
import static dev.clusterdns.agent.allocation.ServiceFixture.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.AgentConfig;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.net.Cidr;
import dev.clusterdns.agent.net.IpAddresses;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** ClusterIP rules (Kubernetes' ClusterIP allocator, KEP-3070): bands, reservation, conflicts, stickiness, release. */
class ClusterIpAllocationTest {
    /** 254 usable addresses; static band .1–.16 (256/16), dynamic band .17–.254. */
    private static final AgentConfig SMALL = config(List.of("10.0.0.0/24"), null, null, null);

    private static List<Service> many(String prefix, int n) {
        List<Service> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(service(prefix + i).build());
        }
        return out;
    }

    @Test
    void defaultRangeIsTheLoopbackServiceCidr() {
        Allocations a = new ServiceAllocator(config(null, null, null, null)).reconcile(List.of(service("web").build()));
        String webIp = ip(a, "web");
        assertTrue(Cidr.parse("127.96.0.0/12").contains(webIp), webIp);
        // /12 has offset 256: the static band is 127.96.0.1-127.96.1.0, dynamic picks come after it.
        assertTrue(new BigInteger(1, IpAddresses.parse(webIp)).compareTo(new BigInteger(1, IpAddresses.parse("127.96.1.0"))) > 0, webIp);
    }

    @Test
    void dynamicAllocationFillsTheUpperBandBeforeTheStaticBand() {
        ServiceAllocator alloc = allocator(SMALL, 7);
        List<Service> services = many("s", 238);
        Allocations a = alloc.reconcile(services);
        Set<String> ips = new HashSet<>();
        for (Service s : a.services()) {
            int octet = lastOctet(s.spec().clusterIP());
            assertTrue(octet >= 17 && octet <= 254, s.metadata().name() + " got " + s.spec().clusterIP());
            ips.add(s.spec().clusterIP());
        }
        assertEquals(238, ips.size(), "every address of the dynamic band once");

        List<Service> more = new ArrayList<>(services);
        more.add(service("overflow").build());
        int octet = lastOctet(ip(alloc.reconcile(more), "overflow"));
        assertTrue(octet >= 2 && octet <= 16, "static band only when the dynamic band is full: ." + octet);
    }

    @Test
    void randomStartDependsOnTheSeedButStaysInTheDynamicBand() {
        Set<String> firsts = new HashSet<>();
        for (long seed = 0; seed < 20; seed++) {
            String got = ip(allocator(SMALL, seed).reconcile(List.of(service("web").build())), "web");
            assertTrue(lastOctet(got) >= 17, got);
            firsts.add(got);
        }
        assertTrue(firsts.size() > 1, "random start, not always the same address: " + firsts);
    }

    @Test
    void exhaustionIsAnInternalErrorAndReleaseMakesThatAddressNext() {
        ServiceAllocator alloc = allocator(SMALL, 3);
        List<Service> services = many("s", 253); // 254 usable minus the one reserved for default/kubernetes
        Allocations full = alloc.reconcile(services);
        assertEquals(253, full.services().size(), full.rejected().toString());
        assertFalse(full.services().stream().anyMatch(s -> s.spec().clusterIP().equals("10.0.0.1")));

        List<Service> plusOne = new ArrayList<>(services);
        plusOne.add(service("late").build());
        Allocations over = alloc.reconcile(plusOne);
        assertEquals(List.of("Internal error occurred: failed to allocate a serviceIP: range is full"), errors(over, "late"));

        String freed = ip(full, "s100");
        plusOne.removeIf(s -> s.metadata().name().equals("s100"));
        Allocations after = alloc.reconcile(plusOne);
        assertEquals(freed, ip(after, "late"), "a release in a full range is the next dynamic allocation");
    }

    @Test
    void staticRequestsAreHonouredInEitherBand() {
        Allocations a = allocator(SMALL, 1).reconcile(List.of(
                service("low").clusterIPs("10.0.0.10").build(),
                service("high").clusterIPs("10.0.0.200").build(),
                service("dyn").build()));
        assertEquals("10.0.0.10", ip(a, "low"));
        assertEquals("10.0.0.200", ip(a, "high"));
        assertEquals(List.of("10.0.0.10"), find(a, "low").spec().clusterIPs());
        assertEquals(List.of("IPv4"), find(a, "low").spec().ipFamilies());
        assertEquals("SingleStack", find(a, "low").spec().ipFamilyPolicy());
    }

    @Test
    void kubernetesServiceGetsTheFirstAddressWhichIsReservedEvenWhenItIsAbsent() {
        ServiceAllocator alloc = allocator(SMALL, 1);
        Allocations a = alloc.reconcile(List.of(service("thief").clusterIPs("10.0.0.1").build()));
        assertEquals(List.of("spec.clusterIPs: Invalid value: [\"10.0.0.1\"]: failed to allocate IP 10.0.0.1: provided IP is already allocated"),
                errors(a, "thief"));

        Allocations b = alloc.reconcile(List.of(service("web").build(), service("kubernetes").build()));
        assertEquals("10.0.0.1", ip(b, "kubernetes"));
        assertNotEquals("10.0.0.1", ip(b, "web"));

        Allocations c = alloc.reconcile(List.of(service("kubernetes").clusterIPs("10.0.0.1").build()));
        assertEquals("10.0.0.1", ip(c, "kubernetes"));
    }

    @Test
    void outOfRangeAndNetworkAddressesAreRejected() {
        Allocations a = allocator(SMALL, 1).reconcile(List.of(
                service("outside").clusterIPs("10.1.0.5").build(),
                service("network").clusterIPs("10.0.0.0").build(),
                service("broadcast").clusterIPs("10.0.0.255").build()));
        assertEquals(List.of("spec.clusterIPs: Invalid value: [\"10.1.0.5\"]: failed to allocate IP 10.1.0.5: "
                + "the provided IP (10.1.0.5) is not in the valid range. The range of valid IPs is 10.0.0.0/24"), errors(a, "outside"));
        assertTrue(errors(a, "network").get(0).contains("not in the valid range"));
        assertTrue(errors(a, "broadcast").get(0).contains("not in the valid range"));
        assertTrue(a.services().isEmpty());
    }

    @Test
    void olderByCreationTimestampWinsAmongNewcomersWhateverTheOrder() {
        Service newer = service("newer").clusterIPs("10.0.0.10").created("2024-05-01T00:00:00Z").build();
        Service older = service("older").clusterIPs("10.0.0.10").created("2024-01-01T00:00:00+02:00").build();
        for (List<Service> order : List.of(List.of(newer, older), List.of(older, newer))) {
            Allocations a = allocator(SMALL, 1).reconcile(order);
            assertEquals("10.0.0.10", ip(a, "older"));
            assertEquals(List.of("spec.clusterIPs: Invalid value: [\"10.0.0.10\"]: failed to allocate IP 10.0.0.10: provided IP is already allocated"),
                    errors(a, "newer"));
        }
    }

    @Test
    void withoutTimestampsTheServiceSeenFirstWins() {
        ServiceAllocator alloc = allocator(SMALL, 1);
        alloc.reconcile(List.of(service("first").build()));
        // Both now ask for the same address; "second" is listed first but was seen later.
        Allocations a = alloc.reconcile(List.of(
                service("second").clusterIPs("10.0.0.10").build(),
                service("first").clusterIPs("10.0.0.10").build()));
        assertEquals("10.0.0.10", ip(a, "first"));
        assertTrue(errors(a, "second").get(0).endsWith("provided IP is already allocated"));
    }

    @Test
    void aHolderKeepsItsAddressEvenAgainstAnOlderNewcomer() {
        ServiceAllocator alloc = allocator(SMALL, 1);
        Service holder = service("holder").clusterIPs("10.0.0.10").created("2025-01-01T00:00:00Z").build();
        alloc.reconcile(List.of(holder));
        Service claimant = service("claimant").clusterIPs("10.0.0.10").created("2020-01-01T00:00:00Z").build();
        Allocations a = alloc.reconcile(List.of(claimant, holder));
        assertEquals("10.0.0.10", ip(a, "holder"));
        assertTrue(errors(a, "claimant").get(0).endsWith("provided IP is already allocated"));

        // A dynamic holder is protected the same way.
        Allocations b = alloc.reconcile(List.of(holder, service("dyn").build()));
        String dynIp = ip(b, "dyn");
        Allocations c = alloc.reconcile(List.of(service("copycat").clusterIPs(dynIp).created("2000-01-01T00:00:00Z").build(),
                holder, service("dyn").build()));
        assertEquals(dynIp, ip(c, "dyn"));
        assertEquals(List.of("spec.clusterIPs: Invalid value: [\"" + dynIp + "\"]: failed to allocate IP " + dynIp
                + ": provided IP is already allocated"), errors(c, "copycat"));
    }

    @Test
    void addressesAreStickyWhateverTheInputOrder() {
        ServiceAllocator alloc = allocator(SMALL, 11);
        List<Service> services = many("s", 40);
        Allocations first = alloc.reconcile(services);
        List<Service> shuffled = new ArrayList<>(services);
        Collections.shuffle(shuffled, new java.util.Random(5));
        Allocations again = alloc.reconcile(shuffled);
        for (Service s : services) {
            String name = s.metadata().name();
            assertEquals(ip(first, name), ip(again, name), name);
        }
    }

    @Test
    void anExplicitAddressThatChangesTakesTheNewValueAndFreesTheOld() {
        ServiceAllocator alloc = allocator(SMALL, 1);
        alloc.reconcile(List.of(service("web").clusterIPs("10.0.0.10").build()));
        Allocations moved = alloc.reconcile(List.of(service("web").clusterIPs("10.0.0.11").build()));
        assertEquals("10.0.0.11", ip(moved, "web"));
        Allocations reuse = alloc.reconcile(List.of(
                service("web").clusterIPs("10.0.0.11").build(),
                service("other").clusterIPs("10.0.0.10").build()));
        assertEquals("10.0.0.10", ip(reuse, "other"));

        // Asking for an address someone else holds leaves the Service rejected, and the holder unharmed.
        Allocations clash = alloc.reconcile(List.of(
                service("web").clusterIPs("10.0.0.10").build(),
                service("other").clusterIPs("10.0.0.10").build()));
        assertEquals("10.0.0.10", ip(clash, "other"));
        assertTrue(clash.rejected().containsKey("default/web"));
    }

    @Test
    void deletingAServiceFreesItsAddressForOthers() {
        ServiceAllocator alloc = allocator(SMALL, 1);
        alloc.reconcile(List.of(service("a").clusterIPs("10.0.0.10").build()));
        Allocations blocked = alloc.reconcile(List.of(service("a").clusterIPs("10.0.0.10").build(),
                service("b").clusterIPs("10.0.0.10").build()));
        assertTrue(blocked.rejected().containsKey("default/b"));
        Allocations freed = alloc.reconcile(List.of(service("b").clusterIPs("10.0.0.10").build()));
        assertEquals("10.0.0.10", ip(freed, "b"));
    }

    @Test
    void sameNameInAnotherNamespaceIsAnotherService() {
        Allocations a = allocator(SMALL, 1).reconcile(List.of(
                service("web").namespace("one").build(), service("web").namespace("two").build()));
        assertEquals(2, a.services().size());
        assertNotEquals(a.services().get(0).spec().clusterIP(), a.services().get(1).spec().clusterIP());
    }

    @Test
    void headlessAndExternalNameServicesGetNoClusterIP() {
        Allocations a = allocator(SMALL, 1).reconcile(List.of(
                service("headless").headless().port("TCP", 80).build(),
                service("ext").type(Service.TYPE_EXTERNAL_NAME).build()));
        assertEquals("None", ip(a, "headless"));
        assertTrue(find(a, "headless").spec().clusterIPs().isEmpty());
        Service ext = find(a, "ext");
        assertNull(ext.spec().clusterIP());
        assertTrue(ext.spec().clusterIPs().isEmpty());
        assertTrue(ext.spec().ipFamilies().isEmpty());
        assertTrue(ext.loadBalancerIPs().isEmpty());
    }

    @Test
    void aRejectedServiceTakesNothingNew() {
        ServiceAllocator alloc = allocator(SMALL, 1);
        alloc.reconcile(List.of(service("np-holder").type(Service.TYPE_NODE_PORT).port("TCP", 80, 30080).build()));
        // Free IP but taken nodePort: the IP must not stay claimed by the rejected Service.
        Allocations a = alloc.reconcile(List.of(
                service("np-holder").type(Service.TYPE_NODE_PORT).port("TCP", 80, 30080).build(),
                service("greedy").type(Service.TYPE_NODE_PORT).clusterIPs("10.0.0.12").port("TCP", 80, 30080).build()));
        assertEquals(List.of("spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated"), errors(a, "greedy"));
        Allocations b = alloc.reconcile(List.of(
                service("np-holder").type(Service.TYPE_NODE_PORT).port("TCP", 80, 30080).build(),
                service("greedy").type(Service.TYPE_NODE_PORT).clusterIPs("10.0.0.12").port("TCP", 80, 30080).build(),
                service("patient").clusterIPs("10.0.0.12").created("2030-01-01T00:00:00Z").build()));
        assertEquals("10.0.0.12", ip(b, "patient"));
    }

    @Test
    void unusableRangesAreRefusedWithAClearMessage() {
        IllegalArgumentException tooBig = assertThrows(IllegalArgumentException.class,
                () -> new ServiceAllocator(config(List.of("10.0.0.0/8"), null, null, null)));
        assertEquals("invalid --service-cidr \"10.0.0.0/8\": too large; for 32-bit addresses, the mask must be >= 12", tooBig.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ServiceAllocator(config(List.of("banana"), null, null, null)));
        assertThrows(IllegalArgumentException.class,
                () -> new ServiceAllocator(config(List.of("10.0.0.0/24", "10.1.0.0/24"), null, null, null)));
        IllegalArgumentException ports = assertThrows(IllegalArgumentException.class,
                () -> new ServiceAllocator(config(null, "32767-30000", null, null)));
        assertTrue(ports.getMessage().contains("--node-port-range"), ports.getMessage());
    }
}
