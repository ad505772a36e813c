package dev.clusterdns.ingress.route;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend as resolved against one snapshot: the Ingress that named it, the Service and port, and
 * the Service's ready endpoints with the target port already resolved. Round robin over them.
 *
 * @param namespace the Ingress's (and Service's) namespace
 * @param ingress the Ingress name, for metrics and logs
 * @param service the Service name, or null for a resource backend
 * @param port the Service port as the Ingress gave it (`80` or `http`)
 * @param endpoints ready endpoints, empty when there are none (503)
 * @param unavailable why there are no endpoints, for the 503 body and logs
 */
public record Upstream(String namespace, String ingress, String service, String port,
                       List<InetSocketAddress> endpoints, String unavailable, AtomicInteger next) {

    public Upstream {
        endpoints = List.copyOf(endpoints);
    }

    Upstream(String namespace, String ingress, String service, String port, List<InetSocketAddress> endpoints,
             String unavailable) {
        this(namespace, ingress, service, port, endpoints, unavailable, new AtomicInteger());
    }

    /** The endpoint index to try first for a new request (round robin); callers walk on from it. */
    public int firstIndex() {
        int n = endpoints.size();
        return n == 0 ? 0 : Math.floorMod(next.getAndIncrement(), n);
    }

    /** `svc:port`, as `kubectl describe ingress` prints a backend. */
    public String describe() {
        return service == null ? "(resource backend)" : service + ":" + port;
    }
}
