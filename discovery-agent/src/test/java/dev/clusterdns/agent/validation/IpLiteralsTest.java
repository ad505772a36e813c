package dev.clusterdns.agent.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Sloppy parsing as Kubernetes' ParseIPSloppy, and the strict-mode flags on top. */
class IpLiteralsTest {

    @Test
    void leadingZerosParseAsDecimalAndAreFlagged() {
        IpLiterals.Parsed p = IpLiterals.parse("010.001.002.003");
        assertEquals(10, p.bytes()[0]);
        assertEquals(3, p.bytes()[3]);
        assertTrue(p.leadingZeros());
        assertFalse(IpLiterals.parse("10.1.2.3").leadingZeros());
    }

    @Test
    void ipv4MappedIpv6CountsAsIpv4AndIsFlagged() {
        IpLiterals.Parsed p = IpLiterals.parse("::ffff:10.1.2.3");
        assertTrue(p.isIpv4());
        assertTrue(p.mapped());
        assertEquals("IPv6", IpLiterals.family("fd00::1"));
        assertEquals("IPv4", IpLiterals.family("10.0.0.1"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10.1.2", "10.1.2.256", "1.2.3.4.5", "localhost", "example.com", ".:", ":::", "fd00::1%eth0",
        "[::1]", "10.1.2.3/8", " 10.1.2.3"})
    void nonLiteralsDoNotParse(String s) {
        assertNull(IpLiterals.parse(s));
    }

    @Test
    void cidrs() {
        assertEquals(0, IpLiterals.validCidr("f", "10.0.0.0/8").size());
        assertEquals(0, IpLiterals.validCidr("f", "fd00::/64").size());
        assertEquals(1, IpLiterals.validCidr("f", "10.0.0.0").size());
        assertEquals(1, IpLiterals.validCidr("f", "fd00::/129").size());
        assertEquals(1, IpLiterals.validCidr("f", "10.0.0.0/x").size());
    }
}
