package dev.clusterdns.tests.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.tests.CommandResult;
import dev.clusterdns.tests.ServeProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server as a container's resolver: a network namespace whose resolv.conf names the server on a
 * veth address, port 53, with kubelet's search list and ndots:5. The system resolver (glibc via
 * `getent`), `nslookup` and `dig +search` must all resolve short Service names inside it.
 */
class NetnsResolverTest {
    private static final Path ROOT = ServeProcess.root();
    private static String netns;
    private static String hostVeth;
    private static ServeProcess serve;

    @BeforeAll
    static void setUp() throws IOException {
        Assumptions.assumeTrue("0".equals(run("id", "-u").stdout().trim()), "needs root for ip netns");
        Assumptions.assumeTrue(CommandResult.onPath("ip") && CommandResult.onPath("nslookup")
                && CommandResult.onPath("dig") && CommandResult.onPath("getent"), "needs ip, getent, nslookup and dig");
        String id = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
        int octet = ThreadLocalRandom.current().nextInt(0, 256);
        String serverIp = "10.253." + octet + ".1";
        String clientIp = "10.253." + octet + ".2";
        CommandResult add = run("ip", "netns", "add", "cdns" + id);
        Assumptions.assumeTrue(add.exitCode() == 0, "ip netns add failed: " + add.stderr());
        netns = "cdns" + id;
        hostVeth = "vc" + id + "h";
        String nsVeth = "vc" + id + "n";
        for (List<String> cmd : List.of(
                List.of("ip", "link", "add", hostVeth, "type", "veth", "peer", "name", nsVeth),
                List.of("ip", "link", "set", nsVeth, "netns", netns),
                List.of("ip", "addr", "add", serverIp + "/30", "dev", hostVeth),
                List.of("ip", "link", "set", hostVeth, "up"),
                List.of("ip", "-n", netns, "addr", "add", clientIp + "/30", "dev", nsVeth),
                List.of("ip", "-n", netns, "link", "set", nsVeth, "up"),
                List.of("ip", "-n", netns, "link", "set", "lo", "up"))) {
            CommandResult r = CommandResult.run(cmd, ROOT);
            Assumptions.assumeTrue(r.exitCode() == 0, "network namespace setup failed: " + cmd + ": " + r.stderr());
        }
        Path etc = Path.of("/etc/netns", netns);
        Files.createDirectories(etc);
        Files.writeString(etc.resolve("resolv.conf"), "nameserver " + serverIp + "\n"
                + "search default.svc.cluster.local svc.cluster.local cluster.local\n"
                + "options ndots:5\n");
        List<String> args = new ArrayList<>(DigTest.serveArgs());
        args.addAll(List.of("--dns-listen", serverIp + ":53"));
        serve = ServeProcess.start(args);
    }

    @AfterAll
    static void tearDown() throws IOException {
        if (serve != null) {
            serve.close();
        }
        if (netns != null) {
            run("ip", "netns", "del", netns);
            run("ip", "link", "del", hostVeth); // normally gone with the namespace
            Path etc = Path.of("/etc/netns", netns);
            Files.deleteIfExists(etc.resolve("resolv.conf"));
            Files.deleteIfExists(etc);
        }
    }

    private static CommandResult run(String... cmd) {
        return CommandResult.run(List.of(cmd), ROOT);
    }

    private static CommandResult inNetns(String... cmd) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        full.addAll(List.of(cmd));
        return CommandResult.run(full, ROOT);
    }

    @Test
    void getentResolvesTheShortServiceName() {
        CommandResult r = inNetns("getent", "hosts", "my-nginx");
        assertEquals(0, r.exitCode(), r.stderr() + "\n" + serve.output());
        assertEquals("127.96.0.80 my-nginx.default.svc.cluster.local", r.stdout().trim().replaceAll("\\s+", " "));
    }

    @Test
    void getentResolvesServiceDotNamespace() {
        CommandResult r = inNetns("getent", "hosts", "my-nginx.default");
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("127.96.0.80 my-nginx.default.svc.cluster.local", r.stdout().trim().replaceAll("\\s+", " "));
        CommandResult other = inNetns("getent", "hosts", "web.shop");
        assertEquals("127.96.0.50 web.shop.svc.cluster.local", other.stdout().trim().replaceAll("\\s+", " "));
    }

    @Test
    void nslookupResolvesTheShortServiceName() {
        CommandResult r = inNetns("nslookup", "my-nginx");
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        assertTrue(r.stdout().contains("Name:\tmy-nginx.default.svc.cluster.local\nAddress: 127.96.0.80"), r.stdout());
    }

    @Test
    void digWithSearchResolvesTheShortServiceName() {
        CommandResult r = inNetns("dig", "+search", "+short", "my-nginx");
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("127.96.0.80", r.stdout().trim());
        CommandResult full = inNetns("dig", "+search", "my-nginx");
        assertTrue(full.stdout().contains("status: NOERROR"), full.stdout());
        assertTrue(full.stdout().contains("flags: qr aa rd;"), full.stdout());
    }

    @Test
    void missingNamesFailCleanly() {
        CommandResult r = inNetns("getent", "hosts", "no-such-service");
        assertEquals(2, r.exitCode(), "getent: key not found: " + r.stdout());
    }
}
