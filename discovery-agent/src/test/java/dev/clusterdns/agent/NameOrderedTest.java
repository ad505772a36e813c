package dev.clusterdns.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.clusterdns.agent.model.ConfigMap;
import dev.clusterdns.agent.model.ObjectMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class NameOrderedTest {

    private static ConfigMap object(String name, int version) {
        return new ConfigMap("v1", "ConfigMap", ObjectMeta.of("ns", name), Map.of("v", Integer.toString(version)), null);
    }

    @Test
    void longRandomSequencesMatchATreeMap() {
        Random random = new Random(7);
        for (int round = 0; round < 50; round++) {
            NameOrdered<ConfigMap> held = new NameOrdered<>();
            TreeMap<String, ConfigMap> oracle = new TreeMap<>();
            int names = 1 + random.nextInt(60);
            for (int step = 0; step < 400; step++) {
                String name = "n" + random.nextInt(names);
                switch (random.nextInt(4)) {
                    case 0, 1 -> {
                        ConfigMap v = object(name, step);
                        assertEquals(oracle.put(name, v), held.put(v), "put " + name);
                    }
                    case 2 -> assertEquals(oracle.remove(name), held.remove(name), "remove " + name);
                    default -> {
                        // Reading in order folds the changes in; the next changes start a new batch.
                        assertEquals(new ArrayList<>(oracle.values()), held.values());
                    }
                }
                assertEquals(oracle.get(name), held.get(name));
                assertEquals(oracle.size(), held.size());
                assertEquals(oracle.isEmpty(), held.isEmpty());
            }
            assertEquals(new ArrayList<>(oracle.values()), held.values());
            for (String name : oracle.keySet()) {
                assertEquals(oracle.get(name), held.get(name));
            }
        }
    }

    @Test
    void aViewTakenEarlierDoesNotChange() {
        NameOrdered<ConfigMap> held = new NameOrdered<>();
        held.put(object("b", 1));
        held.put(object("a", 1));
        List<ConfigMap> before = held.values();
        held.remove("a");
        held.put(object("c", 1));
        assertEquals(List.of(object("a", 1), object("b", 1)), before);
        assertEquals(List.of(object("b", 1), object("c", 1)), held.values());
    }
}
