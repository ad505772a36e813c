package dev.clusterdns.ingress.route;

import dev.clusterdns.agent.model.Ingress;

/**
 * One `HTTPIngressPath` of a served Ingress, as matched against request paths.
 *
 * @param path the path as written (`ImplementationSpecific` with no path is `/`)
 * @param exact true for `Exact`; `Prefix` and `ImplementationSpecific` (documented to act as
 *     Prefix here) match element-wise
 * @param upstream where matching requests go
 */
public record PathRule(String path, boolean exact, Upstream upstream) {

    static PathRule of(Ingress.HttpPath p, Upstream upstream) {
        String path = p.path() == null || p.path().isEmpty() ? "/" : p.path();
        return new PathRule(path, Ingress.HttpPath.EXACT.equals(p.pathType()), upstream);
    }

    /**
     * Exact: the whole path, case-sensitive. Prefix: element-wise on `/`, a trailing slash on
     * either side ignored, so `/aaa/bbb` matches `/aaa/bbb/ccc` but not `/aaa/bbbxyz`.
     */
    public boolean matches(String requestPath) {
        if (exact) {
            return path.equals(requestPath);
        }
        String p = stripTrailingSlashes(path);
        if (p.isEmpty()) {
            return true;
        }
        if (!requestPath.startsWith(p)) {
            return false;
        }
        return requestPath.length() == p.length() || requestPath.charAt(p.length()) == '/';
    }

    /** The key two rules conflict on (same path and kind): the older Ingress keeps it. */
    String conflictKey() {
        return (exact ? "E " : "P ") + path;
    }

    private static String stripTrailingSlashes(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '/') {
            end--;
        }
        return s.substring(0, end);
    }
}
