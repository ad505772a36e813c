package dev.clusterdns.agent.allocation;

import java.util.random.RandomGenerator;

/** The NodePort range `A-B` (inclusive) with Kubernetes' NodePort bands. */
final class PortRange {
    private final int base;
    private final BandedBitmap bitmap;

    private PortRange(int base, int size) {
        this.base = base;
        this.bitmap = new BandedBitmap(size, BandedBitmap.nodePortStaticBand(size));
    }

    /**
     * Parses `A-B` (or a single port).
     *
     * @throws IllegalArgumentException naming the flag and what is allowed
     */
    static PortRange parse(String text) {
        String t = text == null ? "" : text.trim();
        int dash = t.indexOf('-');
        int first;
        int last;
        try {
            first = Integer.parseInt(dash < 0 ? t : t.substring(0, dash).trim());
            last = dash < 0 ? first : Integer.parseInt(t.substring(dash + 1).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid --node-port-range \"" + text + "\": expected A-B, e.g. 30000-32767");
        }
        if (first < 1 || last > 65535 || first > last) {
            throw new IllegalArgumentException("invalid --node-port-range \"" + text
                    + "\": ports must satisfy 1 <= A <= B <= 65535");
        }
        return new PortRange(first, last - first + 1);
    }

    BandedBitmap bitmap() {
        return bitmap;
    }

    boolean contains(int port) {
        return port >= base && port < base + bitmap.size();
    }

    int slotOf(int port) {
        return port - base;
    }

    int portOf(int slot) {
        return base + slot;
    }

    /** Takes {@code port}: out of range outside `A-B`, in use when it is held already. */
    Claim claim(int port) {
        if (!contains(port)) {
            return Claim.OUT_OF_RANGE;
        }
        return bitmap.claim(slotOf(port)) ? Claim.TAKEN : Claim.IN_USE;
    }

    /** A free port (see {@link BandedBitmap#claimNext}), taken; -1 when all are used. */
    int claimNext(RandomGenerator start) {
        int slot = bitmap.claimNext(start);
        return slot < 0 ? -1 : portOf(slot);
    }

    /** Gives {@code port} back; nothing for a port outside the range. */
    void free(int port) {
        if (contains(port)) {
            bitmap.release(slotOf(port));
        }
    }

    /** Printed as Kubernetes does: `Base-(Base+Size-1)`. */
    @Override
    public String toString() {
        return base + "-" + (base + bitmap.size() - 1);
    }
}
