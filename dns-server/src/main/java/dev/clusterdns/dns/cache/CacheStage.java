package dev.clusterdns.dns.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.clusterdns.dns.pipeline.Next;
import dev.clusterdns.dns.pipeline.Query;
import dev.clusterdns.dns.pipeline.Reply;
import dev.clusterdns.dns.pipeline.Stage;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A Caffeine response cache in front of the forwarder (CoreDNS `cache`): positive and negative
 * (RFC 2308) entries in two bounded caches, TTLs clamped and counted down, popular entries prefetched
 * before they expire, and stale entries served (RFC 8767) when the refresh fails. It sits after the
 * authorities (cluster zone, zone files, hosts), so authoritative answers are never cached and can
 * never be stale after a snapshot or zone reload.
 */
public final class CacheStage implements Stage {
    private static final Logger LOG = LoggerFactory.getLogger(CacheStage.class);

    /** What identifies a cached reply: name (case-insensitive), type, class, DO and CD bits. */
    record Key(Name name, int type, int dclass, boolean dnssecOk, boolean checkingDisabled) {}

    private final CacheConfig config;
    private final Ticker ticker;
    private final Cache<Key, CachedReply> success;
    private final Cache<Key, CachedReply> denial;
    private final Counter hits;
    private final Counter misses;
    private final Counter prefetches;
    private final Counter servedStale;

    public CacheStage(CacheConfig config, PrometheusRegistry registry) {
        this(config, registry, Ticker.systemTicker());
    }

    CacheStage(CacheConfig config, PrometheusRegistry registry, Ticker ticker) {
        this.config = config;
        this.ticker = ticker;
        this.success = build(config, ticker);
        this.denial = build(config, ticker);
        hits = Counter.builder().name("coredns_cache_hits_total").help("Cache hits, by type (success, denial).")
                .labelNames("type").register(registry);
        misses = Counter.builder().name("coredns_cache_misses_total").help("Cache misses.").register(registry);
        prefetches = Counter.builder().name("coredns_cache_prefetch_total").help("Entries refreshed before expiry.")
                .register(registry);
        servedStale = Counter.builder().name("coredns_cache_served_stale_total")
                .help("Stale answers served because the upstreams failed (RFC 8767).").register(registry);
        GaugeWithCallback.builder().name("coredns_cache_entries").help("Entries in the cache, by type.")
                .labelNames("type").callback(cb -> {
                    cb.call(success.estimatedSize(), "success");
                    cb.call(denial.estimatedSize(), "denial");
                }).register(registry);
    }

    private static Cache<Key, CachedReply> build(CacheConfig config, Ticker ticker) {
        long staleNanos = config.serveStale().toNanos();
        return Caffeine.newBuilder()
                .maximumSize(config.maxEntries())
                .ticker(ticker)
                .executor(Runnable::run)
                .expireAfter(new Expiry<Key, CachedReply>() {
                    @Override
                    public long expireAfterCreate(Key k, CachedReply v, long now) {
                        return TimeUnit.SECONDS.toNanos(v.ttl) + staleNanos;
                    }

                    @Override
                    public long expireAfterUpdate(Key k, CachedReply v, long now, long current) {
                        return TimeUnit.SECONDS.toNanos(v.ttl) + staleNanos;
                    }

                    @Override
                    public long expireAfterRead(Key k, CachedReply v, long now, long current) {
                        return current;
                    }
                })
                .build();
    }

    @Override
    public String name() {
        return "cache";
    }

    @Override
    public CompletionStage<Reply> serve(Query query, Next next) {
        if (query.name() == null || query.opcode() != Opcode.QUERY || query.type() == Type.AXFR
                || query.type() == Type.IXFR || config.maxEntries() == 0) {
            return next.serve(query);
        }
        Key key = key(query);
        long now = ticker.read();
        CachedReply entry = success.getIfPresent(key);
        if (entry == null) {
            entry = denial.getIfPresent(key);
        }
        if (entry != null) {
            long left = entry.remaining(now);
            if (left > 0) {
                hits.labelValues(entry.denial ? "denial" : "success").inc();
                maybePrefetch(query, key, entry, left, now, next);
                Reply r = fromCache(query, entry, left);
                if (r != null) {
                    return CompletableFuture.completedFuture(r);
                }
            }
        }
        misses.inc();
        CachedReply stale = entry;
        return next.serve(query).handle((reply, error) -> {
            if (error == null && reply.rcode() != Rcode.SERVFAIL) {
                store(query, key, reply.message());
                return reply;
            }
            if (stale != null && !config.serveStale().isZero()) {
                Reply r = fromCache(query, stale, CacheConfig.STALE_TTL);
                if (r != null) {
                    servedStale.inc();
                    return r;
                }
            }
            if (error != null) {
                throw error instanceof RuntimeException re ? re : new IllegalStateException(error);
            }
            return reply;
        });
    }

    /** CoreDNS prefetch: a popular entry close to expiry is refreshed once, in the background. */
    private void maybePrefetch(Query query, Key key, CachedReply entry, long left, long now, Next next) {
        if (config.prefetchHits() <= 0) {
            return;
        }
        long gap = now - entry.lastHitNanos;
        entry.lastHitNanos = now;
        if (gap >= config.prefetchWindow().toNanos()) {
            entry.hits.set(1);
            return;
        }
        int n = entry.hits.incrementAndGet();
        long threshold = Math.max(1, entry.ttl * config.prefetchPercent() / 100);
        if (n >= config.prefetchHits() && left <= threshold && entry.refreshing.compareAndSet(false, true)) {
            prefetches.inc();
            next.serve(query).whenComplete((reply, error) -> {
                if (error == null && reply.rcode() != Rcode.SERVFAIL) {
                    store(query, key, reply.message());
                } else {
                    entry.refreshing.set(false);
                }
            });
        }
    }

    private Reply fromCache(Query query, CachedReply entry, long ttl) {
        try {
            Message m = entry.toMessage(query.id(), ttl);
            m.addRecord(query.message().getQuestion(), Section.QUESTION);
            return Reply.of(m);
        } catch (IOException e) {
            LOG.warn("dropping unreadable cache entry for {}: {}", query.name(), e.toString());
            return null;
        }
    }

    private void store(Query query, Key key, Message reply) {
        if (reply.getHeader().getFlag(Flags.TC)) {
            return;
        }
        Record q = reply.getQuestion();
        if (q != null && (!q.getName().equals(query.name()) || q.getType() != query.type())) {
            return;
        }
        int rcode = reply.getRcode();
        long now = ticker.read();
        if (rcode == Rcode.NOERROR && reply.getSection(Section.ANSWER).size() > 0) {
            long ttl = clamp(minTtl(reply), config.maxTtl());
            success.put(key, CachedReply.of(reply, ttl, false, now));
            denial.invalidate(key);
        } else if (rcode == Rcode.NXDOMAIN || rcode == Rcode.NOERROR) {
            SOARecord soa = soa(reply);
            if (soa == null) {
                // RFC 2308 §5: a negative answer without an SOA is not cached.
                return;
            }
            long ttl = clamp(Math.min(soa.getTTL(), soa.getMinimum()), config.maxDenialTtl());
            denial.put(key, CachedReply.of(reply, ttl, true, now));
            success.invalidate(key);
        }
    }

    private long clamp(long ttl, long max) {
        return Math.max(config.minTtl(), Math.min(max, ttl));
    }

    private static long minTtl(Message m) {
        long min = Long.MAX_VALUE;
        for (int s : new int[] {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
            for (Record r : m.getSection(s)) {
                if (r.getType() != Type.OPT) {
                    min = Math.min(min, r.getTTL());
                }
            }
        }
        return min == Long.MAX_VALUE ? 0 : min;
    }

    private static SOARecord soa(Message m) {
        for (Record r : m.getSection(Section.AUTHORITY)) {
            if (r instanceof SOARecord s) {
                return s;
            }
        }
        return null;
    }

    private static Key key(Query q) {
        OPTRecord opt = q.opt();
        boolean dnssecOk = opt != null && (opt.getFlags() & ExtendedFlags.DO) != 0;
        boolean cd = q.message().getHeader().getFlag(Flags.CD);
        return new Key(q.name(), q.type(), q.dclass(), dnssecOk, cd);
    }

    /** Entries now in the success and denial caches (for tests and logs). */
    long size() {
        success.cleanUp();
        denial.cleanUp();
        return success.estimatedSize() + denial.estimatedSize();
    }
}
