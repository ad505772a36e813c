package dev.clusterdns.agent.allocation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The KEP-3070 band sizes and scan order, and the address/slot mapping of ranges. */
class BandedBitmapTest {

    @Test
    void serviceIpBandSizes() {
        assertEquals(0, BandedBitmap.serviceIpStaticBand(16), "/28");
        assertEquals(16, BandedBitmap.serviceIpStaticBand(32), "/27: max(16, 2)");
        assertEquals(16, BandedBitmap.serviceIpStaticBand(256), "/24");
        assertEquals(64, BandedBitmap.serviceIpStaticBand(1024), "/22");
        assertEquals(256, BandedBitmap.serviceIpStaticBand(4096), "/20");
        assertEquals(256, BandedBitmap.serviceIpStaticBand(1 << 20), "/12");
    }

    @Test
    void nodePortBandSizes() {
        assertEquals(86, BandedBitmap.nodePortStaticBand(2768), "default 30000-32767");
        assertEquals(0, BandedBitmap.nodePortStaticBand(16));
        assertEquals(16, BandedBitmap.nodePortStaticBand(100));
        assertEquals(128, BandedBitmap.nodePortStaticBand(10000));
    }

    @Test
    void scansForwardFromARandomStartWrappingInsideTheUpperBand() {
        BandedBitmap bitmap = new BandedBitmap(40, 8);
        Set<Integer> got = new HashSet<>();
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 32; i++) {
            int slot = bitmap.claimNext(random);
            assertTrue(slot >= 8 && slot < 40, "upper band: " + slot);
            got.add(slot);
        }
        assertEquals(32, got.size());
        for (int i = 0; i < 8; i++) {
            int slot = bitmap.claimNext(random);
            assertTrue(slot >= 0 && slot < 8, "static band last: " + slot);
        }
        assertEquals(-1, bitmap.claimNext(random));
        bitmap.release(20);
        assertEquals(20, bitmap.claimNext(random), "the only free slot");
        assertFalse(bitmap.claim(20));
    }

    @Test
    void noStaticBandMeansTheWholeRangeIsDynamic() {
        BandedBitmap bitmap = new BandedBitmap(5, 0);
        for (int i = 0; i < 5; i++) {
            assertTrue(bitmap.claimNext(new SplittableRandom(i)) >= 0);
        }
        assertEquals(-1, bitmap.claimNext(new SplittableRandom(9)));
    }

    @Test
    void ipv4RangeSkipsNetworkAndBroadcast() {
        IpRange r = IpRange.parse("10.0.0.0/29", "--service-cidr");
        assertEquals(6, r.bitmap().size());
        assertEquals(0, r.bitmap().staticBand());
        assertEquals(-1, r.slotOf("10.0.0.0"));
        assertEquals(0, r.slotOf("10.0.0.1"));
        assertEquals(5, r.slotOf("10.0.0.6"));
        assertEquals(-1, r.slotOf("10.0.0.7"));
        assertEquals(-1, r.slotOf("10.0.0.8"));
        assertEquals(-1, r.slotOf("fd00::1"));
        assertEquals("10.0.0.6", r.addressOf(5));
    }

    @Test
    void ipv6RangesAreCappedAtTwoToTheSixteenAddresses() {
        IpRange r = IpRange.parse("fd00::/64", "--service-cidr");
        assertEquals(65535, r.bitmap().size());
        assertEquals(256, r.bitmap().staticBand());
        assertEquals(65534, r.slotOf("fd00::ffff"));
        assertEquals(-1, r.slotOf("fd00::1:0"));
        assertEquals("fd00::ffff", r.addressOf(65534));
        IpRange small = IpRange.parse("fd00::/124", "--service-cidr");
        assertEquals(15, small.bitmap().size(), "the last IPv6 address is usable");
        assertEquals(14, small.slotOf("fd00::f"));
    }

    @Test
    void claimFromTakesTheFirstFreeSlotAtOrAfterTheStartWrappingOnce() {
        BandedBitmap bitmap = new BandedBitmap(6, 2);
        assertEquals(1, bitmap.claimFrom(1), "the static band is no different");
        assertEquals(2, bitmap.claimFrom(1));
        assertTrue(bitmap.claim(5));
        assertEquals(0, bitmap.claimFrom(5), "wraps to the start");
        assertEquals(3, bitmap.claimFrom(5));
        assertEquals(4, bitmap.claimFrom(0));
        assertEquals(-1, bitmap.claimFrom(0));
        bitmap.release(2);
        assertEquals(2, bitmap.claimFrom(3));
    }

    @Test
    void aRangeOfOtherSlotsMapsAddressesFromItsFirstOffset() {
        IpRange pods = IpRange.of(dev.clusterdns.agent.net.Cidr.parse("10.0.0.0/29"), 2, 5);
        assertEquals(-1, pods.slotOf("10.0.0.1"), "network+1 is no slot");
        assertEquals(0, pods.slotOf("10.0.0.2"));
        assertEquals(4, pods.slotOf("10.0.0.6"));
        assertEquals(-1, pods.slotOf("10.0.0.7"));
        assertEquals("10.0.0.6", pods.addressOf(4));
        assertEquals(0, pods.bitmap().staticBand());
        assertEquals("10.0.0.4", pods.claimFrom(2));
        assertEquals("10.0.0.5", pods.claimFrom(2));
    }
}
