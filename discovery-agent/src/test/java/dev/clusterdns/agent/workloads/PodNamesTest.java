package dev.clusterdns.agent.workloads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.model.Workload;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PodNamesTest {

    private static Workload.PodTemplate template(String yamlImage) {
        Workload d = Fixtures.workloads(Fixtures.read(Fixtures.deployment("web", 1, "app", "web")
                .replace("image: nginx", "image: " + yamlImage))).get(0);
        return d.spec().template();
    }

    @Test
    void safeEncodingMapsDecimalDigitsOntoTheSafeAlphabetAsKubernetesDoes() {
        // '0' is byte 48, 48 mod 27 = 21 → '4'; '6' is 54 → 0 → 'b'; '9' is 57 → 3 → 'f'.
        assertEquals("4", PodNames.safeEncode("0"));
        assertEquals("b", PodNames.safeEncode("6"));
        assertEquals("f", PodNames.safeEncode("9"));
        assertEquals("456789bcdf", PodNames.safeEncode("0123456789"));
    }

    @Test
    void fnv1aMatchesTheReferenceVectors() {
        assertEquals(0x811c9dc5, PodNames.fnv1a32(new byte[0]));
        assertEquals(0xe40c292c, PodNames.fnv1a32("a".getBytes()));
        assertEquals(0xbf9cf968, PodNames.fnv1a32("foobar".getBytes()));
    }

    @Test
    void templateHashIsStableUsesTheSafeAlphabetAndFollowsTheTemplate() {
        String h = PodNames.templateHash(template("nginx"));
        assertEquals(h, PodNames.templateHash(template("nginx")));
        assertTrue(h.matches("[" + PodNames.SAFE_ALPHABET + "]{1,10}"), h);
        assertNotEquals(h, PodNames.templateHash(template("nginx:1.25")));
    }

    @Test
    void replicaSetPodNamesAreGenerateNamePlusFiveSafeCharactersStablePerIndex() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            String n = PodNames.replicaSetPod("web-5d8f7c9b4", i, 0);
            assertTrue(n.matches("web-5d8f7c9b4-[" + PodNames.SAFE_ALPHABET + "]{5}"), n);
            assertEquals(n, PodNames.replicaSetPod("web-5d8f7c9b4", i, 0));
            seen.add(n);
        }
        assertEquals(200, seen.size(), "indexes collide");
        assertNotEquals(PodNames.replicaSetPod("web", 0, 0), PodNames.replicaSetPod("web", 0, 1));
        assertNotEquals(PodNames.replicaSetPod("web", 0, 0), PodNames.replicaSetPod("api", 0, 0));
    }

    @Test
    void longBasesAreCutTo58CharactersAsTheNameGeneratorDoes() {
        String base = "a".repeat(70);
        String n = PodNames.replicaSetPod(base, 0, 0);
        assertEquals(63, n.length());
        assertTrue(n.startsWith("a".repeat(58)));
        assertEquals("web-", PodNames.generateName("web"));
    }

    @Test
    void ordinalsAreParsedOnlyFromStatefulSetPodNames() {
        assertEquals(0, PodNames.ordinalOf("web", "web-0"));
        assertEquals(12, PodNames.ordinalOf("web", "web-12"));
        assertEquals(-1, PodNames.ordinalOf("web", "web-"));
        assertEquals(-1, PodNames.ordinalOf("web", "web-01"));
        assertEquals(-1, PodNames.ordinalOf("web", "web-a"));
        assertEquals(-1, PodNames.ordinalOf("web", "webx-1"));
        assertEquals(-1, PodNames.ordinalOf("web", "web-api-1"));
        assertEquals("web-3", PodNames.statefulSetPod("web", 3));
    }
}
