package dev.clusterdns.agent.allocation;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
            file.save(state);
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
    void aLineCutShortByACrashIsIgnored() throws Exception {
        StateFile file = new StateFile(dir);
        AllocationState a = withService(file.load(), "default/a", 1);
        file.save(a); // the first save after start-up writes the file
        AllocationState b = withService(a, "default/b", 2);
        file.save(b); // a journal line
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
            file.save(s);
        }
        file = new StateFile(dir);
        assertEquals(s, file.load());
        s = withService(s, "default/after-restart", 50);
        file.save(s); // rewrites: the old file and its journal are kept back
        s = withService(s, "default/journalled", 51);
        file.save(s);
        Files.writeString(dir.resolve("allocations.json"), "{\"version\": 1, \"servi");
        assertEquals(s, new StateFile(dir).load(), "nothing lost: previous file + kept-back journal + journal");
    }

    @Test
    void aJournalOfAnotherFileIsNotApplied() throws Exception {
        StateFile file = new StateFile(dir);
        AllocationState a = withService(file.load(), "default/a", 1);
        file.save(a);
        file.save(withService(a, "default/b", 2));
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
            file.save(s); // one file, then journal lines: no rewrite has made a previous generation yet
        }
        Files.write(dir.resolve("allocations.json"), new byte[0]);
        assertEquals(s, new StateFile(dir).load(), "the kept-back copy plus the journal");
    }
}
