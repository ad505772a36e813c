package dev.clusterdns.dns.forward;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** One upstream server and its health: consecutive failures against `max_fails`. */
final class Upstream {
    private final InetSocketAddress address;
    private final String label;
    private final int maxFails;
    private final AtomicInteger fails = new AtomicInteger();
    /** True while a health-check loop runs for this upstream (at most one). */
    final AtomicBoolean checking = new AtomicBoolean();
    /** True once the loop probe went to this upstream (before its first use). */
    final AtomicBoolean probed = new AtomicBoolean();
    /** Set when our loop probe came back through this upstream: never used again. */
    volatile boolean looping;

    Upstream(InetSocketAddress address, int maxFails) {
        this.address = address;
        this.label = address.getAddress().getHostAddress() + ":" + address.getPort();
        this.maxFails = maxFails;
    }

    InetSocketAddress address() {
        return address;
    }

    /** `ip:port`, the `to` label of the metrics. */
    String label() {
        return label;
    }

    boolean healthy() {
        return !looping && (maxFails <= 0 || fails.get() < maxFails);
    }

    /** Returns true when this failure made the upstream unhealthy (start health checks). */
    boolean failed() {
        return fails.incrementAndGet() == maxFails;
    }

    void succeeded() {
        fails.set(0);
    }

    @Override
    public String toString() {
        return label;
    }
}
