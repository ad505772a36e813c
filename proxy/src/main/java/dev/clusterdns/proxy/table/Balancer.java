package dev.clusterdns.proxy.table;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Endpoint choice for one Service port, as kube-proxy's userspace round robin does it: a shuffled
 * list, a cursor, and optional ClientIP affinity. Thread-safe; a pick is a few atomic operations and
 * at most one hash lookup, whatever the number of Services.
 *
 * <p>A new table reuses the balancer (cursor and affinity kept) when the endpoint set and affinity
 * timeout are unchanged; otherwise {@link #update} makes a fresh shuffle that keeps the affinity
 * entries whose endpoint survives.
 */
public final class Balancer {
    private final InetSocketAddress[] endpoints;
    private final Set<InetSocketAddress> members;
    private final long affinityTtlNanos;
    private final AtomicInteger cursor = new AtomicInteger();
    private final Map<InetAddress, Sticky> affinity;
    private final LongSupplier clock;

    private Balancer(List<InetSocketAddress> shuffled, long affinityTtlNanos, Map<InetAddress, Sticky> affinity,
            LongSupplier clock) {
        this.clock = clock;
        this.endpoints = shuffled.toArray(new InetSocketAddress[0]);
        this.members = Set.copyOf(shuffled);
        this.affinityTtlNanos = affinityTtlNanos;
        this.affinity = affinity;
    }

    /**
     * A balancer over {@code endpoints} (duplicates dropped) in random order.
     *
     * @param affinitySeconds ClientIP affinity timeout; 0 turns affinity off
     */
    public static Balancer create(List<InetSocketAddress> endpoints, int affinitySeconds, Random random) {
        return create(endpoints, affinitySeconds, random, System::nanoTime);
    }

    /** As {@link #create(List, int, Random)} with a nanosecond clock for affinity ages. */
    static Balancer create(List<InetSocketAddress> endpoints, int affinitySeconds, Random random, LongSupplier clock) {
        List<InetSocketAddress> list = new ArrayList<>(new java.util.LinkedHashSet<>(endpoints));
        Collections.shuffle(list, random);
        return new Balancer(list, TimeUnit.SECONDS.toNanos(affinitySeconds), new ConcurrentHashMap<>(), clock);
    }

    /** This balancer when nothing changed, else a new shuffle keeping still-valid affinity entries. */
    public Balancer update(List<InetSocketAddress> newEndpoints, int affinitySeconds, Random random) {
        long ttl = TimeUnit.SECONDS.toNanos(affinitySeconds);
        Set<InetSocketAddress> set = new HashSet<>(newEndpoints);
        if (ttl == affinityTtlNanos && set.equals(members)) {
            return this;
        }
        Balancer next = create(newEndpoints, affinitySeconds, random, clock);
        if (ttl > 0) {
            affinity.forEach((client, sticky) -> {
                if (set.contains(sticky.endpoint)) {
                    next.affinity.put(client, new Sticky(sticky.endpoint, sticky.lastUsed));
                }
            });
        }
        return next;
    }

    /**
     * The endpoint for a new connection (or UDP session) from {@code client}.
     *
     * @param bypassAffinity true on a retry after a failed connect, so the cursor moves on
     * @return null when there are no endpoints
     */
    public InetSocketAddress pick(InetAddress client, boolean bypassAffinity) {
        int n = endpoints.length;
        if (n == 0) {
            return null;
        }
        if (affinityTtlNanos == 0) {
            return endpoints[Math.floorMod(cursor.getAndIncrement(), n)];
        }
        long now = clock.getAsLong();
        if (!bypassAffinity) {
            Sticky sticky = affinity.get(client);
            if (sticky != null && now - sticky.lastUsed < affinityTtlNanos) {
                sticky.lastUsed = now;
                return sticky.endpoint;
            }
        }
        InetSocketAddress chosen = endpoints[Math.floorMod(cursor.getAndIncrement(), n)];
        affinity.put(client, new Sticky(chosen, now));
        return chosen;
    }

    /** Whether {@link #pick} looks at the client address (ClientIP affinity is on). */
    public boolean pinsClients() {
        return affinityTtlNanos != 0;
    }

    /** Drops affinity entries idle for the timeout or longer (kube-proxy's periodic sweep). */
    public void sweep() {
        if (affinityTtlNanos == 0 || affinity.isEmpty()) {
            return;
        }
        long now = clock.getAsLong();
        affinity.values().removeIf(s -> now - s.lastUsed >= affinityTtlNanos);
    }

    /** True when {@code endpoint} is one of this balancer's endpoints. */
    public boolean contains(InetSocketAddress endpoint) {
        return members.contains(endpoint);
    }

    public int size() {
        return endpoints.length;
    }

    /** The endpoints in their (shuffled) round-robin order. */
    public List<InetSocketAddress> endpoints() {
        return List.of(endpoints);
    }

    private static final class Sticky {
        final InetSocketAddress endpoint;
        volatile long lastUsed;

        Sticky(InetSocketAddress endpoint, long lastUsed) {
            this.endpoint = endpoint;
            this.lastUsed = lastUsed;
        }
    }
}
