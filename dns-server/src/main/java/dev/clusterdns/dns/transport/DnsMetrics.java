package dev.clusterdns.dns.transport;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server's query metrics under CoreDNS's names and labels (its `metrics` plugin), so dashboards
 * and alerts written for CoreDNS work unchanged:
 *
 * <ul>
 *   <li>{@code coredns_dns_requests_total{server,zone,view,proto,family,type}}
 *   <li>{@code coredns_dns_responses_total{server,zone,view,rcode,plugin}}
 *   <li>{@code coredns_dns_request_duration_seconds{server,zone,view,type}}
 *   <li>{@code coredns_dns_request_size_bytes{server,zone,view,proto}},
 *       {@code coredns_dns_response_size_bytes{server,zone,view,proto}}
 *   <li>{@code coredns_dns_do_requests_total{server,view,zone}}
 * </ul>
 *
 * {@code zone} is `.` (one server block for every name, as a Kubernetes Corefile has), {@code view}
 * is empty, {@code plugin} is the name of the stage that made the reply ({@code cluster}, {@code file},
 * {@code cache}, {@code forward}, ...; empty for the transport's own errors and the end of the chain's
 * REFUSED). Each listen address gets a {@link ServerMetrics}; the query path counts into plain
 * per-thread counters there, and one collector sums them when scraped. The families' names, help and
 * units come from Prometheus's own {@code Counter} and {@code Histogram} builders (built, never
 * observed), so the exposition is what those metrics would write. No exemplars: nothing here traces
 * queries.
 */
public final class DnsMetrics {
    /** CoreDNS's duration buckets: 0.25 ms doubling 16 times. */
    private static final double[] TIME_BUCKETS = exponential(0.00025, 2, 16);
    /** CoreDNS's size buckets. */
    private static final double[] SIZE_BUCKETS = {0, 100, 200, 300, 400, 511, 1023, 2047, 4095, 8291, 16e3, 32e3, 48e3, 64e3};

    final MetricMetadata requests;
    final MetricMetadata responses;
    final MetricMetadata doRequests;
    final MetricMetadata duration;
    final MetricMetadata requestSize;
    final MetricMetadata responseSize;
    /** By `server` label, so one address bound twice counts into the same series. */
    private final Map<String, ServerMetrics> servers = new ConcurrentHashMap<>();

    private DnsMetrics(PrometheusRegistry registry) {
        requests = Counter.builder().name("coredns_dns_requests_total")
                .help("DNS queries received, by server, zone, transport, address family and query type.")
                .labelNames("server", "zone", "view", "proto", "family", "type").build().collect().getMetadata();
        responses = Counter.builder().name("coredns_dns_responses_total")
                .help("DNS replies sent, by rcode and the stage (plugin) that made them.")
                .labelNames("server", "zone", "view", "rcode", "plugin").build().collect().getMetadata();
        doRequests = Counter.builder().name("coredns_dns_do_requests_total")
                .help("DNS queries with the EDNS DO bit set.")
                .labelNames("server", "view", "zone").build().collect().getMetadata();
        duration = Histogram.builder().name("coredns_dns_request_duration_seconds")
                .help("Time from receiving a query to handing its reply to the socket, by query type.").unit(Unit.SECONDS)
                .classicUpperBounds(TIME_BUCKETS).classicOnly()
                .labelNames("server", "zone", "view", "type").build().collect().getMetadata();
        requestSize = Histogram.builder().name("coredns_dns_request_size_bytes")
                .help("Size of the queries received in bytes, by transport.")
                .classicUpperBounds(SIZE_BUCKETS).classicOnly()
                .labelNames("server", "zone", "view", "proto").build().collect().getMetadata();
        responseSize = Histogram.builder().name("coredns_dns_response_size_bytes")
                .help("Size of the replies sent in bytes, by transport.")
                .classicUpperBounds(SIZE_BUCKETS).classicOnly()
                .labelNames("server", "zone", "view", "proto").build().collect().getMetadata();
        if (registry != null) {
            registry.register(new DnsMetricsCollector(this));
        }
    }

    private static double[] exponential(double start, double factor, int count) {
        double[] out = new double[count];
        for (int i = 0; i < count; i++) {
            out[i] = start * Math.pow(factor, i);
        }
        return out;
    }

    /** {@code bounds} with +Inf appended, as a classic histogram's buckets end. */
    private static double[] withInfinity(double[] bounds) {
        double[] out = Arrays.copyOf(bounds, bounds.length + 1);
        out[bounds.length] = Double.POSITIVE_INFINITY;
        return out;
    }

    /** Metrics registered in {@code registry} (names must not be registered there yet). */
    public static DnsMetrics register(PrometheusRegistry registry) {
        return new DnsMetrics(registry);
    }

    /** Metrics kept but not exposed anywhere (tests, embedded use). */
    public static DnsMetrics unregistered() {
        return new DnsMetrics(null);
    }

    /** The metrics of one listen address, `dns://HOST:PORT` as CoreDNS names its servers. */
    ServerMetrics forServer(String server) {
        return servers.computeIfAbsent(server,
                s -> new ServerMetrics(s, withInfinity(TIME_BUCKETS), withInfinity(SIZE_BUCKETS)));
    }

    /** The listen addresses' metrics, for the collector. */
    Collection<ServerMetrics> servers() {
        return servers.values();
    }
}
