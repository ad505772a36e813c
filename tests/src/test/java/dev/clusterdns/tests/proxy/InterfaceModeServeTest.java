package dev.clusterdns.tests.proxy;

import dev.clusterdns.tests.Netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.clusterdns.tests.CommandResult;
import dev.clusterdns.tests.ServeProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * `clusterdns serve --proxy-mode interface` with a service CIDR outside loopback: the ClusterIP is
 * put on the host, and `curl` from a network namespace routed through the host reaches the pod.
 */
class InterfaceModeServeTest {

    @Test
    void curlFromANetworkNamespaceReachesAClusterIpOutsideLoopback() throws Exception {
        Assumptions.assumeTrue(Netns.supported(), "needs root, iproute2 and network namespaces: skipped");
        Assumptions.assumeTrue(CommandResult.onPath("curl"), "curl is not installed");
        int y = ThreadLocalRandom.current().nextInt(1, 250);
        String cidr = "10.252." + y + ".0/24";
        String vip = "10.252." + y + ".10";
        String ifName = "cdi" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
        Path dir = Files.createTempDirectory("proxy-iface");
        ProxyServeTest.writeManifests(dir, Map.of("STATIC_IP", vip,
                "BACKEND_PORT", String.valueOf(ProxyServeTest.BACKEND_PORT)), "static.yaml");
        HttpServer backend = ProxyServeTest.backend("127.0.66.24", ProxyServeTest.BACKEND_PORT, "static");
        try (Netns ns = Netns.create(cidr);
             ServeProcess serve = ServeProcess.start("--manifests", dir.toString(), "--service-cidr", cidr,
                     "--proxy-mode", "interface", "--proxy-interface", ifName, "--node-address", "127.0.0.1")) {
            assertTrue(Netns.sh("ip", "-o", "addr", "show").stdout().contains(" " + vip + "/32"),
                    vip + " is on a host interface\n" + serve.output());

            CommandResult r = ns.exec("curl", "-sS", "--max-time", "5", "http://" + vip + "/");
            assertEquals(0, r.exitCode(), r.stderr() + "\n" + serve.output());
            assertEquals("static\n", r.stdout());

            // A port the Service does not have: refused at once (the address is local, nothing listens).
            CommandResult refused = ns.exec("curl", "-sS", "--max-time", "5", "http://" + vip + ":81/");
            assertEquals(7, refused.exitCode(), refused.stderr());

            serve.stop();
            assertFalse(Netns.sh("ip", "-o", "addr", "show").stdout().contains(" " + vip + "/32"),
                    "the address is removed on shutdown");
        } finally {
            backend.stop(0);
        }
    }
}
