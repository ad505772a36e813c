package dev.clusterdns.tests.flow;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.tests.Netns;
import dev.clusterdns.tests.ServeProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `serve --pod-network` refuses a pod CIDR that another interface's route already covers as narrowly
 * (podman's 10.88.0.0/16, say): the bridge's gateway would be added, but replies to pod addresses would
 * leave by the other interface, and containers would time out with no hint why.
 */
class PodNetworkRouteClashTest {
    @TempDir
    Path dir;

    @Test
    void aPodCidrAnotherInterfaceRoutesIsRefusedWithTheRoute() throws Exception {
        Assumptions.assumeTrue(Netns.supported(), "needs root, iproute2 and network namespaces: skipped");
        String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
        String other = "cdx" + tag;
        String bridge = "cdb" + tag;
        String cidr = "10.253." + ThreadLocalRandom.current().nextInt(1, 250) + ".0/24";
        assertTrue(Netns.sh("ip", "link", "add", other, "type", "bridge").exitCode() == 0);
        try {
            assertTrue(Netns.sh("ip", "addr", "add", cidr.replace(".0/24", ".1/24"), "dev", other).exitCode() == 0);
            assertTrue(Netns.sh("ip", "link", "set", other, "up").exitCode() == 0);
            Path manifests = Files.createDirectories(dir.resolve("manifests"));
            ServeProcess serve = ServeProcess.launch(List.of("--manifests", manifests.toString(), "--pod-network", bridge,
                    "--service-cidr", "10.254.0.0/16", "--pod-cidr", cidr, "--proxy-interface", "cdi" + tag));
            try {
                assertTrue(serve.process().waitFor(60, TimeUnit.SECONDS), "serve should refuse to start:\n" + serve.output());
                assertTrue(serve.process().exitValue() != 0, serve.output());
                String out = serve.output();
                assertTrue(out.contains("--pod-network " + bridge + ": --pod-cidr " + cidr + " overlaps this host's route '"
                        + cidr + " dev " + other), out);
                assertFalse(Netns.sh("ip", "link", "show", "dev", bridge).exitCode() == 0, "no bridge is left behind");
            } finally {
                serve.close();
            }
        } finally {
            Netns.sh("ip", "link", "del", other);
            Netns.sh("ip", "link", "del", bridge);
        }
    }
}
