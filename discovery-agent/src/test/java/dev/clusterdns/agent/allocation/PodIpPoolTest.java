package dev.clusterdns.agent.allocation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PodIpPoolTest {
    @TempDir
    Path dir;

    @Test
    void podsGetDistinctAddressesInsideTheCidrButNeverNetworkGatewayOrBroadcast() {
        PodIpPool pool = new PodIpPool("10.244.1.0/29", null);
        assertEquals(List.of("10.244.1.2", "10.244.1.6"), pool.bounds());
        assertEquals("10.244.1.1", pool.gateway());
        Map<String, String> ips = pool.reconcile(List.of("a/1", "a/2", "a/3", "a/4", "a/5"), Set.of());
        assertEquals(Set.of("10.244.1.2", "10.244.1.3", "10.244.1.4", "10.244.1.5", "10.244.1.6"), new HashSet<>(ips.values()));
        Map<String, String> full = pool.reconcile(List.of("a/1", "a/2", "a/3", "a/4", "a/5", "a/6"), Set.of());
        assertFalse(full.containsKey("a/6"), "pool is full");
        assertEquals(ips, Map.copyOf(new java.util.HashMap<>(full)));
    }

    @Test
    void theDefaultIsTheLoopbackPodCidr() {
        PodIpPool pool = new PodIpPool(null, null);
        assertEquals("127.244.0.0/16", pool.cidr().toString());
        assertTrue(pool.reconcile(List.of("default/web"), Set.of()).get("default/web").startsWith("127.244."));
    }

    @Test
    void aPodKeepsItsIpWhileItExistsAndOthersComeAndGo() {
        PodIpPool pool = new PodIpPool("10.0.0.0/24", null);
        String web = pool.reconcile(List.of("default/web"), Set.of()).get("default/web");
        Map<String, String> more = pool.reconcile(List.of("default/web", "default/api", "default/db"), Set.of());
        assertEquals(web, more.get("default/web"));
        Map<String, String> fewer = pool.reconcile(List.of("default/web"), Set.of());
        assertEquals(Map.of("default/web", web), fewer);
    }

    @Test
    void reservedAddressesAreNeverHandedOut() {
        PodIpPool probe = new PodIpPool("10.0.0.0/24", null);
        String natural = probe.reconcile(List.of("default/web"), Set.of()).get("default/web");
        PodIpPool pool = new PodIpPool("10.0.0.0/24", null);
        String ip = pool.reconcile(List.of("default/web"), Set.of(natural)).get("default/web");
        assertNotEquals(natural, ip);
    }

    @Test
    void withoutStateTheSamePodsGetTheSameIps() {
        List<String> pods = List.of("default/a", "default/b", "prod/c", "prod/d");
        assertEquals(new PodIpPool("10.0.0.0/16", null).reconcile(pods, Set.of()),
                new PodIpPool("10.0.0.0/16", null).reconcile(pods, Set.of()));
    }

    @Test
    void ipsSurviveARestartThroughTheStateDirectory() throws Exception {
        PodIpPool first = new PodIpPool("10.0.0.0/24", dir);
        // b first, then a: without state a would hash to its own place; with state it keeps the IP it had.
        Map<String, String> before = first.reconcile(List.of("default/a", "default/b"), Set.of());
        assertTrue(Files.exists(dir.resolve("pod-ips.json")));
        assertTrue(Files.readString(dir.resolve("pod-ips.json")).contains("default/a"));
        PodIpPool second = new PodIpPool("10.0.0.0/24", dir);
        Map<String, String> after = second.reconcile(List.of("default/a", "default/b", "default/c"), Set.of());
        assertEquals(before.get("default/a"), after.get("default/a"));
        assertEquals(before.get("default/b"), after.get("default/b"));
    }

    @Test
    void aStateFileFromAnotherCidrIsIgnoredAndAnUnreadableOneIsSurvived() throws Exception {
        new PodIpPool("10.0.0.0/24", dir).reconcile(List.of("default/a"), Set.of());
        String ip = new PodIpPool("10.1.0.0/24", dir).reconcile(List.of("default/a"), Set.of()).get("default/a");
        assertTrue(ip.startsWith("10.1.0."), ip);
        Files.writeString(dir.resolve("pod-ips.json"), "{not json");
        assertTrue(new PodIpPool("10.1.0.0/24", dir).reconcile(List.of("default/a"), Set.of()).get("default/a").startsWith("10.1.0."));
    }

    @Test
    void badCidrsAreRefusedWithTheFlagName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PodIpPool("10.0.0.0/33", null));
        assertTrue(e.getMessage().contains("--pod-cidr"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new PodIpPool("10.0.0.0/31", null));
    }
}
