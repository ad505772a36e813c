package dev.clusterdns.cli.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.proxy.ProxyConfig;
import dev.clusterdns.proxy.ProxyMode;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ProxyOptionsTest {

    private static ProxyOptions parse(String... args) {
        ProxyOptions options = new ProxyOptions();
        new CommandLine(options).parseArgs(args);
        return options;
    }

    @Test
    void defaultsAreUserspaceLoopbackNodePortsAndTheHostName() throws Exception {
        ProxyConfig c = parse().config();
        assertEquals(ProxyMode.USERSPACE, c.mode());
        // Manifests: NodePorts on loopback only; the Kubernetes API source: every address, as kube-proxy.
        assertEquals(List.of(InetAddress.getByName("127.0.0.1")), c.nodeAddresses());
        assertTrue(parse().config(true).nodeAddresses().isEmpty());
        assertEquals(List.of(InetAddress.getByName("0.0.0.0")), parse("--node-address", "0.0.0.0").config().nodeAddresses());
        assertFalse(c.nodeName().isBlank());
        assertEquals(Duration.ofSeconds(30), c.udpTimeout());
        assertEquals(Duration.ofHours(1), c.tcpIdleTimeout());
        assertEquals("cdns0", c.interfaceName());
    }

    @Test
    void flagsReachTheConfig() throws Exception {
        ProxyConfig c = parse("--proxy-mode", "interface", "--node-address", "127.0.0.1", "--node-address", "127.0.0.2",
                "--node-name", "node-7", "--proxy-udp-timeout", "250ms", "--proxy-tcp-idle-timeout", "1m30s").config();
        assertEquals(ProxyMode.INTERFACE, c.mode());
        assertEquals(List.of(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("127.0.0.2")), c.nodeAddresses());
        assertEquals("node-7", c.nodeName());
        assertEquals(Duration.ofMillis(250), c.udpTimeout());
        assertEquals(Duration.ofSeconds(90), c.tcpIdleTimeout());
        assertEquals(Duration.ZERO, parse("--proxy-tcp-idle-timeout", "0").config().tcpIdleTimeout());
    }

    @Test
    void badValuesNameTheFlag() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--proxy-mode", "iptables").config())
                .getMessage().startsWith("--proxy-mode iptables:"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--node-address", "node1").config())
                .getMessage().startsWith("--node-address node1:"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--proxy-udp-timeout", "5x").config())
                .getMessage().startsWith("--proxy-udp-timeout 5x:"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--proxy-udp-timeout", "0s").config())
                .getMessage().contains("more than 0"));
    }
}
