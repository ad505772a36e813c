package dev.clusterdns.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ServeSmokeTest {

    @Test
    void serveBecomesReadyAndStopsOnSigterm() throws Exception {
        try (ServeProcess serve = ServeProcess.start()) {
            assertEquals(200, serve.httpStatus("/health"));
            assertEquals(200, serve.httpStatus("/ready"));
            int code = serve.stop();
            // 143 = killed by SIGTERM with the JVM's shutdown hooks run; 0 = exited by itself.
            assertTrue(code == 0 || code == 143, "exit code " + code + "\n" + serve.output());
        }
    }

    @Test
    void versionPrintsTheVersion() {
        CommandResult r = ServeProcess.run("version");
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stdout().startsWith("clusterdns "), r.stdout());
    }
}
