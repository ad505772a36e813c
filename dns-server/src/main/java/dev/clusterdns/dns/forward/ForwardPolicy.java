package dev.clusterdns.dns.forward;

import java.util.Locale;

/** How the forwarder orders upstreams for a query (CoreDNS `policy`). */
public enum ForwardPolicy {
    /** A random healthy upstream first (CoreDNS's default). */
    RANDOM,
    /** Each query starts at the next upstream. */
    ROUND_ROBIN,
    /** Always the first healthy upstream, in the order given. */
    SEQUENTIAL;

    public static ForwardPolicy parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown forward policy '" + s + "': use random, round_robin or sequential");
        }
    }
}
