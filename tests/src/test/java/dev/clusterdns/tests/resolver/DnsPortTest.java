package dev.clusterdns.tests.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.tests.CommandResult;
import dev.clusterdns.tests.ServeProcess;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * `serve`'s DNS port is its own: it does not start next to another program on it (even one that set
 * SO_REUSEPORT, which Linux would let share the port), and no client socket gets it while it runs.
 */
class DnsPortTest {

    @Test
    void serveRefusesAPortAnotherProcessSharesWithReusePort() throws Exception {
        // This test's JVM is the other process: a UDP socket with SO_REUSEPORT, as an echo server would hold it.
        int port = ServeProcess.freePort();
        try (DatagramChannel squatter = DatagramChannel.open()) {
            squatter.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            squatter.bind(new InetSocketAddress("127.0.0.1", port));
            ServeProcess serve = ServeProcess.launch(List.of("--dns-listen", "127.0.0.1:" + port));
            try (serve) {
                assertTrue(serve.process().waitFor(60, TimeUnit.SECONDS), "serve did not exit:\n" + serve.output());
                assertNotEquals(0, serve.process().exitValue());
                assertTrue(serve.output().contains("DNS listen 127.0.0.1:" + port + "/udp: address already in use "
                        + "(another process holds it: pid " + ProcessHandle.current().pid() + " java)"), serve.output());
            }
        }
    }

    @Test
    void aSecondServeOnTheSameDnsPortIsRefused() throws Exception {
        try (ServeProcess first = ServeProcess.start()) {
            ServeProcess second = ServeProcess.launch(List.of("--dns-listen", "127.0.0.1:" + first.dnsPort()));
            try (second) {
                assertTrue(second.process().waitFor(60, TimeUnit.SECONDS), "serve did not exit:\n" + second.output());
                assertTrue(second.output().contains("DNS listen 127.0.0.1:" + first.dnsPort() + "/tcp: address already in use "
                        + "(another process holds it: pid " + first.process().pid() + " java)"), second.output());
            }
            Assumptions.assumeTrue(Dig.installed(), "dig is not installed");
            assertEquals("NOERROR", Dig.query(first.dnsPort(), "kubernetes.default.svc.cluster.local", "A").status(),
                    "the first one still answers");
        }
    }

    /**
     * dig sets SO_REUSEPORT on its UDP socket; given the server's port as its source port (as the
     * kernel may pick for an ephemeral one), it would be connected to itself and read its own query
     * back (no QR flag, its own cookie "echoed"). The port cannot be had while serve runs.
     */
    @Test
    void digCannotTakeTheServersPortAsItsSourcePort() throws Exception {
        Assumptions.assumeTrue(Dig.installed(), "dig is not installed");
        try (ServeProcess serve = ServeProcess.start()) {
            int port = serve.dnsPort();
            CommandResult r = CommandResult.run(List.of("dig", "-b", "0.0.0.0#" + port, "@127.0.0.1", "-p",
                    String.valueOf(port), "printer.lan", "A", "+tries=1", "+time=2"), Path.of("."));
            assertFalse(r.stdout().contains("Got answer"), r.stdout());
            assertNotEquals(0, r.exitCode(), r.stdout());
        }
    }
}
