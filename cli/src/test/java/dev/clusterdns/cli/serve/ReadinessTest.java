package dev.clusterdns.cli.serve;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ReadinessTest {
    @Test
    void othersOpenWaitsForEveryOtherGateEvenOnesRegisteredLater() {
        Readiness r = new Readiness();
        Runnable start = r.gate("start");
        Runnable agent = r.gate("agent");
        CompletableFuture<Void> others = r.othersOpen("start");
        Runnable dns = r.gate("dns");

        agent.run();
        assertFalse(others.isDone(), "dns is still closed");
        dns.run();
        assertTrue(others.isDone());
        assertFalse(r.ready(), "start itself is still closed");
        assertTrue(r.pending().contains("start"), r.pending());
        start.run();
        assertTrue(r.ready());
    }

    @Test
    void alreadyOpenCompletesAtOnce() {
        Readiness r = new Readiness();
        r.gate("start");
        r.gate("agent").run();
        assertTrue(r.othersOpen("start").isDone());
    }
}
