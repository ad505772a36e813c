package dev.clusterdns.agent.net;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 prefix such as {@code 127.96.0.0/12}: parsing, membership, and addressing by
 * offset (what the allocators and source-range checks need). Immutable.
 */
public final class Cidr {
    private final byte[] network;
    private final int prefix;
    private final String text;

    private Cidr(byte[] network, int prefix) {
        this.network = network;
        this.prefix = prefix;
        this.text = IpAddresses.format(network) + "/" + prefix;
    }

    /** Parses `ADDR/LEN` (a bare address is a host prefix); host bits are cleared. */
    public static Cidr parse(String s) {
        String t = s.trim();
        int slash = t.indexOf('/');
        byte[] addr = IpAddresses.parse(slash < 0 ? t : t.substring(0, slash));
        int bits = addr.length * 8;
        int len;
        try {
            len = slash < 0 ? bits : Integer.parseInt(t.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid CIDR address: " + s);
        }
        if (len < 0 || len > bits) {
            throw new IllegalArgumentException("invalid CIDR address: " + s);
        }
        for (int i = 0; i < addr.length; i++) {
            int keep = Math.max(0, Math.min(8, len - i * 8));
            addr[i] &= (byte) (0xff << (8 - keep));
        }
        return new Cidr(addr, len);
    }

    public boolean isIpv6() {
        return network.length == 16;
    }

    public int prefixLength() {
        return prefix;
    }

    /** Number of addresses in the prefix (2^(bits-len)). */
    public BigInteger size() {
        return BigInteger.ONE.shiftLeft(network.length * 8 - prefix);
    }

    /** True when {@code address} lies in any of {@code ranges}; false for a null address. */
    public static boolean anyContains(java.util.Collection<Cidr> ranges, InetAddress address) {
        if (address == null) {
            return false;
        }
        byte[] raw = address.getAddress();
        for (Cidr c : ranges) {
            if (c.contains(raw)) {
                return true;
            }
        }
        return false;
    }

    public boolean contains(InetAddress address) {
        return contains(address.getAddress());
    }

    /** True when the address (text) parses and lies in this prefix. */
    public boolean contains(String address) {
        try {
            return contains(IpAddresses.parse(address));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public boolean contains(byte[] addr) {
        if (addr.length != network.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (addr[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xff << (8 - rest) & 0xff;
        return (addr[full] & mask) == (network[full] & mask);
    }

    /** The address at {@code offset} from the network address (offset 0 is the network itself). */
    public InetAddress address(BigInteger offset) {
        if (offset.signum() < 0 || offset.compareTo(size()) >= 0) {
            throw new IllegalArgumentException("offset " + offset + " outside " + text);
        }
        BigInteger v = new BigInteger(1, network).add(offset);
        byte[] raw = v.toByteArray();
        byte[] out = new byte[network.length];
        int copy = Math.min(raw.length, out.length);
        System.arraycopy(raw, raw.length - copy, out, out.length - copy, copy);
        try {
            return InetAddress.getByAddress(out);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Offset of {@code address} from the network address; the address must be inside. */
    public BigInteger offsetOf(InetAddress address) {
        if (!contains(address)) {
            throw new IllegalArgumentException(address.getHostAddress() + " is not in " + text);
        }
        return new BigInteger(1, address.getAddress()).subtract(new BigInteger(1, network));
    }

    public InetAddress networkAddress() {
        return address(BigInteger.ZERO);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
