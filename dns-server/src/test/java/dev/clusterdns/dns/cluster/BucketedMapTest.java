package dev.clusterdns.dns.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class BucketedMapTest {
    @Test
    void randomEditsMatchAHashMapAndLeaveEarlierVersionsAsTheyWere() {
        Random random = new Random(42);
        BucketedMap<String, Integer> map = BucketedMap.empty();
        Map<String, Integer> model = new HashMap<>();
        List<BucketedMap<String, Integer>> versions = new ArrayList<>();
        List<Map<String, Integer>> models = new ArrayList<>();
        for (int round = 0; round < 300; round++) {
            BucketedMap.Editor<String, Integer> editor = map.edit();
            int changes = random.nextInt(round < 20 ? 200 : 8);
            for (int i = 0; i < changes; i++) {
                String key = "ns-" + random.nextInt(20) + "/svc-" + random.nextInt(200);
                if (random.nextInt(4) == 0) {
                    editor.remove(key);
                    model.remove(key);
                } else {
                    int value = random.nextInt();
                    editor.put(key, value);
                    model.put(key, value);
                }
                assertEquals(model.get(key), editor.get(key));
            }
            BucketedMap<String, Integer> next = editor.build();
            if (changes == 0) {
                assertSame(map, next, "no change, no new version");
            }
            map = next;
            versions.add(map);
            models.add(Map.copyOf(model));
        }
        for (int v = 0; v < versions.size(); v++) {
            assertContents(models.get(v), versions.get(v));
        }
    }

    @Test
    void anEditorGoesOnFromWhatItBuilt() {
        BucketedMap.Editor<String, String> editor = BucketedMap.<String, String>empty().edit();
        editor.put("a", "1");
        BucketedMap<String, String> first = editor.build();
        editor.put("b", "2");
        editor.remove("a");
        BucketedMap<String, String> second = editor.build();
        assertContents(Map.of("a", "1"), first);
        assertContents(Map.of("b", "2"), second);
        assertEquals(0, BucketedMap.<String, String>empty().size());
    }

    private static <V> void assertContents(Map<String, V> expected, BucketedMap<String, V> actual) {
        assertEquals(expected.size(), actual.size());
        TreeSet<String> keys = new TreeSet<>();
        actual.forEachKey(keys::add);
        assertEquals(new TreeSet<>(expected.keySet()), keys);
        assertEquals(expected.size(), actual.values().size());
        for (Map.Entry<String, V> e : expected.entrySet()) {
            assertEquals(e.getValue(), actual.get(e.getKey()));
        }
        assertEquals(null, actual.get("absent/key"));
    }
}
