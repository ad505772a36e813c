/**
 * Readiness probes, as the kubelet runs them: `httpGet` and `tcpSocket` against the pod IP with the
 * probe's timing and thresholds; `exec` and `grpc` are reported as unsupported and count as passing
 * (clusterdns runs no containers). Entry point: {@link dev.clusterdns.agent.readiness.ReadinessProber}.
 */
package dev.clusterdns.agent.readiness;
