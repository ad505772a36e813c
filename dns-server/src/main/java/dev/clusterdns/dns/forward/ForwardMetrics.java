package dev.clusterdns.dns.forward;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** CoreDNS-style `coredns_forward_*` counters, labelled by upstream (`to`). */
final class ForwardMetrics {
    final Counter requests;
    final Counter responses;
    final Counter errors;
    final Counter healthcheckFailures;
    final Counter concurrentRejects;

    ForwardMetrics(PrometheusRegistry registry) {
        requests = Counter.builder().name("coredns_forward_requests_total")
                .help("Queries sent to each upstream.").labelNames("to").register(registry);
        responses = Counter.builder().name("coredns_forward_responses_total")
                .help("Replies received from each upstream, by rcode.").labelNames("to", "rcode").register(registry);
        errors = Counter.builder().name("coredns_forward_errors_total")
                .help("Exchanges with an upstream that failed (timeout, refused connection).").labelNames("to")
                .register(registry);
        healthcheckFailures = Counter.builder().name("coredns_forward_healthcheck_failures_total")
                .help("Failed health checks per upstream.").labelNames("to").register(registry);
        concurrentRejects = Counter.builder().name("coredns_forward_max_concurrent_rejects_total")
                .help("Queries refused because max_concurrent was reached.").register(registry);
    }
}
