package dev.clusterdns.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two `./clusterdns` launches at once, with a source newer than the jar, build once: the second waits
 * for the first's build and then finds the jar fresh (two Maven builds in one tree broke each other).
 * Runs a copy of the launcher with a stand-in `mvn` first on the PATH that fails if another build is
 * running, takes a second, and puts the real jar in place.
 */
class LauncherBuildLockTest {
    @TempDir
    Path home;

    @Test
    void launchesStartedTogetherBuildOnceAndBothRun() throws Exception {
        Assumptions.assumeTrue(CommandResult.onPath("flock"), "needs flock (util-linux): skipped");
        Path target = Files.createDirectories(home.resolve("cli/target"));
        Path jar = target.resolve("clusterdns.jar");
        Files.copy(ServeProcess.jar(), jar);
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(60)));
        Path source = Files.createDirectories(home.resolve("cli/src/main/java")).resolve("Edited.java");
        Files.writeString(source, "class Edited {}\n");
        Path launcher = home.resolve("clusterdns");
        Files.copy(ServeProcess.root().resolve("clusterdns"), launcher, StandardCopyOption.COPY_ATTRIBUTES);

        Path bin = Files.createDirectories(home.resolve("bin"));
        Path mvn = bin.resolve("mvn");
        Files.writeString(mvn, """
                #!/bin/sh
                # A stand-in for Maven: refuses to run beside another build, as two real ones break each other.
                if ! mkdir "%1$s/building" 2>/dev/null; then echo "two builds at once" >&2; exit 1; fi
                sleep 1
                echo build >> "%1$s/builds"
                cp "%2$s" "%3$s"
                rmdir "%1$s/building"
                """.formatted(home, ServeProcess.jar(), jar), StandardCharsets.UTF_8);
        assertTrue(mvn.toFile().setExecutable(true));

        List<Process> launches = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "version").redirectErrorStream(true);
            pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
            pb.environment().put("CLUSTERDNS_CDS", "off");
            launches.add(pb.start());
        }
        for (Process p : launches) {
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "launch did not finish");
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("clusterdns "), out);
        }
        assertEquals(List.of("build"), Files.readAllLines(home.resolve("builds")), "one build for both launches");
    }
}
