package dev.clusterdns.dns.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Name;

/**
 * A FIFO (or any file that is not a regular file) as a zone file or behind `$INCLUDE` is refused by
 * name before it is opened: opening a FIFO blocks until a writer comes, which would stall this and
 * every later reload.
 */
class ZoneFileNonRegularTest {
    /**
     * Before the fix a scan that meets a FIFO never returns; this bound only turns that hang into
     * a failure, it is not a speed limit.
     */
    private static final Duration HANG_GUARD = Duration.ofSeconds(60);
    private static final String HEAD = "$ORIGIN f.\n$TTL 60\n@ SOA ns h %d 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n";

    @TempDir
    Path dir;
    Path zones;

    @BeforeEach
    void layout() throws IOException {
        zones = Files.createDirectory(dir.resolve("zones"));
    }

    @Test
    void anIncludedFifoIsRefusedTheScanFinishesAndTheLastGoodZoneServes() throws Exception {
        Path fifo = mkfifo(zones.resolve("more.pipe"));
        Path f = zones.resolve("f.zone");
        Files.writeString(f, HEAD.formatted(1));
        try (ZoneDirectory directory = new ZoneDirectory(zones)) {
            assertEquals(1, directory.scan().zone(Name.fromConstantString("f.")).serial());
            Files.writeString(f, HEAD.formatted(2) + "$INCLUDE more.pipe\n");
            f.toFile().setLastModified(System.currentTimeMillis() + 5000);

            ZoneSet after = scanOrUnblock(directory, fifo);

            assertEquals(1, after.zone(Name.fromConstantString("f.")).serial(), "the last good zone still serves");
            String problem = only(directory.problems(), f.toString());
            assertTrue(problem.contains("line 6: $INCLUDE " + fifo + ": not a regular file (a FIFO (named pipe))"), problem);
        }
    }

    @Test
    void aFifoInTheZoneDirectoryIsReportedAndTheOtherZonesLoad() throws Exception {
        Path fifo = mkfifo(zones.resolve("pipe.zone"));
        Files.writeString(zones.resolve("f.zone"), HEAD.formatted(1));
        try (ZoneDirectory directory = new ZoneDirectory(zones)) {
            ZoneSet loaded = scanOrUnblock(directory, fifo);
            assertNotNull(loaded.zone(Name.fromConstantString("f.")));
            String problem = only(directory.problems(), fifo.toString());
            assertTrue(problem.contains(fifo + ": not a regular file (a FIFO (named pipe))"), problem);
        }
    }

    @Test
    void anIncludeCycleIsRefusedByDepth() throws Exception {
        Path f = zones.resolve("f.zone");
        Files.writeString(f, HEAD.formatted(1) + "$INCLUDE ../loop.inc\n");
        Files.writeString(dir.resolve("loop.inc"), "$INCLUDE loop.inc\n");
        try (ZoneDirectory directory = new ZoneDirectory(zones)) {
            directory.scan();
            String problem = only(directory.problems(), f.toString());
            assertTrue(problem.contains("nested deeper than " + IncludedFiles.MAX_DEPTH), problem);
        }
    }

    /**
     * Scans on another thread. If the scan is still blocked after {@link #HANG_GUARD} (opening the
     * FIFO waits for a writer), a writer comes so that it returns, and the test fails instead of
     * hanging in {@link ZoneDirectory#close()}.
     */
    private static ZoneSet scanOrUnblock(ZoneDirectory directory, Path fifo) throws Exception {
        ExecutorService scanner = Executors.newSingleThreadExecutor();
        try {
            Future<ZoneSet> scan = scanner.submit(directory::scan);
            try {
                return scan.get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                new FileOutputStream(fifo.toFile()).close(); // the blocked open has its writer now
                throw new AssertionError("the zone file scan blocked on the FIFO " + fifo);
            }
        } finally {
            scanner.shutdownNow();
        }
    }

    private static String only(List<String> problems, String naming) {
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith(naming + ": "), problems.toString());
        return problems.get(0);
    }

    private static Path mkfifo(Path at) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder("mkfifo", at.toString()).inheritIO().start();
        } catch (IOException e) {
            Assumptions.abort("needs mkfifo: " + e.getMessage());
            throw e;
        }
        assertEquals(0, p.waitFor(), "mkfifo " + at);
        return at;
    }
}
