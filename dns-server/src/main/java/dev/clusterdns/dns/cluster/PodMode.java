package dev.clusterdns.dns.cluster;

import java.util.Locale;

/** CoreDNS `pods`: how `a-b-c-d.<ns>.pod.<zone>` names are answered. */
public enum PodMode {
    /** Every pod name is NXDOMAIN. */
    DISABLED,
    /** Any dashed IP answers itself once the namespace exists (kube-dns compatible). */
    INSECURE,
    /** Only IPs of pods that exist in that namespace answer. */
    VERIFIED;

    public static PodMode parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--pods must be disabled, insecure or verified, not '" + text + "'");
        }
    }
}
