package dev.clusterdns.proxy.table;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;

/**
 * The metric cells of one Service port, resolved once per table build so the per-connection path
 * never looks labels up.
 */
public record PortMetrics(
        CounterDataPoint connections,
        GaugeDataPoint active,
        CounterDataPoint bytesIn,
        CounterDataPoint bytesOut,
        CounterDataPoint rejectedNoEndpoints,
        CounterDataPoint rejectedSourceRange,
        CounterDataPoint connectFailures) {}
