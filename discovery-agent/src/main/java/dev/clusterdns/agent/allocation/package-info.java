/**
 * ClusterIP, NodePort and LoadBalancer-IP allocation (and pod IPs, {@link dev.clusterdns.agent.allocation.PodIpPool}) with Kubernetes' static/dynamic bands,
 * older-wins conflict resolution and crash-safe persistence. Entry point: {@link
 * dev.clusterdns.agent.allocation.ServiceAllocator#reconcile}, which orchestrates one pool per
 * resource ({@code ClusterIpPool}, {@code NodePortPool}, {@code LoadBalancerPool}).
 */
package dev.clusterdns.agent.allocation;
