package dev.clusterdns.dns.forward;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/** The upstreams for one domain (the default `.` or a stub domain) and their try order. */
final class UpstreamGroup {
    private final List<Upstream> upstreams;
    private final ForwardPolicy policy;
    private final AtomicInteger next = new AtomicInteger();

    UpstreamGroup(List<Upstream> upstreams, ForwardPolicy policy) {
        this.upstreams = List.copyOf(upstreams);
        this.policy = policy;
    }

    List<Upstream> upstreams() {
        return upstreams;
    }

    boolean isEmpty() {
        return upstreams.isEmpty();
    }

    /**
     * The order to try upstreams in for one query: healthy ones by policy, then (as CoreDNS does
     * when all are down) the unhealthy ones, so a recovered upstream is found without waiting for a
     * health check. Looping upstreams are never tried.
     */
    List<Upstream> order() {
        int n = upstreams.size();
        int start = switch (policy) {
            case RANDOM -> n == 0 ? 0 : ThreadLocalRandom.current().nextInt(n);
            case ROUND_ROBIN -> n == 0 ? 0 : Math.floorMod(next.getAndIncrement(), n);
            case SEQUENTIAL -> 0;
        };
        List<Upstream> healthy = new ArrayList<>(n);
        List<Upstream> sick = new ArrayList<>(0);
        for (int i = 0; i < n; i++) {
            Upstream u = upstreams.get((start + i) % n);
            if (u.looping) {
                continue;
            }
            (u.healthy() ? healthy : sick).add(u);
        }
        if (policy == ForwardPolicy.RANDOM && healthy.size() > 2) {
            java.util.Collections.shuffle(healthy.subList(1, healthy.size()), ThreadLocalRandom.current());
        }
        healthy.addAll(sick);
        return healthy;
    }
}
