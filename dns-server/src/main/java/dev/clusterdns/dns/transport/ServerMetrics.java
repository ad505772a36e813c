package dev.clusterdns.dns.transport;

import dev.clusterdns.dns.pipeline.StageOrder;
import io.netty.util.concurrent.FastThreadLocal;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * {@link DnsMetrics} of one listen address. The query path counts into a {@link MetricShard} of its
 * own thread (an event loop, or the thread that completed a forwarded query): plain increments, no
 * atomic operation and no label lookup per query. A scrape sums the shards into CoreDNS's series.
 * The series are those the Prometheus metrics of earlier versions exported: requests, durations,
 * sizes and DO requests for every type and transport from the start (at zero), responses for each
 * rcode and stage once one was sent.
 */
final class ServerMetrics {
    /** The types CoreDNS counts by name; everything else is `other`. */
    private static final int[] TYPES = {Type.A, Type.AAAA, Type.MX, Type.SOA, Type.CNAME, Type.PTR, Type.TXT, Type.NS,
        Type.SRV, Type.DS, Type.DNSKEY, Type.RRSIG, Type.NSEC, Type.NSEC3, Type.HINFO, Type.NAPTR, Type.IXFR,
        Type.AXFR, Type.ANY, Type.HTTPS, Type.SVCB};
    private static final int TYPE_SLOTS = TYPES.length + 1;
    private static final String ZONE = ".";
    private static final String VIEW = "";
    private static final String[] PROTOS = {"udp", "tcp"};
    private static final String[] FAMILIES = {"1", "2"};
    /** NOERROR … REFUSED are counted in the shards; rarer rcodes (and unknown stages) in a shared map. */
    private static final int COMMON_RCODES = 6;

    private final String server;
    private final double[] timeBounds;
    private final double[] sizeBounds;
    private final long created = System.currentTimeMillis();
    /** Stage names known up front (the `plugin` label), index 0 the empty name. */
    private final String[] plugins;
    private final List<MetricShard> shards = new CopyOnWriteArrayList<>();
    private final FastThreadLocal<MetricShard> own = new FastThreadLocal<>() {
        @Override
        protected MetricShard initialValue() {
            MetricShard shard = new MetricShard(TYPE_SLOTS, plugins.length, COMMON_RCODES, timeBounds.length,
                    sizeBounds.length);
            shards.add(shard);
            return shard;
        }
    };
    /** When each common (stage, rcode) pair was first answered, 0 before. */
    private final AtomicLongArray responseCreated;
    private final Map<Labels, Rare> rareResponses = new ConcurrentHashMap<>();

    private record Rare(LongAdder count, long created) {}

    /** {@code timeBounds} and {@code sizeBounds} are the buckets' upper bounds, +Inf last. */
    ServerMetrics(String server, double[] timeBounds, double[] sizeBounds) {
        this.server = server;
        this.timeBounds = timeBounds;
        this.sizeBounds = sizeBounds;
        plugins = new String[StageOrder.NAMES.size() + 1];
        plugins[0] = "";
        for (int i = 0; i < StageOrder.NAMES.size(); i++) {
            plugins[i + 1] = StageOrder.NAMES.get(i);
        }
        responseCreated = new AtomicLongArray(plugins.length * COMMON_RCODES);
    }

    private static int typeIndex(int type) {
        for (int i = 0; i < TYPES.length; i++) {
            if (TYPES[i] == type) {
                return i;
            }
        }
        return TYPES.length;
    }

    /** The classic bucket of {@code value}: the first upper bound it does not exceed. */
    private static int bucket(double[] bounds, double value) {
        int i = 0;
        while (i < bounds.length - 1 && value > bounds[i]) {
            i++;
        }
        return i;
    }

    /**
     * A query came in.
     *
     * @param ipv6 the client's address family
     * @param size the query's length in bytes
     */
    void request(boolean tcp, boolean ipv6, int type, int size, boolean dnssecOk) {
        MetricShard s = own.get();
        int proto = tcp ? 1 : 0;
        MetricShard.increment(s.requests, ((proto << 1) + (ipv6 ? 1 : 0)) * TYPE_SLOTS + typeIndex(type));
        MetricShard.increment(s.requestSize, proto * sizeBounds.length + bucket(sizeBounds, size));
        MetricShard.add(s.requestSizeSum, proto, size);
        if (dnssecOk) {
            MetricShard.increment(s.doRequests, 0);
        }
    }

    private int pluginIndex(String plugin) {
        // Stages name themselves with the same literals as StageOrder: the identity pass finds them
        // without comparing characters.
        for (int i = 0; i < plugins.length; i++) {
            if (plugins[i] == plugin) {
                return i;
            }
        }
        for (int i = 0; i < plugins.length; i++) {
            if (plugins[i].equals(plugin)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * A reply went out.
     *
     * @param plugin the stage that made it ({@code Reply.plugin()}), empty when none did
     */
    void response(boolean tcp, int type, int rcode, String plugin, int size, long startNanos) {
        response(tcp, type, rcode, plugin, size, startNanos, System.nanoTime());
    }

    /** {@link #response} with the time the reply was handed over given ({@link System#nanoTime()}). */
    void response(boolean tcp, int type, int rcode, String plugin, int size, long startNanos, long nowNanos) {
        MetricShard s = own.get();
        int p = pluginIndex(plugin);
        if (p >= 0 && rcode >= 0 && rcode < COMMON_RCODES) {
            int i = p * COMMON_RCODES + rcode;
            if (s.responses[i] == 0 && responseCreated.get(i) == 0) {
                responseCreated.compareAndSet(i, 0, System.currentTimeMillis());
            }
            MetricShard.increment(s.responses, i);
        } else {
            Labels labels = Labels.of("server", server, "zone", ZONE, "view", VIEW, "rcode", Rcode.string(rcode),
                    "plugin", plugin);
            rareResponses.computeIfAbsent(labels, l -> new Rare(new LongAdder(), System.currentTimeMillis()))
                    .count().increment();
        }
        int proto = tcp ? 1 : 0;
        MetricShard.increment(s.responseSize, proto * sizeBounds.length + bucket(sizeBounds, size));
        MetricShard.add(s.responseSizeSum, proto, size);
        int t = typeIndex(type);
        double seconds = (nowNanos - startNanos) / 1e9;
        MetricShard.increment(s.duration, t * timeBounds.length + bucket(timeBounds, seconds));
        MetricShard.add(s.durationSum, t, seconds);
    }

    // The scrape side: the shards' sums as data points with CoreDNS's labels.

    private long sum(java.util.function.ToLongFunction<MetricShard> slot) {
        long n = 0;
        for (MetricShard s : shards) {
            n += slot.applyAsLong(s);
        }
        return n;
    }

    private CounterDataPointSnapshot counter(long value, Labels labels, long createdMillis) {
        return new CounterDataPointSnapshot(value, labels, null, createdMillis);
    }

    void requests(List<CounterDataPointSnapshot> out) {
        for (int t = 0; t < TYPE_SLOTS; t++) {
            String type = t < TYPES.length ? Type.string(TYPES[t]) : "other";
            for (int p = 0; p < 2; p++) {
                for (int f = 0; f < 2; f++) {
                    int i = ((p << 1) + f) * TYPE_SLOTS + t;
                    out.add(counter(sum(s -> MetricShard.read(s.requests, i)), Labels.of("server", server, "zone", ZONE,
                            "view", VIEW, "proto", PROTOS[p], "family", FAMILIES[f], "type", type), created));
                }
            }
        }
    }

    void doRequests(List<CounterDataPointSnapshot> out) {
        out.add(counter(sum(s -> MetricShard.read(s.doRequests, 0)),
                Labels.of("server", server, "view", VIEW, "zone", ZONE), created));
    }

    void responses(List<CounterDataPointSnapshot> out) {
        for (int p = 0; p < plugins.length; p++) {
            for (int r = 0; r < COMMON_RCODES; r++) {
                int i = p * COMMON_RCODES + r;
                long n = sum(s -> MetricShard.read(s.responses, i));
                if (n > 0) {
                    out.add(counter(n, Labels.of("server", server, "zone", ZONE, "view", VIEW, "rcode", Rcode.string(r),
                            "plugin", plugins[p]), responseCreated.get(i)));
                }
            }
        }
        rareResponses.forEach((labels, rare) -> out.add(counter(rare.count().sum(), labels, rare.created())));
    }

    void duration(List<HistogramDataPointSnapshot> out) {
        for (int t = 0; t < TYPE_SLOTS; t++) {
            String type = t < TYPES.length ? Type.string(TYPES[t]) : "other";
            out.add(histogram(timeBounds, t, shard -> shard.duration, shard -> shard.durationSum,
                    Labels.of("server", server, "zone", ZONE, "view", VIEW, "type", type)));
        }
    }

    void requestSize(List<HistogramDataPointSnapshot> out) {
        for (int p = 0; p < 2; p++) {
            out.add(histogram(sizeBounds, p, shard -> shard.requestSize, shard -> shard.requestSizeSum,
                    Labels.of("server", server, "zone", ZONE, "view", VIEW, "proto", PROTOS[p])));
        }
    }

    void responseSize(List<HistogramDataPointSnapshot> out) {
        for (int p = 0; p < 2; p++) {
            out.add(histogram(sizeBounds, p, shard -> shard.responseSize, shard -> shard.responseSizeSum,
                    Labels.of("server", server, "zone", ZONE, "view", VIEW, "proto", PROTOS[p])));
        }
    }

    private HistogramDataPointSnapshot histogram(double[] bounds, int row,
            java.util.function.Function<MetricShard, long[]> counts,
            java.util.function.Function<MetricShard, double[]> sums, Labels labels) {
        long[] buckets = new long[bounds.length];
        double total = 0;
        for (MetricShard s : shards) {
            long[] c = counts.apply(s);
            for (int b = 0; b < bounds.length; b++) {
                buckets[b] += MetricShard.read(c, row * bounds.length + b);
            }
            total += MetricShard.read(sums.apply(s), row);
        }
        return new HistogramDataPointSnapshot(ClassicHistogramBuckets.of(bounds, buckets), total, labels,
                Exemplars.EMPTY, created);
    }
}
