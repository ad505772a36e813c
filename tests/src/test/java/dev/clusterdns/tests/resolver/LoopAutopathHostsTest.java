package dev.clusterdns.tests.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.tests.ServeProcess;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Loop detection, autopath for a pod identified by source IP, and the hosts-file authority, end to end. */
class LoopAutopathHostsTest {

    @BeforeEach
    void tools() {
        Assumptions.assumeTrue(Dig.installed(), "dig is not installed");
    }

    /**
     * An "upstream" that relays every query back to the server (what systemd-resolved pointing at us
     * does): the probe sent before the upstream's first use comes back, the loop is reported, and
     * neither the probe nor the query is amplified.
     */
    @Test
    void forwardingLoopIsDetectedAndReported() throws Exception {
        try (DatagramSocket relay = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            AtomicInteger relayed = new AtomicInteger();
            int[] target = {0};
            Thread t = new Thread(() -> {
                byte[] buf = new byte[4096];
                try (DatagramSocket out = new DatagramSocket()) {
                    while (!relay.isClosed()) {
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        relay.receive(p);
                        if (target[0] == 0) {
                            continue;
                        }
                        relayed.incrementAndGet();
                        out.send(new DatagramPacket(p.getData(), p.getLength(), InetAddress.getLoopbackAddress(), target[0]));
                    }
                } catch (Exception closed) {
                    // relay closed
                }
            }, "loop-relay");
            t.setDaemon(true);
            t.start();
            try (ServeProcess serve = ServeProcess.start("--upstream", "127.0.0.1:" + relay.getLocalPort())) {
                Dig.assumeAnswering(serve.dnsPort());
                target[0] = serve.dnsPort();
                Dig first = Dig.query(serve.dnsPort(), "www.example.invalid", "A", "+time=3");
                assertTrue(first.status().equals("SERVFAIL") || first.status().isEmpty(), first.raw());
                long deadline = System.nanoTime() + 40_000_000_000L;
                while (!serve.output().contains("forwarding loop detected") && System.nanoTime() < deadline) {
                    Nsd.sleep(200);
                }
                assertTrue(serve.output().contains("forwarding loop detected"), serve.output());
                int after = relayed.get();
                Nsd.sleep(1000);
                assertEquals(after, relayed.get(), "the probe is not amplified");
                assertTrue(after < 20, "the loop was cut short, relayed " + after);
                assertEquals("SERVFAIL", Dig.query(serve.dnsPort(), "www.example.invalid", "A").status(),
                        "the looping upstream is no longer used");
                Nsd.sleep(300);
                assertEquals(after, relayed.get());
            }
        }
    }

    @Test
    void ownListenAddressIsRefusedAsUpstream() throws Exception {
        int port = ServeProcess.freePort();
        try (ServeProcess serve = ServeProcess.start("--dns-listen", "127.0.0.1:" + port, "--upstream", "127.0.0.1:" + port)) {
            Dig.assumeAnswering(serve.dnsPort());
            assertTrue(serve.output().contains("own DNS listen addresses"), serve.output());
            assertEquals("REFUSED", Dig.query(serve.dnsPort(), "www.example.invalid", "A").status());
        }
    }

    @Test
    void autopathAnswersAPodsSearchWalkInOneRoundTrip() throws Exception {
        Path manifests = Files.createTempDirectory("manifests");
        Files.copy(Path.of("src/test/resources/resolver/autopath-pod.yaml"), manifests.resolve("pod.yaml"));
        List<String> args = new java.util.ArrayList<>(List.of("--manifests", manifests.toString(), "--autopath", "--upstream", "none"));
        if (ServeProcess.run("serve", "--help").stdout().contains("--pods")) {
            args.addAll(List.of("--pods", "verified")); // autopath needs verified pod data (CoreDNS)
        }
        try (ServeProcess serve = ServeProcess.start(args)) {
            Dig.assumeAnswering(serve.dnsPort());
            Dig d = Dig.query(serve.dnsPort(), "www.example.net.shop.svc.cluster.local", "A", "-b", "127.0.0.77");
            assertEquals("NOERROR", d.status(), d.raw());
            assertTrue(d.answer().get(0).startsWith("www.example.net.shop.svc.cluster.local. "), d.raw());
            assertTrue(d.answer().get(0).endsWith("cname www.example.net."), d.raw());
            assertTrue(d.answer().stream().anyMatch(l -> l.endsWith("a 192.0.2.80")), d.raw());
            Dig other = Dig.query(serve.dnsPort(), "www.example.net.shop.svc.cluster.local", "A", "-b", "127.0.0.78");
            assertEquals("NXDOMAIN", other.status(), "an unknown client walks its search list itself");
        }
    }

    @Test
    void hostsFileAndLoadbalance() throws Exception {
        Path hosts = Files.createTempFile("hosts", "");
        Files.writeString(hosts, "192.0.2.41 printer.lan\n192.0.2.42 printer.lan\n192.0.2.43 printer.lan\n");
        try (ServeProcess serve = ServeProcess.start("--hosts", hosts.toString(), "--loadbalance", "--upstream", "none")) {
            Dig.assumeAnswering(serve.dnsPort());
            java.util.Set<String> firsts = new java.util.HashSet<>();
            for (int i = 0; i < 20; i++) {
                Dig d = Dig.query(serve.dnsPort(), "printer.lan", "A");
                assertEquals(3, d.answer().size(), d.raw());
                assertTrue(d.aa());
                firsts.add(d.answer().get(0));
            }
            assertTrue(firsts.size() > 1, "answers are shuffled: " + firsts);
            assertEquals(List.of(), Dig.query(serve.dnsPort(), "printer.lan", "AAAA").answer());
        }
    }
}
