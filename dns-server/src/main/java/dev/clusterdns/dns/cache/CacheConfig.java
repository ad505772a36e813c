package dev.clusterdns.dns.cache;

import java.time.Duration;

/**
 * Response cache settings (CoreDNS `cache` defaults where it has them).
 *
 * @param maxEntries entries per cache (success and denial are separate, as in CoreDNS)
 * @param minTtl lower TTL bound for every entry (CoreDNS: 5 s)
 * @param maxTtl upper bound for positive answers (CoreDNS: 3600 s)
 * @param maxDenialTtl upper bound for NXDOMAIN/NODATA (CoreDNS: 1800 s)
 * @param serveStale how long past expiry an entry may still be served when upstreams fail
 *     (RFC 8767); zero disables
 * @param prefetchHits hits (each within {@code prefetchWindow} of the last) that make an entry
 *     popular enough to refresh before it expires; zero disables prefetch
 * @param prefetchWindow the longest gap between hits that still counts as popular
 * @param prefetchPercent refresh when the remaining TTL is at most this percentage of the original
 */
public record CacheConfig(
        long maxEntries,
        long minTtl,
        long maxTtl,
        long maxDenialTtl,
        Duration serveStale,
        int prefetchHits,
        Duration prefetchWindow,
        int prefetchPercent) {

    /** The TTL given to stale answers (RFC 8767 §4 suggests 30 s). */
    public static final long STALE_TTL = 30;

    public CacheConfig {
        if (minTtl < 0 || maxTtl < minTtl || maxDenialTtl < minTtl) {
            throw new IllegalArgumentException("cache TTL bounds: need 0 <= min (" + minTtl + ") <= max (" + maxTtl
                    + ") and min <= denial max (" + maxDenialTtl + ")");
        }
        if (maxEntries < 0) {
            throw new IllegalArgumentException("cache size must be >= 0, got " + maxEntries);
        }
    }

    public static CacheConfig defaults() {
        return new CacheConfig(10_000, 5, 3600, 1800, Duration.ZERO, 10, Duration.ofMinutes(1), 10);
    }

    public CacheConfig withServeStale(Duration d) {
        return new CacheConfig(maxEntries, minTtl, maxTtl, maxDenialTtl, d, prefetchHits, prefetchWindow, prefetchPercent);
    }

    public CacheConfig withTtls(long min, long max, long denialMax) {
        return new CacheConfig(maxEntries, min, max, denialMax, serveStale, prefetchHits, prefetchWindow, prefetchPercent);
    }

    public CacheConfig withSize(long size) {
        return new CacheConfig(size, minTtl, maxTtl, maxDenialTtl, serveStale, prefetchHits, prefetchWindow, prefetchPercent);
    }

    public CacheConfig withPrefetch(int hits, Duration window, int percent) {
        return new CacheConfig(maxEntries, minTtl, maxTtl, maxDenialTtl, serveStale, hits, window, percent);
    }
}
