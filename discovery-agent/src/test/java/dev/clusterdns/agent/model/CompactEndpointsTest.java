package dev.clusterdns.agent.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The slice endpoint and the v1 address hold their parts compactly, yet read, compare and serialise as records did. */
class CompactEndpointsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Pod stamped(String namespace, String name) {
        Pod p = new Pod("v1", "Pod", new ObjectMeta(name, null, namespace, null, null, null, null, null, null), null, null);
        return new Pod(p.apiVersion(), p.kind(), Uids.assign(p), p.spec(), p.status());
    }

    @Test
    void anEndpointForAPodReadsAndWritesAsOneWithAnExplicitReference() throws Exception {
        Pod pod = stamped("shop", "web-0");
        EndpointSlice.Conditions ready = new EndpointSlice.Conditions(true, true, false);
        EndpointSlice.Endpoint compact = EndpointSlice.Endpoint.forPod(List.of("10.0.0.7"), ready, null, "node-1", pod, "shop");
        EndpointSlice.Endpoint explicit = new EndpointSlice.Endpoint(List.of("10.0.0.7"), ready, null, "node-1", null,
                ObjectReference.to(pod, "shop"));

        assertEquals(explicit, compact);
        assertEquals(explicit.hashCode(), compact.hashCode());
        assertEquals(List.of("10.0.0.7"), compact.addresses());
        assertEquals(pod.metadata().uid(), compact.targetRef().uid());
        String json = JSON.writeValueAsString(compact);
        assertEquals(JSON.writeValueAsString(explicit), json);
        assertEquals("{\"addresses\":[\"10.0.0.7\"],\"conditions\":{\"ready\":true,\"serving\":true,\"terminating\":false},"
                + "\"nodeName\":\"node-1\",\"targetRef\":{\"kind\":\"Pod\",\"namespace\":\"shop\",\"name\":\"web-0\",\"uid\":\""
                + pod.metadata().uid() + "\"}}", json);
        // read back, the uid is the text (an assigned one is held as a marker, as before): same JSON
        assertEquals(json, JSON.writeValueAsString(JSON.readValue(json, EndpointSlice.Endpoint.class)));
    }

    @Test
    void everyPartTakesPartInEquality() throws Exception {
        EndpointSlice.Conditions c = new EndpointSlice.Conditions(null, null, null);
        ObjectReference ref = new ObjectReference("Pod", "shop", "web-0", "u1");
        EndpointSlice.Endpoint base = new EndpointSlice.Endpoint(List.of("a", "b"), c, "h", "n", "z", ref);
        assertEquals(base, new EndpointSlice.Endpoint(List.of("a", "b"), c, "h", "n", "z", ref));
        assertNotEquals(base, new EndpointSlice.Endpoint(List.of("a"), c, "h", "n", "z", ref));
        assertNotEquals(base, new EndpointSlice.Endpoint(List.of("a", "b"), new EndpointSlice.Conditions(true, null, null), "h", "n", "z", ref));
        assertNotEquals(base, new EndpointSlice.Endpoint(List.of("a", "b"), c, null, "n", "z", ref));
        assertNotEquals(base, new EndpointSlice.Endpoint(List.of("a", "b"), c, "h", "m", "z", ref));
        assertNotEquals(base, new EndpointSlice.Endpoint(List.of("a", "b"), c, "h", "n", null, ref));
        assertNotEquals(base, new EndpointSlice.Endpoint(List.of("a", "b"), c, "h", "n", "z", null));
        assertEquals("h", base.hostname());
        assertEquals("z", base.zone());
        // an endpoint without addresses or reference writes what a record wrote
        EndpointSlice.Endpoint bare = new EndpointSlice.Endpoint(null, null, null, null, null, null);
        assertEquals("{\"addresses\":[],\"conditions\":{}}", JSON.writeValueAsString(bare));
        assertEquals(base, JSON.readValue(JSON.writeValueAsString(base), EndpointSlice.Endpoint.class));
    }

    @Test
    void anAddressForAPodReadsAndWritesAsOneWithAnExplicitReference() throws Exception {
        Pod pod = stamped("shop", "web-1");
        Endpoints.Address compact = Endpoints.Address.forPod("10.0.0.8", "web-1", "node-1", pod, "shop");
        Endpoints.Address explicit = new Endpoints.Address("10.0.0.8", "web-1", "node-1", ObjectReference.to(pod, "shop"));
        assertEquals(explicit, compact);
        assertEquals(explicit.hashCode(), compact.hashCode());
        assertEquals(JSON.writeValueAsString(explicit), JSON.writeValueAsString(compact));
        String json = JSON.writeValueAsString(compact);
        assertEquals(json, JSON.writeValueAsString(JSON.readValue(json, Endpoints.Address.class)));
        assertNotEquals(explicit, new Endpoints.Address("10.0.0.8", "web-1", "node-2", ObjectReference.to(pod, "shop")));
    }

    @Test
    void aPodReferencedFromAnotherNamespaceKeepsThatNamespace() {
        Pod pod = stamped("shop", "web-2");
        EndpointSlice.Endpoint e = EndpointSlice.Endpoint.forPod(List.of("10.0.0.9"), null, null, null, pod, "other");
        assertEquals("other", e.targetRef().namespace());
        assertEquals(pod.metadata().uid(), e.targetRef().uid());
    }
}
