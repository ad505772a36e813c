package dev.clusterdns.proxy.tcp;

import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Ends the TCP connections of one event loop that moved no bytes either way for the idle timeout.
 * One sweep task walks the loop's connections every interval (a tenth of the timeout, at most one
 * second) while there are any, instead of one timer per connection: Netty's
 * {@code IdleStateHandler} schedules a task for every connection, cancels it on close (a priority
 * queue insert and removal each), and turns every write's void promise into a real one to watch it.
 * A relay only sets a flag on each read batch. A connection is closed between the timeout and the
 * timeout plus two intervals after its last byte, never before. Shared by both TCP paths (channels
 * and {@code IoHandle}s): what ends an idle connection is the caller's. Confined to its event loop:
 * no locks.
 */
final class IdleSweep implements Runnable {
    private static final long MAX_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final EventLoop loop;
    private final long timeoutNanos;
    private final long intervalNanos;
    /** Sentinel of the circular list of tracked connections. */
    private final Activity head = new Activity(null);
    private boolean scheduled;

    /** @param timeout positive */
    IdleSweep(EventLoop loop, Duration timeout) {
        this.loop = loop;
        this.timeoutNanos = timeout.toNanos();
        this.intervalNanos = Math.max(1, Math.min(timeoutNanos / 10, MAX_INTERVAL_NANOS));
        head.prev = head;
        head.next = head;
    }

    /** Activity of a connection nobody sweeps (no idle timeout): marks go nowhere. */
    static Activity untracked() {
        return new Activity(null);
    }

    /**
     * Starts watching a connection on this sweep's loop until {@link Activity#untrack()} (call it when
     * the connection closes); {@code onIdle} runs on the loop once it has been idle for the timeout,
     * and ends it.
     */
    Activity track(Runnable onIdle) {
        assert loop.inEventLoop();
        Activity a = new Activity(onIdle);
        a.active = true;
        a.prev = head.prev;
        a.next = head;
        head.prev.next = a;
        head.prev = a;
        if (!scheduled) {
            scheduled = true;
            loop.schedule(this, intervalNanos, TimeUnit.NANOSECONDS);
        }
        return a;
    }

    @Override
    public void run() {
        long now = System.nanoTime();
        for (Activity a = head.next; a != head; ) {
            Activity next = a.next;
            if (a.active) {
                // Read since the last sweep: quiet from now on at the earliest.
                a.active = false;
                a.quietSince = now;
            } else if (now - a.quietSince >= timeoutNanos) {
                a.quietSince = now;
                a.onIdle.run();
            }
            a = next;
        }
        if (head.next != head) {
            loop.schedule(this, intervalNanos, TimeUnit.NANOSECONDS);
        } else {
            scheduled = false;
        }
    }

    /** One connection's mark, and its place in the sweep's list. */
    static final class Activity {
        private final Runnable onIdle;
        private Activity prev;
        private Activity next;
        private boolean active;
        private long quietSince;

        private Activity(Runnable onIdle) {
            this.onIdle = onIdle;
        }

        /** Bytes moved (either way). Called on the connection's loop. */
        void mark() {
            active = true;
        }

        /** The connection closed: no longer swept. Idempotent. */
        void untrack() {
            if (prev != null) {
                prev.next = next;
                next.prev = prev;
                prev = null;
                next = null;
            }
        }
    }
}
