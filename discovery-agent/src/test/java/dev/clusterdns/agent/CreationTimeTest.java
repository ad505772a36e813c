package dev.clusterdns.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.manifest.Manifest;
import dev.clusterdns.agent.manifest.ManifestReader;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.agent.source.ObjectChange;
import dev.clusterdns.agent.source.ObjectKey;
import dev.clusterdns.agent.source.SourceChanges;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An object written without a creationTimestamp gets the time the agent first saw it (kubectl's AGE):
 * its later versions keep it; an edit that validation turns away leaves the last valid version served
 * (as an API server refuses an invalid update) and a fix after it keeps the time too; only a removal
 * followed by a new definition makes it a new object with a new time.
 */
class CreationTimeTest {
    private static final ManifestReader READER = new ManifestReader();

    @Test
    void versionsKeepTheFirstTimeAndARecreatedObjectGetsANewOne() throws Exception {
        ClusterReconciler r = new ClusterReconciler(new AgentConfig(List.of(), null, List.of("10.0.0.0/24"), null, null, null));
        ClusterSnapshot s = r.apply(batch(ObjectChange.put(pod("app: v1", "10.1.0.5"))));
        String first = created(s);
        assertTrue(first != null && !first.isEmpty(), "stamped");

        waitForNextSecond(first);
        s = r.apply(batch(ObjectChange.put(pod("app: v2", "10.1.0.5"))));
        assertEquals("v2", s.pod("shop", "web").orElseThrow().metadata().label("app"));
        assertEquals(first, created(s), "a new version is the same object");

        s = r.apply(batch(ObjectChange.put(pod("app: v3", "10.1.0.999"))));
        assertEquals("v2", s.pod("shop", "web").orElseThrow().metadata().label("app"),
                "an invalid podIP turns the version away; the last valid one stays");
        assertEquals(List.of("web.yaml: Pod shop/web: The Pod \"web\" is invalid: status.podIP: Invalid value: "
                + "\"10.1.0.999\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff); keeping its last valid version"),
                s.problems().stream().map(Object::toString).toList());
        s = r.apply(batch(ObjectChange.put(pod("app: v4", "10.1.0.6"))));
        assertEquals("v4", s.pod("shop", "web").orElseThrow().metadata().label("app"));
        assertEquals(List.of(), s.problems(), "fixed");
        assertEquals(first, created(s), "the fixed version is still the same object");

        s = r.apply(batch(ObjectChange.put(pod("app: v5", "not-an-ip"))));
        s = r.apply(batch(ObjectChange.remove(new ObjectKey("Pod", "shop", "web"))));
        assertTrue(s.pod("shop", "web").isEmpty(), "removed while its edit was refused: gone");
        assertEquals(List.of(), s.problems(), "and so is the refusal");

        s = r.apply(batch(ObjectChange.put(pod("app: v6", "10.1.0.7"))));
        assertNotEquals(first, created(s), "removed and defined again: a new object");
    }

    @Test
    void aServiceThatWaitedForItsAddressKeepsTheTimeItWasDefined() throws Exception {
        ClusterReconciler r = new ClusterReconciler(new AgentConfig(List.of(), null, List.of("10.0.0.0/24"), null, null, null));
        ClusterSnapshot s = r.apply(batch(ObjectChange.put(service("first", "10.0.0.5"))));
        s = r.apply(batch(ObjectChange.put(service("second", "10.0.0.5"))));
        assertTrue(s.service("shop", "second").isEmpty(), "the address is taken: not allocated");
        String defined = java.time.format.DateTimeFormatter.ISO_INSTANT.format(
                java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        waitForNextSecond(defined);

        s = r.apply(batch(ObjectChange.remove(new ObjectKey("Service", "shop", "first"))));
        String created = s.service("shop", "second").orElseThrow().metadata().creationTimestamp();
        assertTrue(created.compareTo(defined) <= 0, "allocated later, created when defined: " + created + " vs " + defined);
    }

    @Test
    void anExplicitNamespaceIsStampedAndKeepsTheTimeItWasFirstSeen() throws Exception {
        ClusterReconciler r = new ClusterReconciler(new AgentConfig(List.of(), null, List.of("10.0.0.0/24"), null, null, null));
        ClusterSnapshot s = r.apply(batch(ObjectChange.put(pod("app: v1", "10.1.0.5"))));
        String implied = s.namespace("shop").orElseThrow().metadata().creationTimestamp();
        assertTrue(implied != null && !implied.isEmpty(), "an implied namespace is stamped");
        waitForNextSecond(implied);

        s = r.apply(batch(ObjectChange.put(namespace("labels: {team: a}"))));
        assertEquals("a", s.namespace("shop").orElseThrow().metadata().label("team"));
        assertEquals(implied, s.namespace("shop").orElseThrow().metadata().creationTimestamp(),
                "made explicit: the namespace it was");
        s = r.apply(batch(ObjectChange.put(namespace("labels: {team: b}"))));
        assertEquals(implied, s.namespace("shop").orElseThrow().metadata().creationTimestamp(), "a new version too");

        ClusterReconciler fresh = new ClusterReconciler(new AgentConfig(List.of(), null, List.of("10.0.0.0/24"), null, null, null));
        String stamp = fresh.apply(batch(ObjectChange.put(namespace("labels: {team: a}")))).namespace("shop").orElseThrow()
                .metadata().creationTimestamp();
        assertTrue(stamp != null && !stamp.isEmpty(), "an explicit namespace alone is stamped");
    }

    private static Manifest namespace(String labels) {
        String yaml = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, " + labels + "}\n";
        return READER.read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "ns.yaml", false)
                .manifests().get(0);
    }

    private static Manifest service(String name, String clusterIp) {
        String yaml = "apiVersion: v1\nkind: Service\nmetadata: {name: " + name + ", namespace: shop}\n"
                + "spec: {clusterIP: " + clusterIp + ", ports: [{port: 80}]}\n";
        return READER.read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), name + ".yaml", false)
                .manifests().get(0);
    }

    private static SourceChanges batch(ObjectChange c) {
        return new SourceChanges(List.of(c), null);
    }

    private static String created(ClusterSnapshot s) {
        return s.pod("shop", "web").orElseThrow().metadata().creationTimestamp();
    }

    private static Manifest pod(String label, String ip) {
        String yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop, labels: {" + label + "}}\n"
                + "spec: {containers: [{name: c, image: nginx}]}\nstatus: {phase: Running, podIP: " + ip + "}\n";
        return READER.read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "web.yaml", false)
                .manifests().get(0);
    }

    /** Times are whole seconds: wait until "now" differs from {@code stamp}, so a new stamp would show. */
    private static void waitForNextSecond(String stamp) throws InterruptedException {
        while (java.time.format.DateTimeFormatter.ISO_INSTANT.format(
                java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)).equals(stamp)) {
            Thread.sleep(50);
        }
    }
}
