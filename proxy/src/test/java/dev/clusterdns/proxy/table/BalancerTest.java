package dev.clusterdns.proxy.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BalancerTest {
    private static final InetSocketAddress A = new InetSocketAddress("10.0.0.1", 80);
    private static final InetSocketAddress B = new InetSocketAddress("10.0.0.2", 80);
    private static final InetSocketAddress C = new InetSocketAddress("10.0.0.3", 80);
    private static final InetAddress CLIENT1 = addr("192.0.2.1");
    private static final InetAddress CLIENT2 = addr("192.0.2.2");

    private static InetAddress addr(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void picksCycleThroughTheShuffledList() {
        Balancer b = Balancer.create(List.of(A, B, C), 0, new Random(1));
        List<InetSocketAddress> order = b.endpoints();
        List<InetSocketAddress> picks = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            picks.add(b.pick(CLIENT1, false));
        }
        assertEquals(List.of(order.get(0), order.get(1), order.get(2), order.get(0), order.get(1), order.get(2),
                order.get(0)), picks);
    }

    @Test
    void emptyBalancerPicksNothing() {
        assertNull(Balancer.create(List.of(), 0, new Random()).pick(CLIENT1, false));
    }

    @Test
    void unchangedEndpointsKeepTheBalancerAndItsCursor() {
        Balancer b = Balancer.create(List.of(A, B, C), 0, new Random(2));
        InetSocketAddress first = b.pick(CLIENT1, false);
        Balancer same = b.update(List.of(C, B, A), 0, new Random(3));
        assertSame(b, same);
        assertEquals(b.endpoints().get(1), same.pick(CLIENT1, false), "cursor carried on after " + first);
        assertNotSame(b, b.update(List.of(A, B), 0, new Random()));
        assertNotSame(b, b.update(List.of(A, B, C), 60, new Random()), "affinity change rebuilds");
    }

    @Test
    void affinityPinsPerClientAndBypassMovesTheCursor() {
        Balancer b = Balancer.create(List.of(A, B, C), 3600, new Random(4));
        InetSocketAddress pinned = b.pick(CLIENT1, false);
        for (int i = 0; i < 5; i++) {
            assertEquals(pinned, b.pick(CLIENT1, false));
        }
        InetSocketAddress other = b.pick(CLIENT2, false);
        assertEquals(b.endpoints().get(1), other);
        // A failed connect bypasses the pin; the new pick becomes the pin.
        InetSocketAddress retried = b.pick(CLIENT1, true);
        assertEquals(b.endpoints().get(2), retried);
        assertEquals(retried, b.pick(CLIENT1, false));
    }

    @Test
    void updatesKeepPinsToSurvivingEndpointsOnly() {
        Balancer b = Balancer.create(List.of(A, B), 3600, new Random(5));
        InetSocketAddress p1 = b.pick(CLIENT1, false);
        InetSocketAddress p2 = b.pick(CLIENT2, false);
        InetSocketAddress survivor = p1;
        Balancer next = b.update(List.of(survivor, C), 3600, new Random(6));
        assertEquals(survivor, next.pick(CLIENT1, false), "pin kept");
        // CLIENT2's endpoint is gone: it is re-pinned by the cursor to a live endpoint.
        InetSocketAddress repicked = next.pick(CLIENT2, false);
        assertEquals(true, next.endpoints().contains(repicked), repicked + " after losing " + p2);
    }

    @Test
    void pinsLapseAfterTimeoutSecondsWithoutUseAndTheSweepDropsThem() {
        long[] now = {0};
        Balancer b = Balancer.create(List.of(A, B), 10, new Random(7), () -> now[0]);
        InetSocketAddress pinned = b.pick(CLIENT1, false);
        now[0] += 9_999_000_000L;
        assertEquals(pinned, b.pick(CLIENT1, false), "9.999 s idle: still pinned, and refreshed");
        now[0] += 9_999_000_000L;
        assertEquals(pinned, b.pick(CLIENT1, false), "refreshed by the last use");
        now[0] += 10_000_000_000L;
        // floor(age) = 10 >= timeoutSeconds: the cursor decides again (it moved on to the other endpoint).
        assertEquals(b.endpoints().get(1), b.pick(CLIENT1, false));
        b.pick(CLIENT2, false);
        now[0] += 10_000_000_000L;
        b.sweep();
        // After the sweep no pin is left: the next picks follow the cursor.
        assertEquals(b.endpoints().get(1), b.pick(CLIENT2, false));
    }
}
