package dev.clusterdns.ingress.http;

import java.io.PrintStream;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * One line per request, in nginx's "combined" format plus the request time, the upstream address
 * and the Ingress/Service that served it: what ingress-nginx logs by default.
 */
public final class AccessLog {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT);
    private final PrintStream out;

    /** @param out where lines go, or null for no access log */
    public AccessLog(PrintStream out) {
        this.out = out;
    }

    boolean enabled() {
        return out != null;
    }

    void log(String remote, String method, String uri, String protocol, int status, long bytes, String referer,
             String userAgent, long nanos, String upstream, String route) {
        if (out == null) {
            return;
        }
        String line = String.format(Locale.ROOT, "%s - - [%s] \"%s %s %s\" %d %d \"%s\" \"%s\" %.3f %s %s",
                remote, TIME.format(ZonedDateTime.now()), method, uri, protocol, status, bytes,
                referer == null ? "-" : referer, userAgent == null ? "-" : userAgent, nanos / 1e9,
                upstream == null ? "-" : upstream, route);
        synchronized (out) {
            out.println(line);
        }
    }
}
