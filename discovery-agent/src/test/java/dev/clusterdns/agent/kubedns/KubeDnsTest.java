package dev.clusterdns.agent.kubedns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.model.Endpoints;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.ServicePort;
import java.util.List;
import org.junit.jupiter.api.Test;

class KubeDnsTest {

    @Test
    void theClusterIpIsTheTenthAddressOfTheServiceCidr() {
        assertEquals("127.96.0.10", KubeDns.clusterIp("127.96.0.0/12"));
        assertEquals("10.96.0.10", KubeDns.clusterIp("10.96.0.0/12"));
        assertEquals("fd00::a", KubeDns.clusterIp("fd00::/108"));
        assertTrue(KubeDns.fits("10.0.0.0/28"));
        assertFalse(KubeDns.fits("10.0.0.0/29"), "a /29 has no 10th address");
    }

    @Test
    void theServiceHasKubeadmsPortsAndLabelsAndTargetsTheDnsServer() {
        Service s = KubeDns.service("127.96.0.10", new KubeDns.Target("127.0.0.1", 1053, 9153));
        assertEquals("kube-system", s.namespace());
        assertEquals("kube-dns", s.name());
        assertEquals("kube-dns", s.metadata().label("k8s-app"));
        assertEquals("CoreDNS", s.metadata().label("kubernetes.io/name"));
        assertEquals("127.96.0.10", s.spec().clusterIP());
        List<ServicePort> ports = s.spec().ports();
        assertEquals(List.of("dns", "dns-tcp", "metrics"), ports.stream().map(ServicePort::name).toList());
        assertEquals(List.of("UDP", "TCP", "TCP"), ports.stream().map(ServicePort::protocol).toList());
        assertEquals(List.of(53, 53, 9153), ports.stream().map(ServicePort::port).toList());
        assertEquals(List.of(1053, 1053, 9153), ports.stream().map(p -> p.targetPort().intValue()).toList());
    }

    @Test
    void theEndpointsAreTheDnsServersOwnAddressWithAWildcardSeenAsLoopback() {
        Endpoints e = KubeDns.endpoints(new KubeDns.Target("0.0.0.0", 5353, 9999));
        assertEquals("127.0.0.1", e.subsets().get(0).addresses().get(0).ip());
        assertEquals(List.of(5353, 5353, 9999), e.subsets().get(0).ports().stream().map(p -> p.port()).toList());
        assertEquals("10.200.0.1", KubeDns.endpoints(new KubeDns.Target("10.200.0.1", 53, 9153))
                .subsets().get(0).addresses().get(0).ip());
    }
}
