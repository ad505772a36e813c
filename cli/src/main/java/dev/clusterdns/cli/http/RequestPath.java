package dev.clusterdns.cli.http;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Map;

/**
 * A request target split into a decoded path and its query. Paths with `.` or `..` segments (also
 * percent-encoded), a NUL, or not starting with `/` are refused: routing is by exact path, and no
 * path is ever resolved against anything.
 */
record RequestPath(String path, Map<String, List<String>> query) {

    /** Parses a request target; throws IllegalArgumentException with the reason for a 400. */
    static RequestPath parse(String target) {
        if (target == null || !target.startsWith("/")) {
            throw new IllegalArgumentException("the request path must start with /");
        }
        QueryStringDecoder d;
        try {
            d = new QueryStringDecoder(target);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad percent-encoding in the request path");
        }
        String path = d.path();
        if (path.indexOf('\0') >= 0 || path.indexOf('\\') >= 0) {
            throw new IllegalArgumentException("the request path holds a forbidden character");
        }
        for (String segment : path.split("/", -1)) {
            if (segment.equals("..") || segment.equals(".")) {
                throw new IllegalArgumentException("the request path may not contain \".\" or \"..\" segments");
            }
        }
        return new RequestPath(path, d.parameters());
    }

    /** The first value of a query parameter, or null. */
    String param(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }
}
