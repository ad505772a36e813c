package dev.clusterdns.agent.allocation;

import static dev.clusterdns.agent.allocation.ServiceFixture.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.allocation.AllocationState.Holder;
import dev.clusterdns.agent.allocation.AllocationState.NodePort;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.ServicePort;
import dev.clusterdns.agent.validation.FieldError;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** NodePortPool on its own: a Service's request through the explicit and dynamic passes. */
class NodePortPoolTest {
    private static final String NODE_PORT = Service.TYPE_NODE_PORT;
    private static final String LB = Service.TYPE_LOAD_BALANCER;

    private record Taken(NodePortPool.Request request, Service service, List<FieldError> errors, List<Runnable> undo) {
        List<String> messages() {
            return errors.stream().map(FieldError::render).toList();
        }

        /** The nodePorts as rendered into the spec, one per Service port. */
        List<Integer> ports() {
            return request.render(service.spec()).ports().stream().map(ServicePort::nodePort).toList();
        }

        void undoAll() {
            for (int i = undo.size() - 1; i >= 0; i--) {
                undo.get(i).run();
            }
        }
    }

    private static Taken take(NodePortPool pool, Service s) {
        List<FieldError> errors = new ArrayList<>();
        List<Runnable> undo = new ArrayList<>();
        NodePortPool.Request r = pool.request(s.spec(), s.spec().type());
        r.takeExplicit(errors, undo);
        if (errors.isEmpty()) {
            r.takeDynamic(errors, undo, new ScanStart(null, s.metadata().key()));
        }
        return new Taken(r, s, errors, undo);
    }

    @Test
    void anExplicitPortIsTakenOnceAndOutOfRangeOnesAreRefused() {
        NodePortPool pool = new NodePortPool("30000-30099");
        assertEquals(List.of(30007), take(pool, service("a").type(NODE_PORT).port("TCP", 80, 30007).build()).ports());
        assertEquals(List.of("spec.ports[0].nodePort: Invalid value: 30007: provided port is already allocated"),
                take(pool, service("b").type(NODE_PORT).port("UDP", 80, 30007).build()).messages());
        assertEquals(List.of("spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. "
                + "The range of valid ports is 30000-30099"), take(pool, service("c").type(NODE_PORT).port("TCP", 80, 8080).build()).messages());
    }

    @Test
    void onePortNumberUnderTwoProtocolsSharesANodePortWithinAServiceOnly() {
        NodePortPool pool = new NodePortPool("30000-30099");
        List<Integer> dns = take(pool, service("dns").type(NODE_PORT).port("TCP", 53).port("UDP", 53).port("TCP", 9153).build()).ports();
        assertEquals(dns.get(0), dns.get(1));
        assertNotEquals(dns.get(0), dns.get(2));
        assertEquals(List.of(30053, 30053), take(pool, service("fixed").type(NODE_PORT).port("TCP", 53, 30053).port("UDP", 53, 30053).build()).ports());
        assertEquals(List.of("spec.ports[1].nodePort: Invalid value: 30090: provided port is already allocated"),
                take(pool, service("mixed").type(NODE_PORT).port("TCP", 80, 30090).port("UDP", 81, 30090).build()).messages());
    }

    @Test
    void aFullRangeIsAnInternalErrorAndReleaseOrUndoMakesRoom() {
        NodePortPool pool = new NodePortPool("30000-30002");
        Set<Integer> got = new HashSet<>();
        List<Taken> holders = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Taken t = take(pool, service("s" + i).type(NODE_PORT).port("TCP", 80).build());
            holders.add(t);
            got.add(t.ports().get(0));
        }
        assertEquals(Set.of(30000, 30001, 30002), got);
        assertEquals(List.of("Internal error occurred: failed to allocate a nodePort: range is full"),
                take(pool, service("late").type(NODE_PORT).port("TCP", 80).build()).messages());

        int freed = holders.get(1).ports().get(0);
        pool.release(new Holder(1, null, null, holders.get(1).request().held(), holders.get(1).request().healthCheckNodePort(), null), holders.get(1).request().unrecorded());
        Taken late = take(pool, service("late").type(NODE_PORT).port("TCP", 80).build());
        assertEquals(List.of(freed), late.ports());
        late.undoAll();
        assertEquals(List.of(), late.request().held());
        assertEquals(List.of(freed), take(pool, service("explicit").type(NODE_PORT).port("TCP", 80, freed).build()).ports());
    }

    @Test
    void healthCheckPortsForLocalLoadBalancersShareWithNothing() {
        NodePortPool pool = new NodePortPool("30000-30099");
        Taken local = take(pool, service("local").type(LB).local().port("TCP", 80).build());
        Integer check = local.request().healthCheckNodePort();
        assertTrue(check != null && check >= 30000 && check <= 30099, "" + check);
        assertNotEquals(check, local.ports().get(0));
        assertEquals(check, local.request().render(local.service().spec()).healthCheckNodePort());
        assertNull(take(pool, service("cluster").type(LB).port("TCP", 80).build()).request().healthCheckNodePort());
        assertEquals(List.of("spec.healthCheckNodePort: Invalid value: 30010: provided port is already allocated"),
                take(pool, service("own").type(LB).local().healthCheckNodePort(30010).port("TCP", 80, 30010).build()).messages(),
                "not even the Service's own nodePort");
    }

    @Test
    void whichServicesNeedPorts() {
        NodePortPool pool = new NodePortPool("30000-30099");
        assertTrue(take(pool, service("lb").type(LB).port("TCP", 80).build()).ports().get(0) != null);
        assertEquals(java.util.Arrays.asList(null, 30081),
                take(pool, service("opt-out").type(LB).noLoadBalancerNodePorts().port("TCP", 80).port("TCP", 81, 30081).build()).ports());
        assertEquals(List.of(), take(pool, service("plain").port("TCP", 80, 30082).build()).request().held(), "a ClusterIP Service needs none");
        assertEquals(List.of(30082), take(pool, service("np").type(NODE_PORT).port("TCP", 80, 30082).build()).ports(), "still free");
    }

    @Test
    void aHolderGetsItsPortsBackUnlessTheSpecAsksForOthers() {
        NodePortPool pool = new NodePortPool("30000-30099");
        Holder prior = new Holder(1, null, List.of(), List.of(new NodePort("TCP", 80, 30050), new NodePort("TCP", 443, 30051)), null, null);
        Service web = service("web").type(NODE_PORT).port("TCP", 80).port("TCP", 443, 30060).build();
        NodePortPool.Request r = pool.request(web.spec(), web.spec().type());
        r.takeHeld(prior);
        assertEquals(List.of(new NodePort("TCP", 80, 30050)), r.held(), "443 asks for another port now");
        NodePortPool.Request other = pool.request(web.spec(), web.spec().type());
        other.takeHeld(prior);
        assertEquals(List.of(), other.held(), "30050 is taken");
    }

    @Test
    void badRangesAreRefusedNamingTheFlag() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new NodePortPool("32767-30000")).getMessage()
                .startsWith("invalid --node-port-range \"32767-30000\""));
    }
}
