package dev.clusterdns.agent.allocation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.allocation.AllocationState.Holder;
import dev.clusterdns.agent.allocation.AllocationState.NodePort;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Allocation state written as a file plus journal lines reads back exactly as saved: across
 * rewrites, restarts, a line cut short by a crash, and a damaged current file.
 */
class StateJournalTest {
    @TempDir
    Path dir;

    private static AllocationState withService(AllocationState s, String key, int n) {
        Map<String, Holder> services = new HashMap<>(s.services());
        services.put(key, new Holder(s.nextSequence(), "2026-12-07T00:00:00Z", List.of("10." + (n / 62500 % 250) + "." + (n / 250 % 250) + "." + (1 + n % 250)),
                n < 2700 ? List.of(new NodePort("TCP", 80, 30000 + n)) : List.of(), null, null));
        return new AllocationState(AllocationState.VERSION, s.nextSequence() + 1, services);
    }

    private static AllocationState without(AllocationState s, String key) {
        Map<String, Holder> services = new HashMap<>(s.services());
        services.remove(key);
        return new AllocationState(AllocationState.VERSION, s.nextSequence(), services);
    }

    @Test
    void everySavedStateReadsBackAcrossRewritesAndRestarts() throws Exception {
        Random random = new Random(3);
        StateFile file = new StateFile(dir);
        AllocationState state = file.load();
        int rewrites = 0;
        int unique = 3000; // every holding distinct: loading resolves conflicting claims, which is not under test here
        for (int step = 0; step < 600; step++) {
            String key = "ns" + random.nextInt(5) + "/svc-" + random.nextInt(400);
            state = random.nextInt(4) == 0 ? without(state, key) : withService(state, key, unique++);
            long before = Files.exists(dir.resolve("allocations.json")) ? Files.getLastModifiedTime(dir.resolve("allocations.json")).toMillis() : -1;
            byte[] snapshot = Files.exists(dir.resolve("allocations.json")) ? Files.readAllBytes(dir.resolve("allocations.json")) : null;
            file.save(state, List.of(key));
            if (snapshot == null || !java.util.Arrays.equals(snapshot, Files.readAllBytes(dir.resolve("allocations.json")))) {
                rewrites++;
            }
            if (step % 25 == 0) {
                file = new StateFile(dir); // a restart
                assertEquals(state, file.load(), "step " + step);
            }
        }
        assertEquals(state, new StateFile(dir).load());
        assertTrue(rewrites > 2 && rewrites < 120, "rewritten now and then, not on every change: " + rewrites);
    }

    @Test
    void servicesFirstSeenTogetherShareOneStampTextWhenRead() throws Exception {
        StateFile file = new StateFile(dir);
        AllocationState a = withService(file.load(), "default/a", 1);
        file.save(a, List.of("default/a")); // the file
        AllocationState b = withService(a, "default/b", 2);
        file.save(b, List.of("default/b")); // a journal line
        AllocationState read = new StateFile(dir).load();
        assertEquals(b, read);
        assertSame(read.services().get("default/a").firstSeen(), read.services().get("default/b").firstSeen());
    }

    @Test
    void aLineCutShortByACrashIsIgnored() throws Exception {
        StateFile file = new StateFile(dir);
        AllocationState a = withService(file.load(), "default/a", 1);
        file.save(a, List.of("default/a")); // the first save after start-up writes the file
        AllocationState b = withService(a, "default/b", 2);
        file.save(b, List.of("default/b")); // a journal line
        Files.writeString(dir.resolve(StateJournal.FILE_NAME), "{\"nextSequence\": 9, \"set\": {\"default/c\"",
                StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        assertEquals(b, new StateFile(dir).load());
    }

    @Test
    void aDamagedCurrentFileIsRebuiltFromThePreviousOneAndBothJournals() throws Exception {
        StateFile file = new StateFile(dir);
        AllocationState s = file.load();
        for (int i = 0; i < 5; i++) {
            s = withService(s, "default/s" + i, i);
            file.save(s, List.of("default/s" + i));
        }
        file = new StateFile(dir);
        assertEquals(s, file.load());
        s = withService(s, "default/after-restart", 50);
        file.save(s, List.of("default/after-restart")); // rewrites: the old file and its journal are kept back
        s = withService(s, "default/journalled", 51);
        file.save(s, List.of("default/journalled"));
        Files.writeString(dir.resolve("allocations.json"), "{\"version\": 1, \"servi");
        assertEquals(s, new StateFile(dir).load(), "nothing lost: previous file + kept-back journal + journal");
    }

    @Test
    void aJournalOfAnotherFileIsNotApplied() throws Exception {
        StateFile file = new StateFile(dir);
        AllocationState a = withService(file.load(), "default/a", 1);
        file.save(a, List.of("default/a"));
        file.save(withService(a, "default/b", 2), List.of("default/b"));
        // Someone restores an older file by hand: the journal was written for another one.
        AllocationState older = withService(AllocationState.empty(), "default/old", 7);
        Files.writeString(dir.resolve("allocations.json"), new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(older));
        assertEquals(older, new StateFile(dir).load());
    }
    @Test
    void theFirstFileIsKeptBackTooSoItsJournalSurvivesDamageToIt() throws Exception {
        StateFile file = new StateFile(dir);
        AllocationState s = file.load();
        for (int i = 0; i < 4; i++) {
            s = withService(s, "default/s" + i, i);
            file.save(s, List.of("default/s" + i)); // one file, then journal lines: no rewrite has made a previous generation yet
        }
        Files.write(dir.resolve("allocations.json"), new byte[0]);
        assertEquals(s, new StateFile(dir).load(), "the kept-back copy plus the journal");
    }

    @Test
    void aLineHoldsExactlyTheNamedServicesThatChanged() throws Exception {
        StateFile file = new StateFile(dir);
        AllocationState s = withService(withService(file.load(), "default/a", 1), "default/b", 2);
        file.save(s, List.of("default/a", "default/b"));
        Path journal = dir.resolve(StateJournal.FILE_NAME);
        s = withService(s, "default/b", 3);
        file.save(s, List.of("default/a", "default/b")); // a is named but unchanged
        assertEquals("{\"nextSequence\":4,\"set\":{\"default/b\":{\"sequence\":3,\"firstSeen\":\"2026-12-07T00:00:00Z\","
                + "\"clusterIPs\":[\"10.0.0.4\"],\"nodePorts\":[{\"protocol\":\"TCP\",\"port\":80,\"nodePort\":30003}]}}}",
                lastLine(journal));
        s = without(s, "default/a");
        file.save(s, List.of("default/a"));
        assertEquals("{\"nextSequence\":4,\"drop\":[\"default/a\"]}", lastLine(journal));
        long size = Files.size(journal);
        file.save(s, List.of("default/a", "default/b"));
        assertEquals(size, Files.size(journal), "nothing changed: nothing written");
        assertEquals(s, new StateFile(dir).load());
    }

    private static String lastLine(Path p) throws Exception {
        List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
        return lines.get(lines.size() - 1);
    }

    @Test
    void whatAFailedSaveChangedIsLoggedByTheNextOne() throws Exception {
        java.io.PrintStream savedErr = System.err;
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            StateFile file = new StateFile(dir);
            AllocationState s = withService(file.load(), "default/a", 1);
            file.save(s, List.of("default/a"));
            Path journal = dir.resolve(StateJournal.FILE_NAME);
            Files.delete(journal);
            Files.createDirectory(journal); // the next line cannot be written
            AllocationState moved = withService(s, "default/a", 7);
            AllocationState failed = moved;
            assertThrows(java.io.IOException.class, () -> file.save(failed, List.of("default/a")));
            Files.delete(journal);
            moved = withService(moved, "default/b", 8);
            file.save(moved, List.of("default/b")); // names only b: a's move is still owed
            String text = log.toString(StandardCharsets.UTF_8);
            assertTrue(text.contains("allocation moved: default/a: ClusterIP 10.0.0.2 -> 10.0.0.8"), text);
            assertEquals(moved, new StateFile(dir).load());
        } finally {
            System.setErr(savedErr);
        }
    }
}
