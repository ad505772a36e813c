package dev.clusterdns.agent.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A Pod holds its status as the IP and a shared rest, yet reads, compares and serialises as the record did. */
class PodTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<PodCondition> READY = List.of(new PodCondition("Ready", "True"));

    private static Pod pod(String name, String ip, List<PodIP> ips) {
        return new Pod("v1", "Pod", ObjectMeta.of("shop", name), null,
                new PodStatus("Running", ip, ips, "10.0.0.1", READY));
    }

    @Test
    void theStatusReadsBackAndWritesAsBefore() throws Exception {
        Pod p = pod("web-0", "10.1.0.5", List.of(new PodIP("10.1.0.5")));
        assertEquals("Running", p.status().phase());
        assertEquals("10.1.0.5", p.status().podIP());
        assertEquals(List.of(new PodIP("10.1.0.5")), p.status().podIPs());
        assertEquals("10.0.0.1", p.status().hostIP());
        assertEquals(READY, p.status().conditions());
        assertEquals(List.of("10.1.0.5"), p.podIPs());
        assertEquals(true, p.isReady());
        assertEquals("v1", p.apiVersion());
        assertEquals("Pod", p.kind());
        String json = JSON.writeValueAsString(p);
        assertEquals("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-0\",\"namespace\":\"shop\"},"
                + "\"spec\":" + JSON.writeValueAsString(PodSpec.empty()) + ",\"status\":{\"phase\":\"Running\",\"podIP\":\"10.1.0.5\","
                + "\"podIPs\":[{\"ip\":\"10.1.0.5\"}],\"hostIP\":\"10.0.0.1\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}", json);
        Pod back = JSON.readValue(json, Pod.class);
        assertEquals(p, back);
        assertEquals(p.hashCode(), back.hashCode());
        assertEquals(p.status(), back.status());
        assertEquals(p.toString(), back.toString());
    }

    @Test
    void everyPartTakesPartInEquality() {
        Pod p = pod("web-0", "10.1.0.5", null);
        assertEquals(p, pod("web-0", "10.1.0.5", List.of(new PodIP("10.1.0.5"))));
        assertNotEquals(p, pod("web-1", "10.1.0.5", null));
        assertNotEquals(p, pod("web-0", "10.1.0.6", null));
        assertNotEquals(p, pod("web-0", "10.1.0.5", List.of(new PodIP("10.1.0.5"), new PodIP("fd00::5"))));
        assertNotEquals(p, new Pod("v1", "Pod", p.metadata(), p.spec(), new PodStatus("Pending", "10.1.0.5", null, "10.0.0.1", READY)));
        assertNotEquals(p, new Pod("v2", "Pod", p.metadata(), p.spec(), p.status()));
        assertEquals(new Pod(null, null, null, null, null), new Pod(null, null, null, null, null));
    }

    @Test
    void podsInTheSameStateShareTheirStatusButNotTheirIp() {
        SharedValues shared = new SharedValues();
        Pod a = shared.pod(pod("web-0", "10.1.0.5", null));
        Pod b = shared.pod(pod("web-1", "10.1.0.6", null));
        assertSame(a.statusCommon(), b.statusCommon());
        assertEquals("10.1.0.6", b.status().podIP());
        assertEquals(pod("web-1", "10.1.0.6", null), b);
        // dual-stack IP lists are a Pod's own: not shared, their conditions are
        Pod c = shared.pod(pod("web-2", "10.1.0.7", List.of(new PodIP("10.1.0.7"), new PodIP("fd00::7"))));
        Pod d = shared.pod(pod("web-3", "10.1.0.8", List.of(new PodIP("10.1.0.8"), new PodIP("fd00::8"))));
        assertNotSame(c.statusCommon(), d.statusCommon());
        assertSame(c.status().conditions(), d.status().conditions());
        assertEquals(List.of("10.1.0.8", "fd00::8"), d.podIPs());
        assertEquals(Map.of(), d.metadata().labels());
    }
}
