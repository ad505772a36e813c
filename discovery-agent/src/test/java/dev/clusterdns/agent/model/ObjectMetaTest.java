package dev.clusterdns.agent.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ObjectMeta holds its rarely set fields in one shared part, yet reads, compares and serialises as the record did. */
class ObjectMetaTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectMeta full() {
        return new ObjectMeta("web-1", "web-", "shop", "u1", "42", Map.of("app", "web"), Map.of("note", "x"),
                "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z",
                List.of(new OwnerReference("apps/v1", "ReplicaSet", "web", "u0", true, true)));
    }

    @Test
    void everyFieldReadsBackAndTakesPartInEquality() throws Exception {
        ObjectMeta m = full();
        assertEquals("web-1", m.name());
        assertEquals("web-", m.generateName());
        assertEquals("shop", m.namespace());
        assertEquals("u1", m.uid());
        assertEquals("42", m.resourceVersion());
        assertEquals(Map.of("app", "web"), m.labels());
        assertEquals(Map.of("note", "x"), m.annotations());
        assertEquals("2026-01-01T00:00:00Z", m.creationTimestamp());
        assertEquals("2026-01-02T00:00:00Z", m.deletionTimestamp());
        assertEquals("web", m.controller().name());
        assertEquals(m, full());
        assertEquals(m.hashCode(), full().hashCode());
        assertNotEquals(m, m.withLabels(Map.of("app", "api")));
        assertNotEquals(m, m.withAnnotations(Map.of()));
        assertNotEquals(m, m.withOwnerReferences(List.of()));
        assertNotEquals(m, m.withUid("u2"));
        assertNotEquals(m, m.withNamespace("other"));
        assertNotEquals(m, m.withCreationTimestamp("2026-01-03T00:00:00Z"));
        String json = JSON.writeValueAsString(m);
        assertEquals("{\"name\":\"web-1\",\"generateName\":\"web-\",\"namespace\":\"shop\",\"uid\":\"u1\",\"resourceVersion\":\"42\","
                + "\"labels\":{\"app\":\"web\"},\"annotations\":{\"note\":\"x\"},\"creationTimestamp\":\"2026-01-01T00:00:00Z\","
                + "\"deletionTimestamp\":\"2026-01-02T00:00:00Z\",\"ownerReferences\":[" + JSON.writeValueAsString(m.ownerReferences().get(0))
                + "]}", json);
        assertEquals(m, JSON.readValue(json, ObjectMeta.class));
    }

    @Test
    void whatMostObjectsLeaveEmptyIsNotHeldAndReadsEmpty() throws Exception {
        ObjectMeta plain = ObjectMeta.of("shop", "web");
        assertNull(plain.rest());
        assertNull(plain.generateName());
        assertEquals(Map.of(), plain.annotations());
        assertEquals(List.of(), plain.ownerReferences());
        assertNull(plain.deletionTimestamp());
        assertEquals("{\"name\":\"web\",\"namespace\":\"shop\"}", JSON.writeValueAsString(plain));
        // an explicitly empty part is the same as none
        assertEquals(plain, new ObjectMeta("web", null, "shop", null, null, null, Map.of(), null, null, List.of()));
    }

    @Test
    void thePodsOfAWorkloadShareOnePart() {
        SharedValues shared = new SharedValues();
        Pod a = shared.pod(new Pod("v1", "Pod", new ObjectMeta("web-a", "web-", "shop", null, null, Map.of("app", "web"), null, null, null,
                List.of(new OwnerReference("apps/v1", "ReplicaSet", "web", "u0", true, true))), null, null));
        Pod b = shared.pod(new Pod("v1", "Pod", new ObjectMeta("web-b", "web-", "shop", null, null, Map.of("app", "web"), null, null, null,
                List.of(new OwnerReference("apps/v1", "ReplicaSet", "web", "u0", true, true))), null, null));
        assertSame(a.metadata().rest(), b.metadata().rest());
        assertEquals("web-b", b.metadata().name());
        assertEquals("web-", b.metadata().generateName());
    }
}
