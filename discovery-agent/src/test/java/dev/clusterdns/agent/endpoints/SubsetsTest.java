package dev.clusterdns.agent.endpoints;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.clusterdns.agent.model.EndpointPort;
import dev.clusterdns.agent.model.Endpoints.Address;
import dev.clusterdns.agent.model.Endpoints.Subset;
import dev.clusterdns.agent.model.ObjectReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The endpoint controller's `RepackSubsets` and its capacity truncation, on subsets directly. */
class SubsetsTest {
    static Address addr(String ip) {
        return new Address(ip, null, null, null);
    }

    static Address pod(String ip, String uid) {
        return new Address(ip, null, "node", new ObjectReference("Pod", "ns", "pod-" + uid, uid));
    }

    static EndpointPort port(int p) {
        return new EndpointPort(null, p, "TCP", null);
    }

    @Test
    void referenceExampleMergesPortsOfTheSameAddress() {
        List<Subset> out = Subsets.repack(List.of(
                new Subset(List.of(addr("10.1.0.5")), null, List.of(port(8080))),
                new Subset(List.of(addr("10.1.0.5")), null, List.of(port(9090)))));
        assertEquals(1, out.size());
        assertEquals(List.of(addr("10.1.0.5")), out.get(0).addresses());
        assertEquals(Set.of(port(8080), port(9090)), Set.copyOf(out.get(0).ports()));
    }

    @Test
    void notReadyWinsOverReadyForTheSameAddressAndPort() {
        List<Subset> out = Subsets.repack(List.of(
                new Subset(List.of(addr("10.1.0.5")), null, List.of(port(80))),
                new Subset(null, List.of(addr("10.1.0.5")), List.of(port(80)))));
        assertEquals(List.of(new Subset(null, List.of(addr("10.1.0.5")), List.of(port(80)))), out);
    }

    @Test
    void portsAreGroupedByTheirExactAddressAndReadinessSet() {
        List<Subset> out = Subsets.repack(List.of(
                new Subset(List.of(addr("10.0.0.1"), addr("10.0.0.2")), null, List.of(port(80), port(81))),
                new Subset(List.of(addr("10.0.0.1")), List.of(addr("10.0.0.2")), List.of(port(90)))));
        assertEquals(Set.of(
                new Subset(List.of(addr("10.0.0.1"), addr("10.0.0.2")), null, List.of(port(80), port(81))),
                new Subset(List.of(addr("10.0.0.1")), List.of(addr("10.0.0.2")), List.of(port(90)))), Set.copyOf(out));
    }

    @Test
    void duplicatePortsCollapse() {
        List<Subset> out = Subsets.repack(List.of(new Subset(List.of(addr("10.0.0.1")), null, List.of(port(80), port(80)))));
        assertEquals(List.of(port(80)), out.get(0).ports());
    }

    @Test
    void addressesAreKeyedByIpAndUidAndTheFirstFullAddressWins() {
        Address first = new Address("10.0.0.1", "h1", "node-a", new ObjectReference("Pod", "ns", "a", "u1"));
        Address sameKey = new Address("10.0.0.1", "h2", "node-b", new ObjectReference("Pod", "ns", "a", "u1"));
        Address otherUid = new Address("10.0.0.1", null, "node-c", new ObjectReference("Pod", "ns", "b", "u2"));
        List<Subset> out = Subsets.repack(List.of(
                new Subset(List.of(first), null, List.of(port(80))),
                new Subset(List.of(sameKey, otherUid), null, List.of(port(80)))));
        assertEquals(List.of(first, otherUid), out.get(0).addresses());
    }

    @Test
    void addressesSharingAnIpStayApartByUidOnEveryPort() {
        List<Subset> out = Subsets.repack(List.of(
                new Subset(List.of(pod("10.0.0.1", "b"), pod("10.0.0.1", "a")), null, List.of(port(80))),
                new Subset(List.of(pod("10.0.0.1", "a")), List.of(pod("10.0.0.1", "b")), List.of(port(81))),
                new Subset(List.of(pod("10.0.0.1", "a"), pod("10.0.0.1", "b")), null, List.of(port(82)))));
        assertEquals(List.of(
                new Subset(List.of(pod("10.0.0.1", "a"), pod("10.0.0.1", "b")), null, List.of(port(80), port(82))),
                new Subset(List.of(pod("10.0.0.1", "a")), List.of(pod("10.0.0.1", "b")), List.of(port(81)))), out);
    }

    @Test
    void subsetWithoutPortsIsKeptAndOneWithoutAddressesVanishes() {
        List<Subset> out = Subsets.repack(List.of(
                new Subset(List.of(addr("10.0.0.1")), null, null),
                new Subset(null, null, List.of(port(80)))));
        assertEquals(List.of(new Subset(List.of(addr("10.0.0.1")), null, null)), out);
    }

    @Test
    void portlessSubsetMergesIntoAPortedOneWithTheSameAddresses() {
        List<Subset> out = Subsets.repack(List.of(
                new Subset(List.of(addr("10.0.0.1")), null, null),
                new Subset(List.of(addr("10.0.0.1")), null, List.of(port(80)))));
        assertEquals(List.of(new Subset(List.of(addr("10.0.0.1")), null, List.of(port(80)))), out);
    }

    @Test
    void addressesSortByteWiseThenWithoutTargetRefFirstThenByUid() {
        List<Subset> out = Subsets.repack(List.of(new Subset(
                List.of(pod("10.0.0.9", "b"), pod("10.0.0.10", "z"), pod("10.0.0.9", "a"), addr("10.0.0.9")),
                null, List.of(port(80)))));
        assertEquals(List.of(pod("10.0.0.10", "z"), addr("10.0.0.9"), pod("10.0.0.9", "a"), pod("10.0.0.9", "b")),
                out.get(0).addresses());
    }

    @Test
    void repackIsIndependentOfInputOrder() {
        List<Subset> in = List.of(
                new Subset(List.of(addr("10.0.0.3")), List.of(addr("10.0.0.4")), List.of(port(81))),
                new Subset(List.of(addr("10.0.0.1")), null, List.of(port(80))),
                new Subset(List.of(addr("10.0.0.2")), null, List.of(port(80))));
        List<Subset> reversed = new ArrayList<>(in);
        java.util.Collections.reverse(reversed);
        assertEquals(Subsets.repack(in), Subsets.repack(reversed));
    }

    static List<Address> many(String prefix, int n) {
        List<Address> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(addr(prefix + (i / 250) + "." + (i % 250)));
        }
        return out;
    }

    @Test
    void fitsAtCapacity() {
        assertNull(Subsets.truncated(List.of(new Subset(many("10.1.", 600), many("10.2.", 400), List.of(port(80))))));
    }

    @Test
    void notReadyShareTheRoomLeftProportionallyRoundedUpAndCapped() {
        // 700 ready leave room for 300 not-ready out of 200 + 400 + 1: ceil(200/601*300) = 100,
        // ceil(400/601*300) = 200 (capped by what is left: 200), the last subset gets 0.
        List<Subset> out = Subsets.truncated(List.of(
                new Subset(many("10.1.", 700), many("10.2.", 200), List.of(port(80))),
                new Subset(null, many("10.3.", 400), List.of(port(81))),
                new Subset(null, many("10.4.", 1), List.of(port(82)))));
        assertEquals(700, out.get(0).addresses().size());
        assertEquals(100, out.get(0).notReadyAddresses().size());
        assertEquals(200, out.get(1).notReadyAddresses().size());
        assertEquals(0, out.get(2).notReadyAddresses().size());
        assertEquals(many("10.2.", 100), out.get(0).notReadyAddresses(), "keeps the first addresses");
    }

    @Test
    void tooManyReadyDropsAllNotReadyAndSharesTheReadyRoom() {
        // 900 + 600 ready: ceil(900/1500*1000) = 600, then ceil(600/1500*1000) = 400.
        List<Subset> out = Subsets.truncated(List.of(
                new Subset(many("10.1.", 900), many("10.2.", 50), List.of(port(80))),
                new Subset(many("10.3.", 600), null, List.of(port(81)))));
        assertEquals(600, out.get(0).addresses().size());
        assertEquals(0, out.get(0).notReadyAddresses().size());
        assertEquals(400, out.get(1).addresses().size());
    }
}
