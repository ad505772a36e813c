package dev.clusterdns.proxy.tcp;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The endpoint connects in progress on one event loop, each with its deadline; a connect still
 * pending at its deadline is closed (its connect fails, and the next endpoint is tried). One task is
 * scheduled for the earliest deadline, instead of one timer per connect (Netty's connect timeout
 * schedules a task for every connect and cancels it once connected: a priority-queue insert and
 * removal per connection). Every attempt number has a fixed timeout, so each attempt's connects
 * expire in the order they started: one FIFO list per attempt, a connect leaves its list in O(1)
 * when it completes. A connect is failed only once its deadline has passed and the loop has
 * polled for I/O after that, so a loop kept from running past a deadline does not fail connects
 * that completed meanwhile. Shared by both TCP paths (channels and {@code IoHandle}s). Confined to its
 * event loop: no locks.
 */
final class ConnectTimeouts implements Runnable {
    /** kube-proxy's userspace dial timeouts, one per attempt: at most four attempts per connection. */
    static final int[] ATTEMPT_TIMEOUTS_MS = {250, 500, 1000, 2000};

    private final EventLoop loop;
    private final long[] timeoutNanos;
    /** Per attempt number, the sentinel of its circular list, oldest first. */
    private final Pending[] lists;
    private ScheduledFuture<?> task;
    private long taskDeadline;

    /** @param timeoutsMillis the timeout of each attempt number, positive */
    ConnectTimeouts(EventLoop loop, int[] timeoutsMillis) {
        this.loop = loop;
        this.timeoutNanos = new long[timeoutsMillis.length];
        this.lists = new Pending[timeoutsMillis.length];
        for (int i = 0; i < timeoutsMillis.length; i++) {
            timeoutNanos[i] = TimeUnit.MILLISECONDS.toNanos(timeoutsMillis[i]);
            Pending head = new Pending(null, 0);
            head.prev = head;
            head.next = head;
            lists[i] = head;
        }
    }

    /**
     * Whether a connection whose attempt {@code attempt} (counted from 0) failed may try another
     * endpoint: kube-proxy's four attempts, and never more than there are endpoints.
     */
    static boolean anotherAttempt(int attempt, int endpoints) {
        int next = attempt + 1;
        return next < ATTEMPT_TIMEOUTS_MS.length && next < endpoints;
    }

    /**
     * Watches a connect (attempt number {@code attempt}, counted from 0) until {@link Pending#done()};
     * runs {@code expire} (which must fail the connect) if that has not come by the attempt's timeout.
     */
    Pending start(Runnable expire, int attempt) {
        assert loop.inEventLoop();
        long deadline = System.nanoTime() + timeoutNanos[attempt];
        Pending p = new Pending(expire, deadline);
        Pending head = lists[attempt];
        p.prev = head.prev;
        p.next = head;
        head.prev.next = p;
        head.prev = p;
        if (task == null || deadline - taskDeadline < 0) {
            schedule(deadline);
        }
        return p;
    }

    @Override
    public void run() {
        task = null;
        long now = System.nanoTime();
        boolean graceGiven = false;
        for (Pending head : lists) {
            for (Pending p = head.next; p != head && now - p.deadline >= 0; ) {
                Pending next = p.next;
                if (!p.graced) {
                    // Due, but the loop may have been kept from running (a busy machine): the
                    // connect's completion can be waiting in epoll. Once more after the next I/O
                    // pass (tasks run after it), so only a connect still unanswered then fails.
                    p.graced = true;
                    graceGiven = true;
                } else {
                    p.done();
                    // Fails the connect: the connection moves on to the next endpoint.
                    p.expire.run();
                }
                p = next;
            }
        }
        if (graceGiven) {
            schedule(now);
            return;
        }
        long earliest = 0;
        boolean any = false;
        for (Pending head : lists) {
            if (head.next != head && (!any || head.next.deadline - earliest < 0)) {
                earliest = head.next.deadline;
                any = true;
            }
        }
        if (any && (task == null || earliest - taskDeadline < 0)) {
            schedule(earliest);
        }
    }

    private void schedule(long deadline) {
        if (task != null) {
            task.cancel(false);
        }
        taskDeadline = deadline;
        task = loop.schedule(this, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    /** One connect in progress, and its place in its attempt's list. */
    static final class Pending {
        private final Runnable expire;
        private final long deadline;
        private Pending prev;
        private Pending next;
        private boolean graced;

        private Pending(Runnable expire, long deadline) {
            this.expire = expire;
            this.deadline = deadline;
        }

        /** The connect completed (or failed): no timeout for it any more. Idempotent. */
        void done() {
            if (prev != null) {
                prev.next = next;
                next.prev = prev;
                prev = null;
                next = null;
            }
        }
    }
}
