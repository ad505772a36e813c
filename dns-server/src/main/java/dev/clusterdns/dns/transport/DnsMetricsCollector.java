package dev.clusterdns.dns.transport;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/** The six DNS metric families of {@link DnsMetrics}, summed from every listen address's shards at scrape time. */
final class DnsMetricsCollector implements MultiCollector {
    private final DnsMetrics metrics;

    DnsMetricsCollector(DnsMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public MetricSnapshots collect() {
        return new MetricSnapshots(
                new CounterSnapshot(metrics.requests, counters(ServerMetrics::requests)),
                new CounterSnapshot(metrics.responses, counters(ServerMetrics::responses)),
                new CounterSnapshot(metrics.doRequests, counters(ServerMetrics::doRequests)),
                new HistogramSnapshot(metrics.duration, histograms(ServerMetrics::duration)),
                new HistogramSnapshot(metrics.requestSize, histograms(ServerMetrics::requestSize)),
                new HistogramSnapshot(metrics.responseSize, histograms(ServerMetrics::responseSize)));
    }

    private List<CounterDataPointSnapshot> counters(BiConsumer<ServerMetrics, List<CounterDataPointSnapshot>> family) {
        List<CounterDataPointSnapshot> out = new ArrayList<>();
        metrics.servers().forEach(server -> family.accept(server, out));
        return out;
    }

    private List<HistogramDataPointSnapshot> histograms(BiConsumer<ServerMetrics, List<HistogramDataPointSnapshot>> family) {
        List<HistogramDataPointSnapshot> out = new ArrayList<>();
        metrics.servers().forEach(server -> family.accept(server, out));
        return out;
    }

    @Override
    public List<String> getPrometheusNames() {
        return List.of(metrics.requests.getPrometheusName(), metrics.responses.getPrometheusName(),
                metrics.doRequests.getPrometheusName(), metrics.duration.getPrometheusName(),
                metrics.requestSize.getPrometheusName(), metrics.responseSize.getPrometheusName());
    }
}
