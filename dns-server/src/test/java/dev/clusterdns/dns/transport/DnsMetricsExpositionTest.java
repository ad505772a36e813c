package dev.clusterdns.dns.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * The per-thread counters summed at scrape time must write exactly what Prometheus's own Counter and
 * Histogram write for the same observations (the metrics before them were those): same families,
 * series, labels, buckets and values, in both text formats.
 */
class DnsMetricsExpositionTest {
    private static final String SERVER = "dns://127.0.0.1:53";
    private static final int[] TYPES = {Type.A, Type.AAAA, Type.MX, Type.SOA, Type.CNAME, Type.PTR, Type.TXT, Type.NS,
        Type.SRV, Type.DS, Type.DNSKEY, Type.RRSIG, Type.NSEC, Type.NSEC3, Type.HINFO, Type.NAPTR, Type.IXFR,
        Type.AXFR, Type.ANY, Type.HTTPS, Type.SVCB};

    /** CoreDNS's metrics built from Prometheus's metric types, every up-front series resolved as the server did. */
    private static final class Oracle {
        final Counter requests = Counter.builder().name("coredns_dns_requests_total")
                .help("DNS queries received, by server, zone, transport, address family and query type.")
                .labelNames("server", "zone", "view", "proto", "family", "type").withoutExemplars().build();
        final Counter responses = Counter.builder().name("coredns_dns_responses_total")
                .help("DNS replies sent, by rcode and the stage (plugin) that made them.")
                .labelNames("server", "zone", "view", "rcode", "plugin").withoutExemplars().build();
        final Counter doRequests = Counter.builder().name("coredns_dns_do_requests_total")
                .help("DNS queries with the EDNS DO bit set.")
                .labelNames("server", "view", "zone").withoutExemplars().build();
        final Histogram duration = Histogram.builder().name("coredns_dns_request_duration_seconds")
                .help("Time from receiving a query to handing its reply to the socket, by query type.").unit(Unit.SECONDS)
                .classicUpperBounds(timeBuckets()).classicOnly()
                .labelNames("server", "zone", "view", "type").withoutExemplars().build();
        final Histogram requestSize = Histogram.builder().name("coredns_dns_request_size_bytes")
                .help("Size of the queries received in bytes, by transport.")
                .classicUpperBounds(0, 100, 200, 300, 400, 511, 1023, 2047, 4095, 8291, 16e3, 32e3, 48e3, 64e3).classicOnly()
                .labelNames("server", "zone", "view", "proto").withoutExemplars().build();
        final Histogram responseSize = Histogram.builder().name("coredns_dns_response_size_bytes")
                .help("Size of the replies sent in bytes, by transport.")
                .classicUpperBounds(0, 100, 200, 300, 400, 511, 1023, 2047, 4095, 8291, 16e3, 32e3, 48e3, 64e3).classicOnly()
                .labelNames("server", "zone", "view", "proto").withoutExemplars().build();
        final PrometheusRegistry registry = new PrometheusRegistry();

        Oracle() {
            for (int t = 0; t <= TYPES.length; t++) {
                String type = type(t);
                duration.labelValues(SERVER, ".", "", type);
                for (String proto : new String[] {"udp", "tcp"}) {
                    for (String family : new String[] {"1", "2"}) {
                        requests.labelValues(SERVER, ".", "", proto, family, type);
                    }
                }
            }
            for (String proto : new String[] {"udp", "tcp"}) {
                requestSize.labelValues(SERVER, ".", "", proto);
                responseSize.labelValues(SERVER, ".", "", proto);
            }
            doRequests.labelValues(SERVER, "", ".");
            registry.register(requests);
            registry.register(responses);
            registry.register(doRequests);
            registry.register(duration);
            registry.register(requestSize);
            registry.register(responseSize);
        }

        void request(boolean tcp, boolean ipv6, int type, int size, boolean dnssecOk) {
            CounterDataPoint c = requests.labelValues(SERVER, ".", "", tcp ? "tcp" : "udp", ipv6 ? "2" : "1", type(index(type)));
            c.inc();
            DistributionDataPoint d = requestSize.labelValues(SERVER, ".", "", tcp ? "tcp" : "udp");
            d.observe(size);
            if (dnssecOk) {
                doRequests.labelValues(SERVER, "", ".").inc();
            }
        }

        void response(boolean tcp, int type, int rcode, String plugin, int size, long elapsedNanos) {
            responses.labelValues(SERVER, ".", "", Rcode.string(rcode), plugin).inc();
            responseSize.labelValues(SERVER, ".", "", tcp ? "tcp" : "udp").observe(size);
            duration.labelValues(SERVER, ".", "", type(index(type))).observe(elapsedNanos / 1e9);
        }

        private static double[] timeBuckets() {
            double[] out = new double[16];
            for (int i = 0; i < 16; i++) {
                out[i] = 0.00025 * Math.pow(2, i);
            }
            return out;
        }

        private static int index(int type) {
            for (int i = 0; i < TYPES.length; i++) {
                if (TYPES[i] == type) {
                    return i;
                }
            }
            return TYPES.length;
        }

        private static String type(int index) {
            return index < TYPES.length ? Type.string(TYPES[index]) : "other";
        }
    }

    private static String prometheusText(MetricSnapshots snapshots) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, snapshots);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** OpenMetrics without the `_created` lines (the two sides create their series some milliseconds apart). */
    private static String openMetricsText(MetricSnapshots snapshots) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        OpenMetricsTextFormatWriter.create().write(out, snapshots);
        return out.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.contains("_created"))
                .collect(Collectors.joining("\n"));
    }

    @Test
    void theExpositionIsWhatPrometheusCountersAndHistogramsWrite() throws IOException {
        Oracle oracle = new Oracle();
        PrometheusRegistry registry = new PrometheusRegistry();
        ServerMetrics metrics = DnsMetrics.register(registry).forServer(SERVER);
        String[] plugins = {"cluster", "cache", "forward", "", "file", "no-such-stage"};
        int[] rcodes = {Rcode.NOERROR, Rcode.NXDOMAIN, Rcode.SERVFAIL, Rcode.REFUSED, Rcode.FORMERR, Rcode.NOTIMP,
            Rcode.YXDOMAIN, Rcode.NOTAUTH};
        int[] types = {Type.A, Type.AAAA, Type.SRV, Type.PTR, Type.TXT, Type.CAA, 65280, Type.ANY};
        // Sizes on and around the bucket bounds, durations spanning every time bucket and beyond.
        int[] sizes = {0, 1, 99, 100, 101, 511, 512, 1023, 4096, 8291, 64000, 65535};
        long[] elapsed = {0, 1, 249_999, 250_000, 250_001, 1_000_000, 3_000_000, 120_000_000, 8_192_000_000L, 20_000_000_000L};
        long start = System.nanoTime();
        for (int i = 0; i < 500; i++) {
            boolean tcp = i % 3 == 0;
            boolean ipv6 = i % 5 == 0;
            int type = types[i % types.length];
            int size = sizes[i % sizes.length];
            boolean dnssecOk = i % 7 == 0;
            oracle.request(tcp, ipv6, type, size, dnssecOk);
            metrics.request(tcp, ipv6, type, size, dnssecOk);
            String plugin = plugins[i % plugins.length];
            int rcode = rcodes[(i / 2) % rcodes.length];
            int replySize = sizes[(i + 5) % sizes.length];
            long took = elapsed[i % elapsed.length];
            oracle.response(tcp, type, rcode, plugin, replySize, took);
            metrics.response(tcp, type, rcode, plugin, replySize, start, start + took);
        }
        assertEquals(prometheusText(oracle.registry.scrape()), prometheusText(registry.scrape()));
        assertEquals(openMetricsText(oracle.registry.scrape()), openMetricsText(registry.scrape()));
    }

    @Test
    void beforeAnyQueryTheSameZeroSeriesAreExported() throws IOException {
        Oracle oracle = new Oracle();
        PrometheusRegistry registry = new PrometheusRegistry();
        DnsMetrics.register(registry).forServer(SERVER);
        String text = prometheusText(registry.scrape());
        assertEquals(prometheusText(oracle.registry.scrape()), text);
        assertTrue(text.contains("coredns_dns_requests_total{family=\"1\",proto=\"udp\",server=\"" + SERVER
                + "\",type=\"A\",view=\"\",zone=\".\"} 0"), text);
    }

    @Test
    void countsFromManyThreadsAreSummed() throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        DnsMetrics dns = DnsMetrics.register(registry);
        ServerMetrics metrics = dns.forServer(SERVER);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                for (int i = 0; i < 10_000; i++) {
                    metrics.request(false, false, Type.A, 40, false);
                    metrics.response(false, Type.A, Rcode.NOERROR, "cluster", 56, System.nanoTime());
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(dns.forServer(SERVER), metrics, "one address, one set of series");
        double requests = 0;
        double responses = 0;
        long replySizes = 0;
        for (var s : registry.scrape()) {
            if (s instanceof CounterSnapshot c && c.getMetadata().getName().equals("coredns_dns_requests")) {
                requests += c.getDataPoints().stream().mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue).sum();
            }
            if (s instanceof CounterSnapshot c && c.getMetadata().getName().equals("coredns_dns_responses")) {
                responses += c.getDataPoints().stream().mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue).sum();
            }
            if (s instanceof HistogramSnapshot h && h.getMetadata().getName().equals("coredns_dns_response_size_bytes")) {
                for (var d : h.getDataPoints()) {
                    replySizes += d.getCount();
                    if (d.getLabels().get("proto").equals("udp")) {
                        assertEquals(40_000 * 56.0, d.getSum());
                    }
                }
            }
        }
        assertEquals(40_000, requests);
        assertEquals(40_000, responses);
        assertEquals(40_000, replySizes);
    }
}
