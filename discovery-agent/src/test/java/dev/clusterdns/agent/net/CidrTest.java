package dev.clusterdns.agent.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class CidrTest {

    @Test
    void parsesAndClearsHostBits() {
        Cidr c = Cidr.parse("127.96.7.9/12");
        assertEquals("127.96.0.0/12", c.toString());
        assertEquals(BigInteger.ONE.shiftLeft(20), c.size());
        assertEquals("fd00::/64", Cidr.parse(" fd00::1:2/64 ").toString());
        assertEquals("10.0.0.5/32", Cidr.parse("10.0.0.5").toString());
    }

    @Test
    void membershipRespectsThePrefixAndTheFamily() throws Exception {
        Cidr c = Cidr.parse("10.96.0.0/12");
        assertTrue(c.contains("10.96.0.1"));
        assertTrue(c.contains("10.111.255.255"));
        assertFalse(c.contains("10.112.0.0"));
        assertFalse(Cidr.parse("fd00::/8").contains("10.96.0.1"), "families never mix");
        assertFalse(c.contains("not-an-ip"));
        Cidr odd = Cidr.parse("192.168.0.0/23");
        assertTrue(odd.contains("192.168.1.200"));
        assertFalse(odd.contains("192.168.2.0"));
        assertTrue(Cidr.parse("0.0.0.0/0").contains(InetAddress.getByName("203.0.113.9")));
    }

    @Test
    void addressesByOffsetRoundTrip() throws Exception {
        Cidr c = Cidr.parse("fd00:10::/112");
        InetAddress a = c.address(BigInteger.valueOf(0x1234));
        assertEquals("fd00:10::1234", IpAddresses.format(a));
        assertEquals(BigInteger.valueOf(0x1234), c.offsetOf(a));
        assertThrows(IllegalArgumentException.class, () -> c.address(c.size()));
        assertThrows(IllegalArgumentException.class, () -> c.offsetOf(InetAddress.getByName("fd00:11::1")));
    }

    @Test
    void anyContainsIsFalseForNoAddressOrNoMatch() throws Exception {
        List<Cidr> ranges = List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128"));
        assertTrue(Cidr.anyContains(ranges, InetAddress.getByName("127.1.2.3")));
        assertTrue(Cidr.anyContains(ranges, InetAddress.getByName("::1")));
        assertFalse(Cidr.anyContains(ranges, InetAddress.getByName("192.0.2.1")));
        assertFalse(Cidr.anyContains(ranges, null));
        assertFalse(Cidr.anyContains(List.of(), InetAddress.getByName("127.0.0.1")));
    }

    @Test
    void rejectsNonsenseWithTheInputInTheMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.0.0.0/33"));
        assertTrue(e.getMessage().contains("10.0.0.0/33"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.0.0.0/x"));
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("example.com/8"));
    }

    @Test
    void formatsIpv6AsGoDoes() {
        assertEquals("fd00::a", IpAddresses.canonical("FD00:0:0:0:0:0:0:0A"));
        assertEquals("2001:db8::1:0:0:1", IpAddresses.canonical("2001:db8:0:0:1:0:0:1"));
        assertEquals("::", IpAddresses.canonical("0:0:0:0:0:0:0:0"));
        assertEquals("1:0:2::", IpAddresses.canonical("1:0:2:0:0:0:0:0"));
        assertEquals("10.1.2.3", IpAddresses.canonical("10.1.2.3"));
        assertFalse(IpAddresses.isValid("10.1.2.300"));
        assertFalse(IpAddresses.isValid("localhost"), "never a name lookup");
    }
}
