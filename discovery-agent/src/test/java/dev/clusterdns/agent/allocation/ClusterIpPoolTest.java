package dev.clusterdns.agent.allocation;

import static dev.clusterdns.agent.allocation.ServiceFixture.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.allocation.AllocationState.Holder;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.ServiceSpec;
import dev.clusterdns.agent.validation.FieldError;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** ClusterIpPool on its own: a Service's request through the explicit and dynamic passes. */
class ClusterIpPoolTest {
    /** A Service's request after the explicit and (when that went well) the dynamic pass. */
    private record Taken(ClusterIpPool.Request request, List<FieldError> errors, List<Runnable> undo) {
        List<String> messages() {
            return errors.stream().map(FieldError::render).toList();
        }

        void undoAll() {
            for (int i = undo.size() - 1; i >= 0; i--) {
                undo.get(i).run();
            }
        }
    }

    private static Taken take(ClusterIpPool pool, Service s) {
        List<FieldError> errors = new ArrayList<>();
        List<Runnable> undo = new ArrayList<>();
        ClusterIpPool.Request r = pool.request(s.metadata().key(), s, s.spec().type(), errors);
        if (errors.isEmpty()) {
            r.takeExplicit(errors, undo);
        }
        if (errors.isEmpty()) {
            r.takeDynamic(errors, undo, new ScanStart(null, s.metadata().key()));
        }
        return new Taken(r, errors, undo);
    }

    @Test
    void anExplicitAddressIsTakenOnceAndThenReportedInUse() {
        ClusterIpPool pool = new ClusterIpPool(List.of("10.0.0.0/24"));
        Taken web = take(pool, service("web").clusterIPs("10.0.0.10").build());
        assertEquals(List.of("10.0.0.10"), web.request().held());
        ServiceSpec spec = web.request().render(service("web").clusterIPs("10.0.0.10").build().spec());
        assertEquals(List.of("IPv4"), spec.ipFamilies());
        assertEquals("SingleStack", spec.ipFamilyPolicy());

        Taken copy = take(pool, service("copy").clusterIPs("10.0.0.10").build());
        assertEquals(List.of("spec.clusterIPs: Invalid value: [\"10.0.0.10\"]: failed to allocate IP 10.0.0.10: "
                + "provided IP is already allocated"), copy.messages());
        Taken outside = take(pool, service("outside").clusterIPs("10.0.1.10").build());
        assertEquals(List.of("spec.clusterIPs: Invalid value: [\"10.0.1.10\"]: failed to allocate IP 10.0.1.10: the provided IP "
                + "(10.0.1.10) is not in the valid range. The range of valid IPs is 10.0.0.0/24"), outside.messages());
    }

    @Test
    void networkPlusOneIsOnlyEverDefaultKubernetes() {
        ClusterIpPool pool = new ClusterIpPool(List.of("10.0.0.0/24"));
        assertTrue(take(pool, service("thief").clusterIPs("10.0.0.1").build()).messages().get(0)
                .endsWith("provided IP is already allocated"));
        Taken kubernetes = take(pool, service("kubernetes").build());
        assertEquals(List.of("10.0.0.1"), kubernetes.request().held(), "dynamic: the reserved address");
        pool.release(new Holder(1, null, kubernetes.request().held(), null, null, null));
        assertTrue(take(pool, service("thief").clusterIPs("10.0.0.1").build()).messages().get(0)
                .endsWith("provided IP is already allocated"), "releasing it does not free it for others");
        assertEquals(List.of("10.0.0.1"), take(pool, service("kubernetes").clusterIPs("10.0.0.1").build()).request().held());
    }

    @Test
    void aFullRangeIsAnInternalErrorAndAReleaseMakesRoom() {
        ClusterIpPool pool = new ClusterIpPool(List.of("10.0.0.0/29")); // .1-.6, .1 reserved
        Set<String> got = new HashSet<>();
        List<Taken> holders = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Taken t = take(pool, service("s" + i).build());
            assertEquals(List.of(), t.messages());
            holders.add(t);
            got.addAll(t.request().held());
        }
        assertEquals(Set.of("10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"), got);
        Taken late = take(pool, service("late").build());
        assertEquals(List.of("Internal error occurred: failed to allocate a serviceIP: range is full"), late.messages());

        String freed = holders.get(2).request().held().get(0);
        pool.release(new Holder(1, null, holders.get(2).request().held(), null, null, null));
        assertEquals(List.of(freed), take(pool, service("late").build()).request().held());
    }

    @Test
    void undoGivesBackWhatTheExplicitAndDynamicPassesTook() {
        ClusterIpPool pool = new ClusterIpPool(List.of("10.0.0.0/24", "fd00::/112"));
        Taken dual = take(pool, service("dual").families("RequireDualStack").clusterIPs("10.0.0.10").build());
        assertEquals(2, dual.request().held().size());
        String v6 = dual.request().held().get(1);
        dual.undoAll();
        assertEquals(List.of(), dual.request().held());
        assertEquals(List.of("10.0.0.10", v6), take(pool, service("other").families("RequireDualStack")
                .clusterIPs("10.0.0.10", v6).build()).request().held());
    }

    @Test
    void aHolderGetsItsAddressBackUnlessTheSpecAsksForAnother() {
        ClusterIpPool pool = new ClusterIpPool(List.of("10.0.0.0/24"));
        Holder prior = new Holder(1, null, List.of("10.0.0.20"), List.of(), null, null);
        List<FieldError> errors = new ArrayList<>();
        Service web = service("web").build();
        ClusterIpPool.Request r = pool.request(web.metadata().key(), web, web.spec().type(), errors);
        r.takeHeld(prior);
        assertEquals(List.of("10.0.0.20"), r.held());

        Service moved = service("moved").clusterIPs("10.0.0.21").build();
        ClusterIpPool.Request m = pool.request(moved.metadata().key(), moved, moved.spec().type(), errors);
        m.takeHeld(new Holder(2, null, List.of("10.0.0.30"), List.of(), null, null));
        assertEquals(List.of(), m.held(), "the spec asks for another address");
        ClusterIpPool.Request thief = pool.request("default/thief", web, web.spec().type(), errors);
        thief.takeHeld(prior);
        assertEquals(List.of(), thief.held(), "held by web already");
        assertEquals(List.of(), errors);
    }

    @Test
    void familiesFollowThePolicyAndTheConfiguredRanges() {
        ClusterIpPool dual = new ClusterIpPool(List.of("fd00::/112", "10.0.0.0/24"));
        Taken primary = take(dual, service("primary").build());
        assertTrue(primary.request().held().get(0).startsWith("fd00::"), "the first CIDR is the primary family");
        Taken prefer = take(dual, service("prefer").families("PreferDualStack", "IPv4").build());
        List<String> ips = prefer.request().held();
        assertEquals(2, ips.size());
        assertTrue(ips.get(0).startsWith("10.0.0.") && ips.get(1).startsWith("fd00::"), ips.toString());
        ServiceSpec spec = prefer.request().render(service("prefer").families("PreferDualStack", "IPv4").build().spec());
        assertEquals(List.of("IPv4", "IPv6"), spec.ipFamilies());

        ClusterIpPool single = new ClusterIpPool(List.of("10.0.0.0/24"));
        assertEquals(1, take(single, service("prefer").families("PreferDualStack").build()).request().held().size(),
                "PreferDualStack settles for one family");
        assertEquals(List.of("spec.ipFamilyPolicy: Invalid value: \"RequireDualStack\": this cluster is not configured for dual-stack services"),
                take(single, service("require").families("RequireDualStack").build()).messages());
        assertEquals(List.of("spec.ipFamilies[0]: Invalid value: \"IPv6\": not configured on this cluster"),
                take(single, service("v6").clusterIPs("fd00::5").build()).messages());
        Taken bad = take(single, service("bad").clusterIPs("banana").build());
        assertEquals(List.of("spec.clusterIPs: Invalid value: [\"banana\"]: must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"),
                bad.messages());
        assertEquals(List.of(), bad.request().held());
    }

    @Test
    void headlessAndExternalNameServicesNeedNothing() {
        ClusterIpPool pool = new ClusterIpPool(List.of("10.0.0.0/30")); // .1 (reserved) and .2
        Service headless = service("headless").headless().port("TCP", 80).build();
        Taken h = take(pool, headless);
        assertEquals(List.of(), h.request().held());
        assertEquals(headless.spec(), h.request().render(headless.spec()));
        assertEquals(List.of(), take(pool, service("ext").type(Service.TYPE_EXTERNAL_NAME).build()).request().held());
        assertFalse(take(pool, service("web").build()).request().held().isEmpty(), "the one free address is still free");
    }

    @Test
    void badConfigurationsAreRefused() {
        assertEquals("--service-cidr: dual stack needs one IPv4 and one IPv6 CIDR, got [10.0.0.0/24, 10.1.0.0/24]",
                assertThrows(IllegalArgumentException.class, () -> new ClusterIpPool(List.of("10.0.0.0/24", "10.1.0.0/24"))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new ClusterIpPool(List.of("10.0.0.0/24", "fd00::/112", "10.1.0.0/24"))).getMessage().contains("at most two"));
    }
}
