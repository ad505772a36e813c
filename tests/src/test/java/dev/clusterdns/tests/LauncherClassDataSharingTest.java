package dev.clusterdns.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The `./clusterdns` launcher's class data sharing archive: kept only from a `serve` that reached
 * /ready, never from one that stopped at once, and mapped by the next start. Runs a copy of the
 * launcher next to a copy of the built jar, so the archive it writes is the test's own.
 */
class LauncherClassDataSharingTest {

    @TempDir
    Path home;

    @Test
    void keepsOnlyTheArchiveOfAServeThatReachedReady() throws Exception {
        Path target = Files.createDirectories(home.resolve("cli/target"));
        Files.copy(ServeProcess.jar(), target.resolve("clusterdns.jar"));
        Path launcher = home.resolve("clusterdns");
        Files.copy(ServeProcess.root().resolve("clusterdns"), launcher, StandardCopyOption.COPY_ATTRIBUTES);
        Path archive = target.resolve("clusterdns.jsa");

        // A serve that fails at once (an unknown flag) still writes an archive as the JVM exits...
        CommandResult failed = run(launcher, Map.of(), "serve", "--no-such-flag");
        assertEquals(2, failed.exitCode(), failed.stderr());
        assertEquals(1, archivesBeingWritten(target).size(), "the JVM dumps at exit: " + listing(target));
        // ... which the next start throws away instead of mapping it from then on.
        CommandResult version = run(launcher, Map.of(), "version");
        assertEquals(0, version.exitCode(), version.stderr());
        assertFalse(Files.exists(archive), listing(target));
        assertTrue(archivesBeingWritten(target).isEmpty(), listing(target));

        Path manifests = Files.createDirectories(home.resolve("manifests"));
        Files.writeString(manifests.resolve("web.yaml"), """
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: default}
                spec: {clusterIP: 10.96.0.10, ports: [{port: 80}]}
                """);
        try (ServeProcess serve = ServeProcess.launch(List.of(launcher.toString()),
                List.of("--manifests", manifests.toString(), "--no-proxy", "--service-cidr", "10.96.0.0/12"),
                Files.createDirectories(home.resolve("state")))) {
            serve.awaitReady(Duration.ofSeconds(60));
            int code = serve.stop();
            assertTrue(code == 0 || code == 143, "exit code " + code + "\n" + serve.output());
        }
        version = run(launcher, Map.of("CLUSTERDNS_JAVA_OPTS", "-Xlog:class+load=info"), "version");
        assertEquals(0, version.exitCode(), version.stderr());
        assertTrue(Files.exists(archive), listing(target));
        assertTrue(archivesBeingWritten(target).isEmpty(), listing(target));
        // The JVM names where each class came from: the dynamic archive is the "top" layer.
        assertTrue(version.stdout().contains("source: shared objects file (top)"),
                "classes not mapped from " + archive + ":\n" + version.stdout().lines().limit(20).toList());
    }

    /** The archives a run writes and a later start checks ({@code clusterdns.jsa.PID.tmp}) and their ready markers. */
    private static List<Path> archivesBeingWritten(Path target) throws IOException {
        try (Stream<Path> s = Files.list(target)) {
            return s.filter(p -> p.getFileName().toString().matches("clusterdns\\.jsa\\.\\d+\\.(tmp|ready)")).toList();
        }
    }

    private static String listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList().toString();
        }
    }

    private CommandResult run(Path launcher, Map<String, String> env, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Stream.concat(Stream.of(launcher.toString()), Stream.of(args)).toList())
                .directory(home.toFile());
        pb.environment().remove("CLUSTERDNS_CDS");
        pb.environment().remove("CLUSTERDNS_JAVA_OPTS");
        pb.environment().putAll(env);
        Path out = Files.createTempFile(home, "out", ".txt");
        Path err = Files.createTempFile(home, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out: " + pb.command());
        }
        return new CommandResult(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
