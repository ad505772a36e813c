package dev.clusterdns.ingress.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Connection-specific header fields (RFC 9110 section 7.6.1): `Connection` and every field it
 * names, plus `Keep-Alive`, `Proxy-Connection`, `TE`, `Transfer-Encoding` and `Upgrade`. A proxy
 * drops them and frames each hop itself.
 */
final class HopByHop {
    private HopByHop() {}

    /** Removes them; returns the lower-case tokens of `Connection` (to tell an upgrade). */
    static List<String> strip(HttpHeaders h) {
        List<String> tokens = new ArrayList<>();
        for (String v : h.getAll(HttpHeaderNames.CONNECTION)) {
            for (String t : v.split(",")) {
                String token = t.trim().toLowerCase(Locale.ROOT);
                if (!token.isEmpty()) {
                    tokens.add(token);
                }
            }
        }
        for (String t : tokens) {
            h.remove(t);
        }
        h.remove(HttpHeaderNames.CONNECTION);
        h.remove(HttpHeaderNames.KEEP_ALIVE);
        h.remove("proxy-connection");
        h.remove(HttpHeaderNames.TE);
        h.remove(HttpHeaderNames.TRANSFER_ENCODING);
        h.remove(HttpHeaderNames.UPGRADE);
        return tokens;
    }
}
