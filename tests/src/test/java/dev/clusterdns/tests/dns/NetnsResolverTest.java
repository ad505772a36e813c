package dev.clusterdns.tests.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.tests.CommandResult;
import dev.clusterdns.tests.Netns;
import dev.clusterdns.tests.ServeProcess;
import java.util.ArrayList;
import java.util.List;
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
    private static Netns netns;
    private static ServeProcess serve;

    @BeforeAll
    static void setUp() {
        Assumptions.assumeTrue(Netns.supported(), "needs root, iproute2 and network namespaces");
        Assumptions.assumeTrue(CommandResult.onPath("nslookup") && CommandResult.onPath("dig")
                && CommandResult.onPath("getent"), "needs getent, nslookup and dig");
        netns = Netns.create(null);
        netns.resolvConf("nameserver " + netns.hostIp() + "\n"
                + "search default.svc.cluster.local svc.cluster.local cluster.local\n"
                + "options ndots:5\n");
        List<String> args = new ArrayList<>(DigTest.serveArgs());
        args.addAll(List.of("--dns-listen", netns.hostIp() + ":53"));
        serve = ServeProcess.start(args);
    }

    @AfterAll
    static void tearDown() {
        if (serve != null) {
            serve.close();
        }
        if (netns != null) {
            netns.close();
        }
    }

    private static CommandResult inNetns(String... cmd) {
        return netns.exec(cmd);
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
