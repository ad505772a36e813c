package dev.clusterdns.proxy;

import dev.clusterdns.proxy.table.PortMetrics;
import dev.clusterdns.proxy.table.Protocol;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.IntSupplier;

/** The proxy's Prometheus metrics, labelled by Service port. */
final class ProxyMetrics {
    private final Counter connections;
    private final Gauge active;
    private final Counter bytes;
    private final Counter rejected;
    private final Counter connectFailures;

    /*
     * withoutExemplars(): exemplars tie a sample to a trace, and the proxy has none; left on, every
     * inc() on the connection path ran the exemplar sampler, which schedules work on another thread.
     */

    /** @param unbound how many sockets the snapshot calls for are not bound (see {@link BindFailure}) */
    ProxyMetrics(PrometheusRegistry registry, IntSupplier unbound) {
        GaugeWithCallback.builder().name("clusterdns_proxy_unbound_sockets")
                .help("Service sockets the proxy cannot bind (retried with backoff; see /api/clusterdns/problems)")
                .callback(cb -> cb.call(unbound.getAsInt())).register(registry);
        connections = Counter.builder().name("clusterdns_proxy_connections")
                .help("Connections (TCP) and sessions (UDP) accepted per Service port")
                .labelNames("namespace", "service", "port", "protocol").withoutExemplars().register(registry);
        active = Gauge.builder().name("clusterdns_proxy_connections_active")
                .help("Open connections (TCP) and sessions (UDP) per Service port")
                .labelNames("namespace", "service", "port", "protocol").withoutExemplars().register(registry);
        bytes = Counter.builder().name("clusterdns_proxy_bytes")
                .help("Bytes relayed per Service port; direction in = client to endpoint")
                .labelNames("namespace", "service", "port", "protocol", "direction").withoutExemplars().register(registry);
        rejected = Counter.builder().name("clusterdns_proxy_rejected")
                .help("Connections closed without a backend: no endpoint reachable, or source outside loadBalancerSourceRanges")
                .labelNames("namespace", "service", "port", "protocol", "reason").withoutExemplars().register(registry);
        connectFailures = Counter.builder().name("clusterdns_proxy_endpoint_connect_failures")
                .help("Failed connects to an endpoint (the next endpoint is tried)")
                .labelNames("namespace", "service", "port", "protocol").withoutExemplars().register(registry);
    }

    PortMetrics forPort(String namespace, String service, String port, Protocol protocol) {
        String p = protocol.name();
        return new PortMetrics(
                connections.labelValues(namespace, service, port, p),
                active.labelValues(namespace, service, port, p),
                bytes.labelValues(namespace, service, port, p, "in"),
                bytes.labelValues(namespace, service, port, p, "out"),
                rejected.labelValues(namespace, service, port, p, "no_endpoints"),
                rejected.labelValues(namespace, service, port, p, "source_range"),
                connectFailures.labelValues(namespace, service, port, p));
    }
}
