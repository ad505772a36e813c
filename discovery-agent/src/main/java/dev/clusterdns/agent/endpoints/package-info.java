/**
 * The endpoints controllers as pure functions: Services and Pods in, EndpointSlices and v1
 * Endpoints out (Kubernetes' endpoint, endpointslice and endpointslicemirroring controllers). Entry
 * point: {@link dev.clusterdns.agent.endpoints.EndpointsController#reconcile}.
 */
package dev.clusterdns.agent.endpoints;
