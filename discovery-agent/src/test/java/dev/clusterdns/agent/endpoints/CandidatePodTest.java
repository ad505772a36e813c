package dev.clusterdns.agent.endpoints;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.model.Pod;
import java.util.List;
import org.junit.jupiter.api.Test;

class CandidatePodTest {
    @Test
    void fastPathAcceptsOnlyCanonicalDottedQuads() {
        for (String ok : List.of("0.0.0.0", "10.1.0.5", "255.255.255.255", "1.2.3.4")) {
            assertTrue(CandidatePod.isCanonicalIpv4(ok), ok);
        }
        for (String no : List.of("", "1.2.3", "1.2.3.4.", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1..3.4", ".1.2.3",
                "1.2.3.4 ", "1234.1.1.1", "fd00::1", "::ffff:1.2.3.4", "a.b.c.d")) {
            assertFalse(CandidatePod.isCanonicalIpv4(no), no);
        }
    }

    @Test
    void familiesAndCanonicalFormsAndInvalidIpsSkipped() throws Exception {
        Pod pod = Manifests.YAML.readValue("""
                kind: Pod
                metadata: {name: p}
                status:
                  podIPs: [{ip: 10.1.0.5}, {ip: "FD00:0:0:0:0:0:0:0A"}, {ip: not-an-ip}, {ip: "::ffff:192.0.2.1"}]
                """, Pod.class);
        CandidatePod c = CandidatePod.of(pod);
        assertEquals(List.of("10.1.0.5", "FD00:0:0:0:0:0:0:0A", "::ffff:192.0.2.1"), c.ips());
        assertEquals(List.of(IpFamily.IPV4, IpFamily.IPV6, IpFamily.IPV4), c.families());
        assertEquals(List.of("10.1.0.5", "192.0.2.1"), c.canonicalIps(IpFamily.IPV4));
        assertEquals(List.of("fd00::a"), c.canonicalIps(IpFamily.IPV6));
        assertEquals("FD00:0:0:0:0:0:0:0A", c.firstIp(IpFamily.IPV6));
    }

    @Test
    void podsWithOnlyInvalidIpsAreNoCandidates() throws Exception {
        Pod pod = Manifests.YAML.readValue("kind: Pod\nmetadata: {name: p}\nstatus: {podIP: bogus}\n", Pod.class);
        assertNull(CandidatePod.of(pod));
    }
}
