package dev.clusterdns.dns.cluster;

import dev.clusterdns.agent.net.Cidr;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/** IP ⇄ `in-addr.arpa.` / `ip6.arpa.` names, and the reverse zone a CIDR stands for. */
final class ReverseNames {
    static final Name IN_ADDR_ARPA = Name.fromConstantString("in-addr.arpa.");
    static final Name IP6_ARPA = Name.fromConstantString("ip6.arpa.");

    private ReverseNames() {}

    static boolean isReverse(Name name) {
        return name.subdomain(IN_ADDR_ARPA) || name.subdomain(IP6_ARPA);
    }

    /** The address a full reverse name stands for, or null (partial name, bad label). */
    static InetAddress address(Name name) {
        boolean v4 = name.subdomain(IN_ADDR_ARPA);
        int want = v4 ? 4 + 2 : 32 + 2;
        if (name.labels() - 1 != want) {
            return null;
        }
        byte[] addr = new byte[v4 ? 4 : 16];
        for (int i = 0; i < want - 2; i++) {
            String label = name.getLabelString(i);
            int pos = want - 3 - i;
            if (v4) {
                if (label.isEmpty() || label.length() > 3 || !label.chars().allMatch(Character::isDigit)) {
                    return null;
                }
                int v = Integer.parseInt(label);
                if (v > 255 || (label.length() > 1 && label.charAt(0) == '0')) {
                    return null;
                }
                addr[pos] = (byte) v;
            } else {
                if (label.length() != 1) {
                    return null;
                }
                int nib = Character.digit(label.charAt(0), 16);
                if (nib < 0) {
                    return null;
                }
                addr[pos / 2] |= (byte) (pos % 2 == 0 ? nib << 4 : nib);
            }
        }
        try {
            return InetAddress.getByAddress(addr);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /**
     * The reverse zone of a CIDR, widened to the enclosing label boundary (octets for IPv4, nibbles for
     * IPv6), as CoreDNS does when a zone is written as a CIDR: `10.96.0.0/12` → `10.in-addr.arpa.`.
     */
    static Name zoneOf(Cidr cidr) {
        byte[] net = cidr.networkAddress().getAddress();
        StringBuilder sb = new StringBuilder();
        if (net.length == 4) {
            int octets = cidr.prefixLength() / 8;
            for (int i = octets - 1; i >= 0; i--) {
                sb.append(net[i] & 0xff).append('.');
            }
            sb.append("in-addr.arpa.");
        } else {
            int nibbles = cidr.prefixLength() / 4;
            for (int i = nibbles - 1; i >= 0; i--) {
                int b = net[i / 2] & 0xff;
                sb.append(Integer.toHexString(i % 2 == 0 ? b >> 4 : b & 0xf)).append('.');
            }
            sb.append("ip6.arpa.");
        }
        try {
            return Name.fromString(sb.toString());
        } catch (TextParseException e) {
            throw new IllegalStateException(e);
        }
    }
}
