package dev.clusterdns.agent.readiness;

import dev.clusterdns.agent.model.Container;
import dev.clusterdns.agent.model.ContainerPort;
import dev.clusterdns.agent.model.IntOrString;
import dev.clusterdns.agent.model.Probe;

/**
 * Where one container's readiness probe goes: `http://host:port/path` or `host:port` over TCP.
 * The host is the probe's `host` when given, else the pod IP, as the kubelet does.
 *
 * @param http true for httpGet, false for tcpSocket
 * @param https httpGet with `scheme: HTTPS` (certificates are not verified, as the kubelet does)
 */
record ProbeTarget(boolean http, boolean https, String host, int port, String path, Probe.Timing timing) {

    /**
     * @return the target, or null when the probe is not one clusterdns runs (exec, grpc, none)
     * @throws IllegalArgumentException when the port names no container port or is out of range
     */
    static ProbeTarget of(Container c, String podIp) {
        Probe p = c.readinessProbe();
        if (p == null) {
            return null;
        }
        if (p.httpGet() != null) {
            Probe.HttpGet g = p.httpGet();
            String host = blank(g.host()) ? podIp : g.host();
            String path = blank(g.path()) ? "/" : g.path().startsWith("/") ? g.path() : "/" + g.path();
            return new ProbeTarget(true, "HTTPS".equals(g.scheme()), host, port(c, g.port(), "httpGet"), path, p.timing());
        }
        if (p.tcpSocket() != null) {
            Probe.TcpSocket t = p.tcpSocket();
            return new ProbeTarget(false, false, blank(t.host()) ? podIp : t.host(), port(c, t.port(), "tcpSocket"), null,
                    p.timing());
        }
        return null;
    }

    /** True for a probe that is set but is neither httpGet nor tcpSocket. */
    static boolean unsupported(Container c) {
        Probe p = c.readinessProbe();
        return p != null && p.httpGet() == null && p.tcpSocket() == null;
    }

    private static int port(Container c, IntOrString port, String kind) {
        String field = "readinessProbe." + kind + ".port";
        if (port == null) {
            throw new IllegalArgumentException(field + " is required");
        }
        if (port.isInt()) {
            if (port.intValue() < 1 || port.intValue() > 65535) {
                throw new IllegalArgumentException(field + " " + port.intValue() + " is not between 1 and 65535");
            }
            return port.intValue();
        }
        for (ContainerPort cp : c.ports()) {
            if (port.stringValue().equals(cp.name()) && cp.containerPort() != null) {
                return cp.containerPort();
            }
        }
        throw new IllegalArgumentException(field + " \"" + port.stringValue() + "\" names no port of container \""
                + c.name() + "\"");
    }

    private static boolean blank(String s) {
        return s == null || s.isEmpty();
    }

    @Override
    public String toString() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return http ? (https ? "https://" : "http://") + h + ":" + port + path : "tcp " + h + ":" + port;
    }
}
