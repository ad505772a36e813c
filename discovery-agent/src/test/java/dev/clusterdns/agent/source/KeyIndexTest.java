package dev.clusterdns.agent.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KeyIndexTest {

    /** Keys held at (file, position) of a few growing lists, as the tree's files hold them. */
    private final List<List<ObjectKey>> files = new ArrayList<>();

    private long place(ObjectKey k, Random random) {
        int file = random.nextInt(5);
        while (files.size() <= file) {
            files.add(new ArrayList<>());
        }
        files.get(file).add(k);
        return KeyIndex.pack(file, files.get(file).size() - 1);
    }

    @Test
    void longRandomSequencesMatchAHashMap() {
        Random random = new Random(11);
        KeyIndex index = new KeyIndex((file, position) -> files.get(file).get(position));
        Map<ObjectKey, Long> oracle = new HashMap<>();
        for (int step = 0; step < 200_000; step++) {
            // Few distinct names, so that runs form, grow, and are cut by removals.
            ObjectKey k = new ObjectKey(step % 3 == 0 ? "Pod" : "Service", "ns" + random.nextInt(4), "n" + random.nextInt(3_000));
            if (random.nextInt(3) == 0) {
                assertEquals(oracle.remove(k) != null, index.remove(k), "remove " + k);
            } else {
                long at = place(k, random);
                index.put(k, KeyIndex.file(at), KeyIndex.position(at));
                oracle.put(k, at);
            }
            assertEquals(oracle.getOrDefault(k, KeyIndex.ABSENT), index.get(k), "get " + k);
            assertEquals(oracle.size(), index.size());
            if (step % 20_000 == 0) {
                oracle.forEach((key, at) -> assertEquals(at, index.get(key), "every key " + key));
            }
        }
        oracle.forEach((key, at) -> assertEquals(at, index.get(key)));
        for (ObjectKey key : new ArrayList<>(oracle.keySet())) {
            assertEquals(true, index.remove(key));
        }
        assertEquals(0, index.size());
    }

    @Test
    void keysOfEqualHashAreStillTold() {
        // "Aa" and "BB" hash alike, so every name made of them does: 64 keys, one hash.
        List<ObjectKey> keys = new ArrayList<>();
        for (int bits = 0; bits < 64; bits++) {
            StringBuilder name = new StringBuilder();
            for (int b = 0; b < 6; b++) {
                name.append((bits >> b & 1) == 0 ? "Aa" : "BB");
            }
            keys.add(new ObjectKey("Service", "ns", name.toString()));
        }
        assertEquals(1, keys.stream().mapToInt(ObjectKey::hashCode).distinct().count());
        files.add(new ArrayList<>(keys));
        KeyIndex index = new KeyIndex((file, position) -> files.get(file).get(position));
        for (int i = 0; i < keys.size(); i++) {
            index.put(keys.get(i), 0, i);
        }
        for (int i = 0; i < keys.size(); i++) {
            assertEquals(KeyIndex.pack(0, i), index.get(keys.get(i)), keys.get(i).name());
        }
        for (int i = 0; i < keys.size(); i += 2) {
            assertEquals(true, index.remove(keys.get(i)));
        }
        for (int i = 0; i < keys.size(); i++) {
            assertEquals(i % 2 == 0 ? KeyIndex.ABSENT : KeyIndex.pack(0, i), index.get(keys.get(i)), keys.get(i).name());
        }
        assertEquals(32, index.size());
    }

    @Test
    void packsFileAndPosition() {
        long p = KeyIndex.pack(70_000, 1_234_567);
        assertEquals(70_000, KeyIndex.file(p));
        assertEquals(1_234_567, KeyIndex.position(p));
        assertEquals(0, KeyIndex.position(KeyIndex.pack(3, 0)));
    }
}
