package dev.clusterdns.tests.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.tests.CommandResult;
import dev.clusterdns.tests.ServeProcess;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * `--lameduck` (CoreDNS `health { lameduck }`): on SIGTERM `/ready` turns 503 at once while DNS keeps
 * answering, and only then does the process stop.
 */
class LameDuckTest {

    @Test
    void readyTurns503WhileDnsStillAnswersThenTheProcessStops() throws Exception {
        Assumptions.assumeTrue(CommandResult.onPath("dig"), "needs dig");
        try (ServeProcess serve = ServeProcess.start("--lameduck", "5", "--manifests",
                ServeProcess.root().resolve("tests/src/test/resources/dns/cluster.yaml").toString())) {
            assertEquals(200, serve.httpStatus("/ready"));
            serve.process().destroy(); // SIGTERM, without waiting
            int status = 200;
            for (int i = 0; i < 100 && status == 200; i++) {
                Thread.sleep(50);
                status = serve.httpStatus("/ready");
            }
            assertEquals(503, status, "/ready goes 503 first");
            assertTrue(serve.http("/ready").contains("shutting down"), serve.http("/ready"));
            assertTrue(serve.process().isAlive(), "still running during the lame-duck delay");
            CommandResult dig = CommandResult.run(List.of("dig", "@127.0.0.1", "-p", String.valueOf(serve.dnsPort()),
                    "+time=2", "+tries=1", "+short", "web.shop.svc.cluster.local", "A"), ServeProcess.root());
            assertEquals("127.96.0.50", dig.stdout().trim(), "DNS still answers while draining: " + dig.stdout());
            assertTrue(serve.process().waitFor(30, TimeUnit.SECONDS), "then it stops");
            assertTrue(serve.output().contains("--lameduck"), serve.output());
        }
    }
}
