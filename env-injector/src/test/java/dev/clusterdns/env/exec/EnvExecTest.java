package dev.clusterdns.env.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EnvExecTest {

    @BeforeAll
    static void needsSh() {
        Assumptions.assumeTrue(new java.io.File("/bin/sh").canExecute(), "needs /bin/sh");
    }

    @Test
    void returnsTheCommandsStatus() throws Exception {
        assertEquals(3, EnvExec.run(List.of("/bin/sh", "-c", "exit 3"), Map.of()));
        assertEquals(0, EnvExec.run(List.of("/bin/sh", "-c", "exit 0"), Map.of()));
    }

    @Test
    void childSeesTheVariablesAndOurEnvironment() throws Exception {
        Map<String, String> vars = Map.of("X", "a 'b' \"c\" $d\ne", "UNI", "✓ 日本");
        assertEquals(0, EnvExec.run(List.of("/bin/sh", "-c",
                "[ \"$X\" = \"$(printf 'a '\\''b'\\'' \"c\" $d\\ne')\" ] && [ \"$UNI\" = '✓ 日本' ] && [ -n \"$PATH\" ]"), vars));
    }

    @Test
    void aSignalKillingTheChildIsReportedAsShellsDo() throws Exception {
        assertEquals(128 + 9, EnvExec.run(List.of("/bin/sh", "-c", "kill -9 $$"), Map.of()));
    }

    @Test
    void missingCommandsMapTo127() {
        IOException e = assertThrows(IOException.class, () -> EnvExec.run(List.of("/no/such/program"), Map.of()));
        assertEquals(EnvExec.NOT_FOUND, EnvExec.statusFor(e));
    }
}
