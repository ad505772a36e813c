package dev.clusterdns.tests.env;

import static dev.clusterdns.tests.env.EnvFixtures.clusterdns;
import static dev.clusterdns.tests.env.EnvFixtures.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.tests.CommandResult;
import dev.clusterdns.tests.ServeProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** `clusterdns env exec`: the child sees the variables, gets our signals, and its status is ours. */
class EnvExecTest {

    @BeforeAll
    static void tools() {
        Assumptions.assumeTrue(EnvFixtures.hasShells() && CommandResult.onPath("kill"), "needs sh, env and kill on PATH");
    }

    @Test
    void childSeesThePodEnvironmentPlusOurs() {
        CommandResult r = ok(clusterdns("env", "exec", "-n", "shop", "--pod", "web-1", "--", "env", "-0"));
        Map<String, String> env = EnvFixtures.parseEnv0(r.stdout().getBytes(StandardCharsets.UTF_8));
        Map<String, String> expected = EnvCommandTest.webPodVariables();
        Map<String, String> got = new TreeMap<>(env);
        got.keySet().retainAll(expected.keySet());
        assertEquals(new TreeMap<>(expected), got);
        assertEquals(System.getenv("PATH"), env.get("PATH"), "the child keeps our environment");
    }

    @Test
    void nonAsciiValuesSurviveANonUtf8Locale() throws Exception {
        // With LANG unset the JVM encodes a child's environment as ASCII; env exec must still deliver UTF-8.
        List<String> cmd = new ArrayList<>(ServeProcess.command());
        cmd.addAll(List.of("env", "exec", "--manifests", EnvFixtures.manifests().toString(), "-n", "shop", "--pod", "web-1",
                "--", "sh", "-c", "printf %s \"$UNICODE\""));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ServeProcess.root().toFile());
        pb.environment().keySet().removeIf(k -> k.equals("LANG") || k.startsWith("LC_"));
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), err);
        assertEquals("héllo ✓ 𝄞 日本", new String(out, StandardCharsets.UTF_8));
    }

    @Test
    void exitStatusIsTheCommands() {
        assertEquals(42, clusterdns("env", "exec", "-n", "shop", "--", "sh", "-c", "exit 42").exitCode());
        assertEquals(0, clusterdns("env", "exec", "-n", "shop", "--", "true").exitCode());
        CommandResult missing = clusterdns("env", "exec", "-n", "shop", "--", "no-such-command-anywhere");
        assertEquals(127, missing.exitCode(), missing.stderr());
        assertTrue(missing.stderr().contains("no-such-command-anywhere"), missing.stderr());
        CommandResult badPod = clusterdns("env", "exec", "-n", "shop", "--pod", "broken", "--", "true");
        assertEquals(1, badPod.exitCode());
        assertTrue(badPod.stderr().contains("variable NEEDS"), badPod.stderr());
    }

    @Test
    void sigtermIsPassedToTheChild() throws Exception {
        assertSignalPassedThrough("TERM", 7);
    }

    @Test
    void sigintIsPassedToTheChild() throws Exception {
        assertSignalPassedThrough("INT", 8);
    }

    /** The child traps the signal and exits with {@code status}; we signal the clusterdns process only. */
    private static void assertSignalPassedThrough(String signal, int status) throws Exception {
        Path out = Files.createTempFile("clusterdns-exec", ".out");
        List<String> cmd = new ArrayList<>(ServeProcess.command());
        cmd.addAll(List.of("env", "exec", "--manifests", EnvFixtures.manifests().toString(), "-n", "shop", "--",
                "sh", "-c", "trap 'echo got-" + signal + "; exit " + status + "' " + signal
                        + "; echo ready $WEB_SERVICE_HOST $$; while :; do sleep 0.1; done"));
        // Output to a file, not a pipe: a child orphaned by a failing run must not block the test.
        Process p = new ProcessBuilder(cmd).directory(ServeProcess.root().toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        long childPid = -1;
        try {
            String ready = awaitLine(out, p, "ready ");
            String[] fields = ready.split(" ");
            assertEquals("127.96.5.10", fields[1], "the child sees the service variables");
            childPid = Long.parseLong(fields[2]);
            Process kill = new ProcessBuilder("kill", "-s", signal, Long.toString(p.pid())).start();
            assertTrue(kill.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, kill.exitValue());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "clusterdns env exec did not exit after SIG" + signal);
            assertTrue(Files.readString(out).contains("got-" + signal + "\n"), Files.readString(out));
            assertEquals(status, p.exitValue(), Files.readString(out));
        } finally {
            p.destroyForcibly();
            if (childPid > 0) {
                ProcessHandle.of(childPid).ifPresent(ProcessHandle::destroyForcibly);
            }
            Files.deleteIfExists(out);
        }
    }

    private static String awaitLine(Path file, Process p, String prefix) throws Exception {
        for (int i = 0; i < 600; i++) {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
            if (!p.isAlive()) {
                break;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no line starting with '" + prefix + "':\n" + Files.readString(file));
    }
}
