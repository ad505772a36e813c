package dev.clusterdns.ingress.tls;

import io.netty.handler.ssl.SslContext;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The server certificates of one routing state: SNI host (exact, or `*.` wildcard over one label)
 * → context, and the default for everything else (no SNI, unknown host, a TLS host without a
 * usable Secret).
 */
public record Certificates(Map<String, SslContext> byHost, Supplier<SslContext> fallback) {

    public Certificates {
        byHost = Map.copyOf(byHost);
    }

    /** The context for an SNI name; null or unknown names get the default. */
    public SslContext forHost(String sni) {
        if (sni == null || sni.isEmpty()) {
            return fallback.get();
        }
        String h = sni.toLowerCase(Locale.ROOT);
        SslContext c = byHost.get(h);
        if (c == null) {
            int dot = h.indexOf('.');
            if (dot > 0) {
                c = byHost.get("*" + h.substring(dot));
            }
        }
        return c == null ? fallback.get() : c;
    }
}
