package dev.clusterdns.dns.transport;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Response rate limiting for UDP (`--rrl-rate`), in the manner of NSD's `rrl-ratelimit`: each client
 * network (/24 for IPv4, /56 for IPv6) may receive {@code rate} replies per second (a token bucket
 * holding one second's worth). Beyond that replies are dropped, except every {@code slip}-th, which
 * is sent as an empty truncated reply so that a real client behind a spoofed flood retries over TCP
 * (TCP is never limited here: it cannot be spoofed). Buckets of networks not heard from for a minute
 * are forgotten.
 */
final class ResponseRateLimit {
    enum Verdict { SEND, SLIP, DROP }

    private final double rate;
    private final int slip;
    private final LongSupplier nanoTime;
    private final Cache<Long, Bucket> buckets;

    /** Tokens and when they were last topped up; touched under its own lock (one network, rarely contended). */
    private static final class Bucket {
        double tokens;
        long refilledAt;
        int dropped;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.refilledAt = now;
        }
    }

    /**
     * @param rate replies per second per network (> 0)
     * @param slip every slip-th limited reply is sent truncated; 0 drops them all, 1 truncates them all
     */
    ResponseRateLimit(int rate, int slip, LongSupplier nanoTime) {
        if (rate <= 0) {
            throw new IllegalArgumentException("--rrl-rate must be > 0 replies per second, not " + rate);
        }
        if (slip < 0) {
            throw new IllegalArgumentException("--rrl-slip must be >= 0, not " + slip);
        }
        this.rate = rate;
        this.slip = slip;
        this.nanoTime = nanoTime;
        this.buckets = Caffeine.newBuilder().expireAfterAccess(Duration.ofMinutes(1)).maximumSize(1_000_000).build();
    }

    Verdict check(InetAddress client) {
        long now = nanoTime.getAsLong();
        Bucket b = buckets.get(network(client), k -> new Bucket(rate, now));
        synchronized (b) {
            b.tokens = Math.min(rate, b.tokens + (now - b.refilledAt) / 1e9 * rate);
            b.refilledAt = now;
            if (b.tokens >= 1) {
                b.tokens -= 1;
                return Verdict.SEND;
            }
            b.dropped++;
            return slip > 0 && b.dropped % slip == 0 ? Verdict.SLIP : Verdict.DROP;
        }
    }

    /** The client's /24 (IPv4) or /56 (IPv6) as one key; the top bit tells the families apart. */
    static long network(InetAddress a) {
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            return (1L << 62) | ((b[0] & 0xffL) << 16) | ((b[1] & 0xffL) << 8) | (b[2] & 0xffL);
        }
        long key = 0;
        for (int i = 0; i < 7; i++) {
            key = (key << 8) | (b[i] & 0xffL);
        }
        return key; // 56 bits: never collides with the IPv4 keys
    }
}
