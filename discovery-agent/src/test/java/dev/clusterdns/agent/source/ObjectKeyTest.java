package dev.clusterdns.agent.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ObjectKeyTest {

    @Test
    void keysOfALargeClusterHaveDistinctHashCodes() {
        // Named as bench/scale_data.py names them: 100 namespaces of 100 Services and 1,500 Pods.
        Set<Integer> hashes = new HashSet<>();
        int keys = 0;
        for (int y = 0; y < 100; y++) {
            String ns = "ns-%03d".formatted(y);
            for (int k = 0; k < 100; k++) {
                hashes.add(new ObjectKey("Service", ns, "svc-" + k).hashCode());
                keys++;
                for (int p = 0; p < 15; p++) {
                    hashes.add(new ObjectKey("Pod", ns, "svc-" + k + "-" + p).hashCode());
                    keys++;
                }
            }
        }
        assertTrue(hashes.size() > keys * 0.999, hashes.size() + " distinct hash codes for " + keys + " keys");
    }

    @Test
    void equalKeysHaveEqualHashCodes() {
        ObjectKey a = new ObjectKey("Pod", "ns", "web-0");
        ObjectKey b = new ObjectKey(new String("Pod"), new String("ns"), new String("web-0"));
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, new ObjectKey("Pod", "ns", "web-1"));
    }
}
