package dev.clusterdns.ingress.http;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** Prometheus metrics of the Ingress controller, per Ingress, Service and status code. */
public final class IngressMetrics {
    private final Counter requests;
    private final Histogram duration;
    private final Counter connectErrors;
    private final Counter handshakes;

    public IngressMetrics(PrometheusRegistry registry) {
        requests = Counter.builder().name("clusterdns_ingress_requests")
                .help("HTTP requests answered, by Ingress, Service and status code (ingress \"\" = no rule matched)")
                .labelNames("namespace", "ingress", "service", "code").register(registry);
        duration = Histogram.builder().name("clusterdns_ingress_request_duration_seconds")
                .help("Time from the request head to the end of the response")
                .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
                .labelNames("namespace", "ingress", "service").register(registry);
        connectErrors = Counter.builder().name("clusterdns_ingress_upstream_connect_errors")
                .help("Failed connects to an endpoint (the next endpoint is tried)")
                .labelNames("namespace", "service").register(registry);
        handshakes = Counter.builder().name("clusterdns_ingress_tls_handshakes")
                .help("TLS handshakes by result (ok, failed)")
                .labelNames("result").register(registry);
    }

    void request(String namespace, String ingress, String service, int code, long nanos) {
        requests.labelValues(namespace, ingress, service, String.valueOf(code)).inc();
        duration.labelValues(namespace, ingress, service).observe(nanos / 1e9);
    }

    void connectError(String namespace, String service) {
        connectErrors.labelValues(namespace, service).inc();
    }

    void handshake(boolean ok) {
        handshakes.labelValues(ok ? "ok" : "failed").inc();
    }
}
