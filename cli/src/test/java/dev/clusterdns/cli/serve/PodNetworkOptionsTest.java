package dev.clusterdns.cli.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.clusterdns.agent.net.Cidr;
import org.junit.jupiter.api.Test;

class PodNetworkOptionsTest {
    /** `ip -o -4 route show` on a host with podman's bridge up and a VPN's broad route. */
    private static final String ROUTES = """
            default via 192.0.2.1 dev eth0
            10.0.0.0/8 via 10.8.0.1 dev tun0
            10.88.0.0/16 dev podman0 proto kernel scope link src 10.88.0.1 linkdown
            10.244.3.0/24 dev cni0 proto kernel scope link src 10.244.3.1
            192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.2
            blackhole 10.250.0.0/16
            """;

    @Test
    void aRouteAsNarrowAsThePodCidrShadowsIt() {
        assertEquals("10.88.0.0/16 dev podman0 proto kernel scope link src 10.88.0.1 linkdown",
                PodNetworkOptions.shadowingRoute(Cidr.parse("10.88.0.0/16"), "cdb0", ROUTES));
    }

    @Test
    void aNarrowerRouteInsideThePodCidrShadowsPartOfIt() {
        assertEquals("10.244.3.0/24 dev cni0 proto kernel scope link src 10.244.3.1",
                PodNetworkOptions.shadowingRoute(Cidr.parse("10.244.0.0/16"), "cdb0", ROUTES));
    }

    @Test
    void broaderRoutesTheBridgesOwnAndOtherRangesDoNot() {
        assertNull(PodNetworkOptions.shadowingRoute(Cidr.parse("10.200.0.0/16"), "cdb0", ROUTES), "10.0.0.0/8 is broader");
        assertNull(PodNetworkOptions.shadowingRoute(Cidr.parse("10.88.0.0/16"), "podman0", ROUTES), "the bridge's own route");
        assertNull(PodNetworkOptions.shadowingRoute(Cidr.parse("10.250.0.0/16"), "cdb0", ROUTES), "no device: a blackhole");
        assertNull(PodNetworkOptions.shadowingRoute(Cidr.parse("fd00::/64"), "cdb0", ROUTES), "another family");
        assertNull(PodNetworkOptions.shadowingRoute(Cidr.parse("10.244.3.128/25"), "cdb0", ROUTES), "a /24 is broader than a /25");
    }
}
