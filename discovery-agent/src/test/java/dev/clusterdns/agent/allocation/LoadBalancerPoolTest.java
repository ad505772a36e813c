package dev.clusterdns.agent.allocation;

import static dev.clusterdns.agent.allocation.ServiceFixture.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.allocation.AllocationState.Holder;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.validation.FieldError;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** LoadBalancerPool on its own: a Service's request through the explicit and dynamic passes. */
class LoadBalancerPoolTest {
    private static final String LB = Service.TYPE_LOAD_BALANCER;

    private record Taken(LoadBalancerPool.Request request, Service service, List<FieldError> errors, List<Runnable> undo) {
        List<String> messages() {
            return errors.stream().map(FieldError::render).toList();
        }

        /** The ingress IPs as rendered into the status. */
        List<String> ingress() {
            return request.render(service).loadBalancerIPs();
        }
    }

    private static Taken take(LoadBalancerPool pool, Service s) {
        List<FieldError> errors = new ArrayList<>();
        List<Runnable> undo = new ArrayList<>();
        LoadBalancerPool.Request r = pool.request(s.spec(), s.spec().type());
        r.takeExplicit(errors, undo);
        if (errors.isEmpty()) {
            r.takeDynamic(errors, undo, new ScanStart(null, s.metadata().key()));
        }
        return new Taken(r, s, errors, undo);
    }

    @Test
    void aRequestedAddressIsTakenOnceInItsCanonicalForm() {
        LoadBalancerPool pool = new LoadBalancerPool("fd00:200::/120");
        assertEquals(List.of("fd00:200::5"), take(pool, service("a").type(LB).loadBalancerIP(" fd00:200:0::5 ").port("TCP", 80).build()).ingress());
        assertEquals(List.of("spec.loadBalancerIP: Invalid value: \"fd00:200::0:5\": failed to allocate IP fd00:200::5: provided IP is already allocated"),
                take(pool, service("b").type(LB).loadBalancerIP("fd00:200::0:5").port("TCP", 80).build()).messages());
        assertEquals(List.of("spec.loadBalancerIP: Invalid value: \"192.0.2.5\": failed to allocate IP 192.0.2.5: the provided IP (192.0.2.5) "
                + "is not in the valid range. The range of valid IPs is fd00:200::/120"),
                take(pool, service("c").type(LB).loadBalancerIP("192.0.2.5").port("TCP", 80).build()).messages(), "another family");
    }

    @Test
    void aFullPoolIsAnInternalErrorAndAReleaseMakesRoom() {
        LoadBalancerPool pool = new LoadBalancerPool("192.0.2.0/29"); // .1-.6
        Set<String> got = new HashSet<>();
        List<Taken> holders = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Taken t = take(pool, service("lb" + i).type(LB).port("TCP", 80).build());
            holders.add(t);
            got.add(t.request().held());
        }
        assertEquals(Set.of("192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5", "192.0.2.6"), got);
        assertEquals(List.of("Internal error occurred: failed to allocate a loadBalancer IP: range is full"),
                take(pool, service("late").type(LB).port("TCP", 80).build()).messages());
        String freed = holders.get(4).request().held();
        pool.release(new Holder(1, null, null, null, null, holders.get(4).request().held()));
        assertEquals(List.of(freed), take(pool, service("late").type(LB).port("TCP", 80).build()).ingress());
    }

    @Test
    void undoGivesTheAddressBack() {
        LoadBalancerPool pool = new LoadBalancerPool("192.0.2.0/29");
        Taken t = take(pool, service("a").type(LB).loadBalancerIP("192.0.2.3").port("TCP", 80).build());
        for (int i = t.undo().size() - 1; i >= 0; i--) {
            t.undo().get(i).run();
        }
        assertNull(t.request().held());
        assertEquals(List.of("192.0.2.3"), take(pool, service("b").type(LB).loadBalancerIP("192.0.2.3").port("TCP", 80).build()).ingress());
    }

    @Test
    void onlyLoadBalancersNeedOneAndAHolderGetsItsBack() {
        LoadBalancerPool pool = new LoadBalancerPool("192.0.2.0/29");
        Service plain = service("plain").type(Service.TYPE_NODE_PORT).loadBalancerIP("192.0.2.2").port("TCP", 80).build();
        Taken p = take(pool, plain);
        assertNull(p.request().held());
        assertSame(plain, p.request().render(plain));

        Service lb = service("lb").type(LB).port("TCP", 80).build();
        Holder prior = new Holder(1, null, List.of(), List.of(), null, "192.0.2.2");
        LoadBalancerPool.Request r = pool.request(lb.spec(), lb.spec().type());
        r.takeHeld(prior);
        assertEquals("192.0.2.2", r.held());
        LoadBalancerPool.Request other = pool.request(lb.spec(), lb.spec().type());
        other.takeHeld(prior);
        assertNull(other.held(), "held by lb already");
    }

    @Test
    void aBadCidrIsRefusedNamingTheFlag() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new LoadBalancerPool("banana")).getMessage()
                .startsWith("invalid --loadbalancer-cidr \"banana\""));
    }
}
