/**
 * The workload controllers clusterdns plays (it runs no containers, so it is not a kubelet):
 * Deployment → ReplicaSet → Pods, ReplicaSet → Pods, StatefulSet → Pods, named, labelled, owned and
 * adopted as Kubernetes' controllers do it. Pure functions of the workloads and the given Pods:
 * {@link dev.clusterdns.agent.workloads.WorkloadControllers#plan} decides which Pods exist, and
 * {@link dev.clusterdns.agent.workloads.WorkloadPlan#complete} fills in what the node would (IP,
 * node name, readiness) and the workloads' status.
 */
package dev.clusterdns.agent.workloads;
