package dev.clusterdns.agent.allocation;

import dev.clusterdns.agent.net.Cidr;
import dev.clusterdns.agent.net.IpAddresses;
import java.math.BigInteger;
import java.util.random.RandomGenerator;

/**
 * The allocatable addresses of one CIDR, one bitmap slot each. For Services ({@link #parse}) as
 * Kubernetes' bitmap allocator sees them: slot 0 is network+1; IPv4 leaves out the broadcast
 * address; IPv6 is capped at 2^16 addresses. Other pools ({@link #of}) choose where the slots start
 * and how many there are.
 */
final class IpRange {
    static final String IPV4 = "IPv4";
    static final String IPV6 = "IPv6";

    /** The legacy bitmap allocator's cap for IPv6 ranges. */
    private static final long IPV6_MAX_ADDRESSES = 1L << 16;
    /** IPv4 masks shorter than /12 are rejected, as kube-apiserver does. */
    private static final int IPV4_MAX_HOST_BITS = 20;

    private final Cidr cidr;
    private final BigInteger network;
    /** The offset from the network address of slot 0. */
    private final int first;
    private final BandedBitmap bitmap;

    private IpRange(Cidr cidr, int first, int usable, int staticBand) {
        this.cidr = cidr;
        this.network = new BigInteger(1, cidr.networkAddress().getAddress());
        this.first = first;
        this.bitmap = new BandedBitmap(usable, Math.min(staticBand, usable));
    }

    /** {@code count} addresses from network+{@code first} on, without a static band. */
    static IpRange of(Cidr cidr, int first, int count) {
        return new IpRange(cidr, first, count, 0);
    }

    /**
     * A range with Kubernetes' ClusterIP bands; {@code flag} names the option in error messages.
     *
     * @throws IllegalArgumentException for a malformed or too large CIDR
     */
    static IpRange parse(String text, String flag) {
        Cidr cidr;
        try {
            cidr = Cidr.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid " + flag + " \"" + text + "\": not a CIDR such as 10.96.0.0/12");
        }
        int bits = cidr.isIpv6() ? 128 : 32;
        int hostBits = bits - cidr.prefixLength();
        long size;
        if (cidr.isIpv6()) {
            size = hostBits >= 63 ? Long.MAX_VALUE : 1L << hostBits;
        } else {
            if (hostBits > IPV4_MAX_HOST_BITS) {
                throw new IllegalArgumentException("invalid " + flag + " \"" + text
                        + "\": too large; for 32-bit addresses, the mask must be >= " + (bits - IPV4_MAX_HOST_BITS));
            }
            size = 1L << hostBits;
        }
        long usable = cidr.isIpv6() ? Math.min(size, IPV6_MAX_ADDRESSES) - 1 : size - 2;
        if (usable < 1) {
            throw new IllegalArgumentException("invalid " + flag + " \"" + text + "\": has no usable addresses");
        }
        return new IpRange(cidr, 1, (int) usable, BandedBitmap.serviceIpStaticBand(size));
    }

    Cidr cidr() {
        return cidr;
    }

    String family() {
        return cidr.isIpv6() ? IPV6 : IPV4;
    }

    BandedBitmap bitmap() {
        return bitmap;
    }

    static String familyOf(String ip) {
        return IpAddresses.isIpv6(ip) ? IPV6 : IPV4;
    }

    /** The slot of {@code ip}, or -1 when it is not an address this range can hand out. */
    int slotOf(String ip) {
        byte[] raw = parseDottedQuad(ip);
        if (raw == null) {
            try {
                raw = IpAddresses.parse(ip);
            } catch (IllegalArgumentException e) {
                return -1;
            }
        }
        if (!cidr.contains(raw)) {
            return -1;
        }
        BigInteger offset = new BigInteger(1, raw).subtract(network);
        if (offset.signum() < 0 || offset.bitLength() > 31 || offset.intValue() < first) {
            return -1;
        }
        int slot = offset.intValue() - first;
        return slot < bitmap.size() ? slot : -1;
    }

    /** Takes {@code ip}: out of range when no slot is its, in use when it is held already. */
    Claim claim(String ip) {
        int slot = slotOf(ip);
        if (slot < 0) {
            return Claim.OUT_OF_RANGE;
        }
        return bitmap.claim(slot) ? Claim.TAKEN : Claim.IN_USE;
    }

    /** A free address (see {@link BandedBitmap#claimNext}), taken; null when all are used. */
    String claimNext(RandomGenerator start) {
        int slot = bitmap.claimNext(start);
        return slot < 0 ? null : addressOf(slot);
    }

    /** Gives {@code ip} back; nothing for an address outside the range. */
    void free(String ip) {
        int slot = slotOf(ip);
        if (slot >= 0) {
            bitmap.release(slot);
        }
    }

    /**
     * Takes the first free address at or after {@code slot} (see {@link BandedBitmap#claimFrom});
     * null when all are used.
     */
    String claimFrom(int slot) {
        int taken = bitmap.claimFrom(slot);
        return taken < 0 ? null : addressOf(taken);
    }

    /** Canonical text of the address in {@code slot}. */
    String addressOf(int slot) {
        return IpAddresses.format(cidr.address(BigInteger.valueOf(slot + (long) first)).getAddress());
    }

    /** Kubernetes' text for an address outside the range. */
    String notInRange(String ip) {
        return "the provided IP (" + ip + ") is not in the valid range. The range of valid IPs is " + cidr;
    }

    /**
     * Fast path for the canonical IPv4 text the state file holds (every rebuild re-reads
     * thousands): null for anything else, which then goes through the strict parser.
     */
    private static byte[] parseDottedQuad(String s) {
        byte[] out = new byte[4];
        int part = 0;
        int value = 0;
        int digits = 0;
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                if (digits == 1 && value == 0) {
                    return null; // leading zero: let the strict parser decide
                }
                value = value * 10 + (c - '0');
                if (++digits > 3 || value > 255) {
                    return null;
                }
            } else if (c == '.' && digits > 0 && part < 3) {
                out[part++] = (byte) value;
                value = 0;
                digits = 0;
            } else {
                return null;
            }
        }
        if (part != 3 || digits == 0) {
            return null;
        }
        out[3] = (byte) value;
        return out;
    }
}
