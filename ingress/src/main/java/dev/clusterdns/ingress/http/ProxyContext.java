package dev.clusterdns.ingress.http;

import dev.clusterdns.ingress.route.RouteTable;
import dev.clusterdns.ingress.tls.Certificates;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * What every client connection shares: the live route table and certificates, metrics, the access
 * log, timeouts, and one upstream connection pool per event loop (so a pooled connection is only
 * ever used on the loop that owns it, without locks).
 */
final class ProxyContext {
    private final Supplier<RouteTable> routes;
    private final Supplier<Certificates> certificates;
    private final IngressMetrics metrics;
    private final AccessLog accessLog;
    private volatile int httpsPort;
    private final Duration connectTimeout;
    private final Duration upstreamTimeout;
    private final Map<EventLoop, UpstreamPool> pools = new ConcurrentHashMap<>();

    ProxyContext(Supplier<RouteTable> routes, Supplier<Certificates> certificates, IngressMetrics metrics,
                 AccessLog accessLog, int httpsPort, Duration connectTimeout, Duration upstreamTimeout) {
        this.routes = routes;
        this.certificates = certificates;
        this.metrics = metrics;
        this.accessLog = accessLog;
        this.httpsPort = httpsPort;
        this.connectTimeout = connectTimeout;
        this.upstreamTimeout = upstreamTimeout;
    }

    RouteTable routes() {
        return routes.get();
    }

    Certificates certificates() {
        return certificates.get();
    }

    IngressMetrics metrics() {
        return metrics;
    }

    AccessLog accessLog() {
        return accessLog;
    }

    /** The port plain-HTTP requests for TLS hosts are redirected to; -1 when nothing serves HTTPS. */
    int httpsPort() {
        return httpsPort;
    }

    void httpsPort(int port) {
        this.httpsPort = port;
    }

    UpstreamPool pool(EventLoop loop) {
        return pools.computeIfAbsent(loop, l -> new UpstreamPool(l, connectTimeout, upstreamTimeout));
    }

    void closePools() {
        pools.values().forEach(UpstreamPool::close);
    }
}
