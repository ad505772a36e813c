package dev.clusterdns.dns.transport;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * Request/response counters and a latency histogram. Label children are resolved once up front so
 * the query path only increments (no label lookups, no allocation).
 */
public final class DnsMetrics {
    private static final int[] TYPES = {Type.A, Type.AAAA, Type.SRV, Type.PTR, Type.TXT, Type.CNAME, Type.SOA,
        Type.NS, Type.MX, Type.ANY, Type.AXFR, Type.IXFR, Type.HTTPS};
    /** NOERROR, FORMERR, SERVFAIL, NXDOMAIN, NOTIMP, REFUSED: pre-resolved; rarer rcodes on first use. */
    private static final int COMMON_RCODES = 6;

    private final CounterDataPoint[][] requests; // [proto][type index]
    private final CounterDataPoint[] responses;
    private final Counter responsesByRcode;
    private final DistributionDataPoint[] duration; // [proto]

    private DnsMetrics(PrometheusRegistry registry) {
        Counter req = Counter.builder().name("clusterdns_dns_requests_total")
                .help("DNS queries received, by transport and query type").labelNames("proto", "type").build();
        Counter resp = Counter.builder().name("clusterdns_dns_responses_total")
                .help("DNS replies sent, by rcode").labelNames("rcode").build();
        Histogram dur = Histogram.builder().name("clusterdns_dns_request_duration_seconds")
                .help("Time from receiving a query to writing its reply").unit(Unit.SECONDS)
                .classicUpperBounds(0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                        0.25, 0.5, 1, 2.5)
                .classicOnly().labelNames("proto").build();
        if (registry != null) {
            registry.register(req);
            registry.register(resp);
            registry.register(dur);
        }
        String[] protos = {"udp", "tcp"};
        requests = new CounterDataPoint[2][TYPES.length + 1];
        duration = new DistributionDataPoint[2];
        for (int p = 0; p < 2; p++) {
            for (int i = 0; i < TYPES.length; i++) {
                requests[p][i] = req.labelValues(protos[p], Type.string(TYPES[i]));
            }
            requests[p][TYPES.length] = req.labelValues(protos[p], "other");
            duration[p] = dur.labelValues(protos[p]);
        }
        responsesByRcode = resp;
        responses = new CounterDataPoint[COMMON_RCODES];
        for (int r = 0; r < COMMON_RCODES; r++) {
            responses[r] = resp.labelValues(Rcode.string(r));
        }
    }

    /** Metrics registered in {@code registry} (names must not be registered there yet). */
    public static DnsMetrics register(PrometheusRegistry registry) {
        return new DnsMetrics(registry);
    }

    /** Metrics kept but not exposed anywhere (tests, embedded use). */
    public static DnsMetrics unregistered() {
        return new DnsMetrics(null);
    }

    void request(boolean tcp, int type) {
        CounterDataPoint[] row = requests[tcp ? 1 : 0];
        for (int i = 0; i < TYPES.length; i++) {
            if (TYPES[i] == type) {
                row[i].inc();
                return;
            }
        }
        row[TYPES.length].inc();
    }

    void response(boolean tcp, int rcode, long startNanos) {
        if (rcode >= 0 && rcode < COMMON_RCODES) {
            responses[rcode].inc();
        } else {
            responsesByRcode.labelValues(Rcode.string(rcode)).inc();
        }
        duration[tcp ? 1 : 0].observe((System.nanoTime() - startNanos) / 1e9);
    }
}
