package dev.clusterdns.cli.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clusterdns.agent.AgentConfig;
import dev.clusterdns.agent.snapshot.ClusterView;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * What `serve` hands each component it starts.
 *
 * @param cluster the live snapshots
 * @param agent the agent settings (cluster domain, service CIDRs, ...)
 * @param readiness where a component registers a gate that `/ready` waits for
 * @param metrics the registry `/metrics` exposes
 * @param configFile the `--config` YAML as a tree (empty object without one), for structured settings
 *     that have no flag (e.g. per-domain upstreams)
 */
public record ServeContext(
        ClusterView cluster, AgentConfig agent, Readiness readiness, PrometheusRegistry metrics, JsonNode configFile) {}
