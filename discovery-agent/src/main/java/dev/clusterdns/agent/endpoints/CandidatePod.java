package dev.clusterdns.agent.endpoints;

import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.net.IpAddresses;
import java.util.ArrayList;
import java.util.List;

/**
 * A pod that may back Services, with what every Service needs from it worked out once per
 * reconcile (IPs parsed once, not once per selecting Service).
 *
 * @param ips the pod IPs as written, primary first, invalid ones left out
 * @param families the family of each entry of {@code ips}
 * @param canonical each entry of {@code ips} in canonical form
 */
record CandidatePod(Pod pod, List<String> ips, List<IpFamily> families, List<String> canonical,
        boolean ready, boolean terminating) {

    /** Null when neither controller would ever include the pod (finished, or no valid IP). */
    static CandidatePod of(Pod pod) {
        if (pod.isFinished()) {
            return null;
        }
        List<String> raw = pod.podIPs();
        List<String> ips = new ArrayList<>(raw.size());
        List<IpFamily> families = new ArrayList<>(raw.size());
        List<String> canonical = new ArrayList<>(raw.size());
        for (String ip : raw) {
            if (isCanonicalIpv4(ip)) {
                ips.add(ip);
                families.add(IpFamily.IPV4);
                canonical.add(ip);
                continue;
            }
            byte[] bytes;
            try {
                bytes = IpAddresses.parse(ip);
            } catch (IllegalArgumentException e) {
                continue;
            }
            ips.add(ip);
            // Go's net.ParseIP view: an IPv4-mapped IPv6 address is IPv4.
            families.add(bytes.length == 4 ? IpFamily.IPV4 : IpFamily.IPV6);
            canonical.add(IpAddresses.format(bytes));
        }
        if (ips.isEmpty()) {
            return null;
        }
        return new CandidatePod(pod, List.copyOf(ips), List.copyOf(families), List.copyOf(canonical),
                pod.isReady(), pod.isTerminating());
    }

    /**
     * The common case without a full parse (this runs for every pod on every reconcile): a dotted
     * quad of 0-255 without leading zeros is valid and already canonical.
     */
    static boolean isCanonicalIpv4(String s) {
        int parts = 0;
        int i = 0;
        int n = s.length();
        while (i < n) {
            int start = i;
            int value = 0;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                value = value * 10 + (s.charAt(i) - '0');
                i++;
                if (i - start > 3) {
                    return false;
                }
            }
            int len = i - start;
            if (len == 0 || value > 255 || (len > 1 && s.charAt(start) == '0')) {
                return false;
            }
            parts++;
            if (i == n) {
                break;
            }
            if (s.charAt(i) != '.' || parts == 4) {
                return false;
            }
            i++;
            if (i == n) {
                return false;
            }
        }
        return parts == 4;
    }

    /** The first IP (as written) of the family, or null. */
    String firstIp(IpFamily family) {
        for (int i = 0; i < ips.size(); i++) {
            if (families.get(i) == family) {
                return ips.get(i);
            }
        }
        return null;
    }

    /** All IPs of the family in canonical form. */
    List<String> canonicalIps(IpFamily family) {
        List<String> out = new ArrayList<>(2);
        for (int i = 0; i < ips.size(); i++) {
            if (families.get(i) == family) {
                out.add(canonical.get(i));
            }
        }
        return out;
    }
}
