package dev.clusterdns.dns.pipeline;

import dev.clusterdns.agent.snapshot.ClusterView;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * What every stage setup may use besides its own settings.
 *
 * @param cluster the live snapshots
 * @param clusterDomain the cluster domain without trailing dot
 * @param metrics the registry `/metrics` exposes
 */
public record SetupContext(ClusterView cluster, String clusterDomain, PrometheusRegistry metrics) {}
