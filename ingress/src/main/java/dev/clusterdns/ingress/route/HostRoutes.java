package dev.clusterdns.ingress.route;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The merged paths of every served Ingress for one host (or for requests no host rule claims),
 * in match order: longest path first, `Exact` before `Prefix` at equal length.
 */
final class HostRoutes {
    private static final Comparator<PathRule> MATCH_ORDER = Comparator
            .comparingInt((PathRule r) -> r.path().length()).reversed()
            .thenComparing(r -> !r.exact());

    private final List<PathRule> rules;
    private final Upstream fallback;

    private HostRoutes(List<PathRule> rules, Upstream fallback) {
        this.rules = rules;
        this.fallback = fallback;
    }

    PathRule match(String path) {
        for (PathRule r : rules) {
            if (r.matches(path)) {
                return r;
            }
        }
        return null;
    }

    /** The defaultBackend of the oldest Ingress with rules for this host, or null. */
    Upstream fallback() {
        return fallback;
    }

    List<PathRule> rules() {
        return rules;
    }

    /** Collects rules oldest Ingress first, so the first rule for a path is the one that stays. */
    static final class Builder {
        private final List<PathRule> rules = new ArrayList<>();
        private final Set<String> taken = new HashSet<>();
        private Upstream fallback;

        /** False when an older Ingress already has this path and type here (the rule is dropped). */
        boolean add(PathRule r) {
            if (!taken.add(r.conflictKey())) {
                return false;
            }
            rules.add(r);
            return true;
        }

        void fallback(Upstream u) {
            if (fallback == null) {
                fallback = u;
            }
        }

        HostRoutes build() {
            List<PathRule> sorted = new ArrayList<>(rules);
            sorted.sort(MATCH_ORDER);
            return new HostRoutes(List.copyOf(sorted), fallback);
        }
    }
}
