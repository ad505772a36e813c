/**
 * The cluster model: Kubernetes objects as immutable records whose JSON names are the Kubernetes
 * field names, so `kubectl get -o yaml` output binds unchanged and the read API prints Kubernetes
 * shapes. Lists are never null (empty instead); maps are null only where Kubernetes distinguishes
 * nil from empty (a Service selector).
 */
package dev.clusterdns.agent.model;
