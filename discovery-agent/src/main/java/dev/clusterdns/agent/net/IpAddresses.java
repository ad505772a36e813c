package dev.clusterdns.agent.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * Strict IP literal parsing (never a DNS lookup) and canonical printing as Go's net.IP does:
 * IPv4 dotted quad, IPv6 lower case with the longest zero run compressed.
 */
public final class IpAddresses {
    private IpAddresses() {}

    private static final Pattern V6_CHARS = Pattern.compile("[0-9a-fA-F:.]+");
    private static final Pattern V4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    /** Parses an IPv4 or IPv6 literal; throws IllegalArgumentException for anything else. */
    public static byte[] parse(String s) {
        if (s == null || s.isEmpty()) {
            throw new IllegalArgumentException("empty IP address");
        }
        if (s.indexOf(':') >= 0) {
            if (!V6_CHARS.matcher(s).matches()) {
                throw new IllegalArgumentException("invalid IP address: " + s);
            }
        } else if (!V4.matcher(s).matches()) {
            throw new IllegalArgumentException("invalid IP address: " + s);
        } else {
            for (String part : s.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    throw new IllegalArgumentException("invalid IP address: " + s);
                }
            }
        }
        try {
            // Only literals reach here, so getByName does not resolve anything.
            return InetAddress.getByName(s).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("invalid IP address: " + s);
        }
    }

    public static boolean isValid(String s) {
        try {
            parse(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public static boolean isIpv6(String s) {
        return s != null && s.indexOf(':') >= 0;
    }

    public static InetAddress toInetAddress(String s) {
        try {
            return InetAddress.getByAddress(parse(s));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("invalid IP address: " + s);
        }
    }

    /** Canonical text form (Go's IP.String): `fd00::a`, `10.1.2.3`. */
    public static String canonical(String s) {
        return format(parse(s));
    }

    public static String format(byte[] addr) {
        if (addr.length == 4) {
            return (addr[0] & 0xff) + "." + (addr[1] & 0xff) + "." + (addr[2] & 0xff) + "." + (addr[3] & 0xff);
        }
        int[] w = new int[8];
        for (int i = 0; i < 8; i++) {
            w[i] = (addr[2 * i] & 0xff) << 8 | (addr[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (w[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && w[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(w[i]));
        }
        return sb.toString();
    }

    public static String format(InetAddress a) {
        return format(a instanceof Inet6Address ? a.getAddress() : a.getAddress());
    }
}
