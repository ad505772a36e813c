package dev.clusterdns.dns.transport;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

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
 * REFUSED). Each listen address
 * gets a {@link ServerMetrics} that resolves each label child once and keeps it, so the query path only
 * increments. No exemplars: nothing here traces queries, so the sampler only cost every
 * observation a check and its scheduler thread wake-ups to re-arm it.
 */
public final class DnsMetrics {
    /** CoreDNS's duration buckets: 0.25 ms doubling 16 times. */
    private static final double[] TIME_BUCKETS = exponential(0.00025, 2, 16);
    /** CoreDNS's size buckets. */
    private static final double[] SIZE_BUCKETS = {0, 100, 200, 300, 400, 511, 1023, 2047, 4095, 8291, 16e3, 32e3, 48e3, 64e3};

    final Counter requests;
    final Counter responses;
    final Counter doRequests;
    final Histogram duration;
    final Histogram requestSize;
    final Histogram responseSize;

    private DnsMetrics(PrometheusRegistry registry) {
        requests = Counter.builder().name("coredns_dns_requests_total")
                .help("DNS queries received, by server, zone, transport, address family and query type.")
                .labelNames("server", "zone", "view", "proto", "family", "type").withoutExemplars().build();
        responses = Counter.builder().name("coredns_dns_responses_total")
                .help("DNS replies sent, by rcode and the stage (plugin) that made them.")
                .labelNames("server", "zone", "view", "rcode", "plugin").withoutExemplars().build();
        doRequests = Counter.builder().name("coredns_dns_do_requests_total")
                .help("DNS queries with the EDNS DO bit set.")
                .labelNames("server", "view", "zone").withoutExemplars().build();
        duration = Histogram.builder().name("coredns_dns_request_duration_seconds")
                .help("Time from receiving a query to handing its reply to the socket, by query type.").unit(Unit.SECONDS)
                .classicUpperBounds(TIME_BUCKETS).classicOnly()
                .labelNames("server", "zone", "view", "type").withoutExemplars().build();
        requestSize = Histogram.builder().name("coredns_dns_request_size_bytes")
                .help("Size of the queries received in bytes, by transport.")
                .classicUpperBounds(SIZE_BUCKETS).classicOnly()
                .labelNames("server", "zone", "view", "proto").withoutExemplars().build();
        responseSize = Histogram.builder().name("coredns_dns_response_size_bytes")
                .help("Size of the replies sent in bytes, by transport.")
                .classicUpperBounds(SIZE_BUCKETS).classicOnly()
                .labelNames("server", "zone", "view", "proto").withoutExemplars().build();
        if (registry != null) {
            registry.register(requests);
            registry.register(responses);
            registry.register(doRequests);
            registry.register(duration);
            registry.register(requestSize);
            registry.register(responseSize);
        }
    }

    private static double[] exponential(double start, double factor, int count) {
        double[] out = new double[count];
        for (int i = 0; i < count; i++) {
            out[i] = start * Math.pow(factor, i);
        }
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

    /** The label children of one listen address, `dns://HOST:PORT` as CoreDNS names its servers. */
    ServerMetrics forServer(String server) {
        return new ServerMetrics(this, server);
    }
}
