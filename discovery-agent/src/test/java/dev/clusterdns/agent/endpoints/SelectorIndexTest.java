package dev.clusterdns.agent.endpoints;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.Service;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The index finds exactly the Services a pod's labels satisfy, as trying every Service would. */
class SelectorIndexTest {
    private static final String[] KEYS = {"app", "tier", "track"};
    private static final String[] VALUES = {"web", "db", "", "canary"};

    @Test
    void selectsWhatTryingEveryServiceSelects() {
        Random random = new Random(5);
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            yaml.append("---\napiVersion: v1\nkind: Service\nmetadata: {name: s").append(i).append(", namespace: ")
                    .append(random.nextInt(8) == 0 ? "other" : "default").append("}\nspec:\n  ports: [{port: 80}]\n");
            int entries = random.nextInt(4); // 0: an empty selector; some Services have none at all
            if (random.nextInt(10) > 0) {
                yaml.append("  selector: {");
                for (int e = 0; e < entries; e++) {
                    yaml.append(e == 0 ? "" : ", ").append(KEYS[e]).append(": '").append(VALUES[random.nextInt(VALUES.length)]).append("'");
                }
                yaml.append("}\n");
            }
        }
        for (int i = 0; i < 200; i++) {
            yaml.append("---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p").append(i).append("\n  labels: {");
            int n = 0;
            for (String k : KEYS) {
                if (random.nextBoolean()) {
                    yaml.append(n++ == 0 ? "" : ", ").append(k).append(": '").append(VALUES[random.nextInt(VALUES.length)]).append("'");
                }
            }
            yaml.append("}\nspec: {containers: [{name: c, image: i}]}\n");
        }
        Manifests m = Manifests.parse(yaml.toString());
        SelectorIndex index = SelectorIndex.of(m.services());
        int selected = 0;
        for (Pod p : m.pods()) {
            Set<String> brute = new TreeSet<>();
            for (Service s : m.services()) {
                if (EndpointsController.mayInclude(s, p)) {
                    brute.add(s.name());
                }
            }
            Set<String> indexed = new TreeSet<>();
            index.selecting(p).forEach(s -> indexed.add(s.name()));
            assertEquals(brute, indexed, p.name());
            selected += brute.size();
        }
        assertEquals(true, selected > 100, "the data selects something: " + selected);
    }
}
