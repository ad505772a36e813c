package dev.clusterdns.agent.validation;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * IP literal checks as the API server makes them. Parsing is "sloppy" like Kubernetes'
 * `netutils.ParseIPSloppy` (IPv4 parts may carry leading zeros, read as decimal; an IPv4-mapped
 * IPv6 literal counts as IPv4); the strict checks then reject those two forms, as Kubernetes'
 * strict IP validation does.
 */
final class IpLiterals {
    private IpLiterals() {}

    static final String INVALID_IP = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";
    static final String INVALID_CIDR = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";

    private static final Pattern V6_CHARS = Pattern.compile("[0-9a-fA-F:.]+");

    /**
     * A parsed literal: 4 bytes for IPv4 (including IPv4-mapped IPv6), 16 for IPv6.
     *
     * @param leadingZeros an IPv4 part was written with a leading zero
     * @param mapped the text was an IPv4-mapped IPv6 literal (`::ffff:a.b.c.d`)
     */
    record Parsed(byte[] bytes, boolean leadingZeros, boolean mapped) {
        boolean isIpv4() {
            return bytes.length == 4;
        }
    }

    /** The four parts of {@code digits.digits.digits.digits} (any number of ASCII digits each), or null. */
    private static String[] v4Parts(String s) {
        String[] parts = new String[4];
        int from = 0;
        for (int i = 0; i < 4; i++) {
            int end = i < 3 ? s.indexOf('.', from) : s.length();
            if (end <= from) {
                return null;
            }
            for (int k = from; k < end; k++) {
                char c = s.charAt(k);
                if (c < '0' || c > '9') {
                    return null;
                }
            }
            parts[i] = s.substring(from, end);
            from = end + 1;
        }
        return parts;
    }

    /** Parses like ParseIPSloppy; null when the text is not an IP literal at all. */
    static Parsed parse(String s) {
        if (s == null || s.isEmpty()) {
            return null;
        }
        if (s.indexOf(':') < 0) {
            String[] parts = v4Parts(s);
            if (parts == null) {
                return null;
            }
            byte[] out = new byte[4];
            boolean zeros = false;
            for (int i = 0; i < 4; i++) {
                String part = parts[i];
                int first = 0; // leading zeros dropped, one digit kept ("00" is 0)
                while (first < part.length() - 1 && part.charAt(first) == '0') {
                    first++;
                }
                String digits = part.substring(first);
                if (digits.length() > 3) {
                    return null;
                }
                int v = Integer.parseInt(digits);
                if (v > 255) {
                    return null;
                }
                zeros |= part.length() > 1 && part.charAt(0) == '0';
                out[i] = (byte) v;
            }
            return new Parsed(out, zeros, false);
        }
        // Java only treats text as a literal when it starts with a hex digit or ':'; anything else
        // would be looked up in DNS, which validation must never do.
        if (!V6_CHARS.matcher(s).matches() || (Character.digit(s.charAt(0), 16) < 0 && s.charAt(0) != ':')) {
            return null;
        }
        try {
            // Only literals reach here (no letters beyond hex, no zone), so nothing is resolved.
            byte[] b = InetAddress.getByName(s).getAddress();
            return new Parsed(b, false, b.length == 4);
        } catch (UnknownHostException | IllegalArgumentException e) {
            return null;
        }
    }

    /** Family of a literal, "IPv4" or "IPv6"; null if it does not parse. */
    static String family(String s) {
        Parsed p = parse(s);
        return p == null ? null : p.isIpv4() ? "IPv4" : "IPv6";
    }

    /** IsValidIP with the strict checks (leading zeros, IPv4-mapped IPv6). */
    static List<FieldError> validIp(String field, String value) {
        Parsed p = parse(value);
        if (p == null) {
            return List.of(FieldError.invalid(field, value, INVALID_IP));
        }
        List<FieldError> errs = new ArrayList<>();
        if (p.leadingZeros()) {
            errs.add(FieldError.invalid(field, value, "must not have leading 0s"));
        }
        if (p.mapped()) {
            errs.add(FieldError.invalid(field, value, "must not be an IPv4-mapped IPv6 address"));
        }
        return errs;
    }

    /**
     * ValidateEndpointIP: addresses that make no sense as a destination. One deliberate deviation:
     * loopback is allowed. clusterdns runs Services on this host's loopback (the default service
     * CIDR is 127.96.0.0/12) and backends commonly listen on 127.x, so endpoint and external IPs
     * there are exactly what a user means.
     */
    static List<FieldError> nonSpecial(String field, String value) {
        Parsed p = parse(value);
        if (p == null) {
            return List.of(FieldError.invalid(field, value, "must be a valid IP address"));
        }
        byte[] b = p.bytes();
        List<FieldError> errs = new ArrayList<>();
        if (isZero(b)) {
            errs.add(FieldError.invalid(field, value, "may not be unspecified (" + value + ")"));
        }
        boolean linkLocal = b.length == 4
                ? (b[0] & 0xff) == 169 && (b[1] & 0xff) == 254
                : (b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0x80;
        if (linkLocal) {
            errs.add(FieldError.invalid(field, value, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"));
        }
        boolean linkLocalMulticast = b.length == 4
                ? (b[0] & 0xff) == 224 && b[1] == 0 && b[2] == 0
                : (b[0] & 0xff) == 0xff && (b[1] & 0x0f) == 0x02;
        if (linkLocalMulticast) {
            errs.add(FieldError.invalid(field, value,
                    "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"));
        }
        return errs;
    }

    /** IsValidCIDR (sloppy, as the API server still is for these legacy fields). */
    static List<FieldError> validCidr(String field, String value) {
        int slash = value.indexOf('/');
        if (slash < 0 || parse(value.substring(0, slash)) == null) {
            return List.of(FieldError.invalid(field, value, INVALID_CIDR));
        }
        String len = value.substring(slash + 1);
        if (!len.matches("\\d{1,3}")) {
            return List.of(FieldError.invalid(field, value, INVALID_CIDR));
        }
        int bits = parse(value.substring(0, slash)).isIpv4() && value.indexOf(':') < 0 ? 32 : 128;
        if (Integer.parseInt(len) > bits) {
            return List.of(FieldError.invalid(field, value, INVALID_CIDR));
        }
        return List.of();
    }

    private static boolean isZero(byte[] b) {
        return isZero(b, b.length);
    }

    private static boolean isZero(byte[] b, int upTo) {
        for (int i = 0; i < upTo; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
