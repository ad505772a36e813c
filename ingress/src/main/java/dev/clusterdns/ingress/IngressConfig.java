package dev.clusterdns.ingress;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Settings of the Ingress controller.
 *
 * @param http plain HTTP listen addresses
 * @param https TLS listen addresses
 * @param classes `--ingress-class` names; empty serves every Ingress
 * @param defaultCertificate `namespace/name` of a `kubernetes.io/tls` Secret for clients without a
 *     matching host, or null for a certificate generated at start
 * @param accessLog where access-log lines go, or null for none
 * @param connectTimeout per endpoint connect attempt (then the next endpoint is tried)
 * @param upstreamTimeout longest wait for the endpoint between two reads (then 504)
 * @param threads event-loop threads; 0 = one per core
 */
public record IngressConfig(List<InetSocketAddress> http, List<InetSocketAddress> https, Set<String> classes,
                            String defaultCertificate, PrintStream accessLog, Duration connectTimeout,
                            Duration upstreamTimeout, int threads) {
    public IngressConfig {
        http = List.copyOf(http);
        https = List.copyOf(https);
        classes = Set.copyOf(classes);
    }
}
