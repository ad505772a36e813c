package dev.clusterdns.agent.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class UidsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String nameBased(String key) {
        return UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static Pod pod(String uid) {
        return new Pod("v1", "Pod", new ObjectMeta("web-0", null, "shop", uid, null, null, null, null, null), null, null);
    }

    @Test
    void anAssignedPodUidIsHeldAsTheMarkerAndReadAsTheNameBasedUuid() throws Exception {
        Pod p = pod(null);
        Pod stamped = new Pod(p.apiVersion(), p.kind(), Uids.assign(p), p.spec(), p.status());

        assertSame(Uids.DERIVED_POD, stamped.metadata().heldUid());
        assertEquals(nameBased("Pod/shop/web-0"), stamped.metadata().uid());
        assertEquals(nameBased("Pod/shop/web-0"), JSON.readTree(JSON.writeValueAsString(stamped)).at("/metadata/uid").asText());
        // copies keep the marker, and a reference to the Pod reports the same uid
        assertSame(Uids.DERIVED_POD, stamped.metadata().withLabels(java.util.Map.of("a", "b")).heldUid());
        ObjectReference ref = ObjectReference.to(stamped, "shop");
        assertEquals(stamped.metadata().uid(), ref.uid());
        assertEquals(nameBased("Pod/shop/web-0"), JSON.readTree(JSON.writeValueAsString(ref)).get("uid").asText());
    }

    @Test
    void aReferenceFromAnotherNamespaceHoldsTheComputedUid() {
        Pod p = pod(null);
        Pod stamped = new Pod(p.apiVersion(), p.kind(), Uids.assign(p), p.spec(), p.status());
        ObjectReference ref = ObjectReference.to(stamped, "elsewhere");
        assertEquals(nameBased("Pod/shop/web-0"), ref.uid());
    }

    @Test
    void givenUidsAndOtherKindsAreHeldAsStrings() throws Exception {
        Pod given = pod("0d4c1a6e-0000-4000-8000-000000000001");
        assertSame(given.metadata(), Uids.assign(given));
        assertEquals("0d4c1a6e-0000-4000-8000-000000000001", ObjectReference.to(given, "shop").uid());

        Service s = JSON.readValue("{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"web\",\"namespace\":\"shop\"}}", Service.class);
        ObjectMeta meta = Uids.assign(s);
        assertEquals(nameBased("Service/shop/web"), meta.heldUid());

        // the marker's text read from a manifest is an ordinary uid
        Pod lookalike = JSON.readValue("{\"metadata\":{\"name\":\"web-0\",\"namespace\":\"shop\",\"uid\":\""
                + Uids.DERIVED_POD + "\"}}", Pod.class);
        assertNotSame(Uids.DERIVED_POD, lookalike.metadata().heldUid());
        assertEquals(Uids.DERIVED_POD, lookalike.metadata().uid());
    }
}
