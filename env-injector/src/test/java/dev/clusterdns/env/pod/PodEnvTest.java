package dev.clusterdns.env.pod;

import static dev.clusterdns.env.Objects.configMap;
import static dev.clusterdns.env.Objects.configMapKey;
import static dev.clusterdns.env.Objects.container;
import static dev.clusterdns.env.Objects.env;
import static dev.clusterdns.env.Objects.fieldRef;
import static dev.clusterdns.env.Objects.fromConfigMap;
import static dev.clusterdns.env.Objects.fromSecret;
import static dev.clusterdns.env.Objects.pod;
import static dev.clusterdns.env.Objects.port;
import static dev.clusterdns.env.Objects.secret;
import static dev.clusterdns.env.Objects.secretKey;
import static dev.clusterdns.env.Objects.service;
import static dev.clusterdns.env.Objects.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.model.Container;
import dev.clusterdns.agent.model.ObjectMeta;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodEnvTest {

    private static ClusterSnapshot cluster(Pod pod) {
        return ClusterSnapshot.builder(1)
                .services(List.of(
                        service("default", "kubernetes", "10.96.0.1", port("https", "TCP", 443)),
                        service("shop", "web", "10.96.0.50", port("http", "TCP", 80)),
                        service("other", "db", "10.96.0.60", port(null, "TCP", 5432))))
                .configMaps(List.of(configMap("shop", "settings", Map.of("MODE", "fast", "LEVEL", "3")),
                        configMap("shop", "odd", Map.of("ok.key", "1", "1bad", "x", "with space", "y"))))
                .secrets(List.of(secret("shop", "creds",
                        Map.of("PASSWORD", Base64.getEncoder().encodeToString("p@ss'w\"rd".getBytes())), Map.of("USER", "admin"))))
                .pods(List.of(pod))
                .build();
    }

    private static PodEnvironment envOf(Pod pod) {
        return PodEnv.forContainer(cluster(pod), pod, null);
    }

    private static List<String> keys(Map<String, String> m) {
        return new ArrayList<>(m.keySet());
    }

    @Test
    void containerVariablesComeFirstThenServiceVariables() {
        Pod p = pod("shop", "p", null, container("app", List.of(env("B", "2"), env("A", "1")), List.of()));
        Map<String, String> vars = envOf(p).variables();
        assertEquals(List.of("B", "A", "KUBERNETES_SERVICE_HOST"), keys(vars).subList(0, 3));
        assertEquals("10.96.0.50", vars.get("WEB_SERVICE_HOST"));
        assertFalse(vars.containsKey("DB_SERVICE_HOST"), "other namespaces are not visible");
    }

    @Test
    void explicitEnvWinsOverServiceVariables() {
        Pod p = pod("shop", "p", null, container("app", List.of(env("WEB_SERVICE_HOST", "override")), List.of()));
        Map<String, String> vars = envOf(p).variables();
        assertEquals("override", vars.get("WEB_SERVICE_HOST"));
        assertEquals("WEB_SERVICE_HOST", keys(vars).get(0));
        assertEquals(1, keys(vars).stream().filter("WEB_SERVICE_HOST"::equals).count());
    }

    @Test
    void serviceLinksOffLeavesOnlyTheMasterService() {
        Pod p = pod("shop", "p", false, container("app", List.of(), List.of()));
        Map<String, String> vars = envOf(p).variables();
        assertEquals("10.96.0.1", vars.get("KUBERNETES_SERVICE_HOST"));
        assertFalse(vars.containsKey("WEB_SERVICE_HOST"));
    }

    @Test
    void expansionSeesEarlierVariablesThenServices() {
        Pod p = pod("shop", "p", null, container("app", List.of(
                env("URL", "http://$(WEB_SERVICE_HOST):$(WEB_SERVICE_PORT)/$(LATER)"),
                env("BASE", "base"),
                env("FULL", "$(BASE)/$(MODE)/$$(BASE)"),
                env("WEB_SERVICE_PORT", "9999"),
                env("AFTER", "$(WEB_SERVICE_PORT)"),
                env("LATER", "x"),
                env("EMPTY", "")), List.of(fromConfigMap(null, "settings", null))));
        Map<String, String> vars = envOf(p).variables();
        assertEquals("http://10.96.0.50:80/$(LATER)", vars.get("URL"));
        assertEquals("base/fast/$(BASE)", vars.get("FULL"));
        assertEquals("9999", vars.get("AFTER"), "a container definition shadows the service variable once defined");
        assertEquals("", vars.get("EMPTY"));
    }

    @Test
    void envFromThenEnvOverridesWithPrefixes() {
        Pod p = pod("shop", "p", null, container("app", List.of(env("MODE", "slow")),
                List.of(fromConfigMap(null, "settings", null), fromConfigMap("CFG_", "settings", null),
                        fromSecret("S_", "creds", null))));
        Map<String, String> vars = envOf(p).variables();
        assertEquals("slow", vars.get("MODE"));
        assertEquals("fast", vars.get("CFG_MODE"));
        assertEquals("3", vars.get("CFG_LEVEL"));
        assertEquals("p@ss'w\"rd", vars.get("S_PASSWORD"));
        assertEquals("admin", vars.get("S_USER"));
    }

    @Test
    void envFromSkipsInvalidNamesWithAWarning() {
        Pod p = pod("shop", "p", null, container("app", List.of(), List.of(fromConfigMap(null, "odd", null))));
        PodEnvironment e = envOf(p);
        assertEquals("1", e.variables().get("ok.key"));
        assertFalse(e.variables().containsKey("1bad"));
        assertFalse(e.variables().containsKey("with space"));
        assertEquals(1, e.warnings().size());
        assertTrue(e.warnings().get(0).contains("1bad") && e.warnings().get(0).contains("with space")
                && e.warnings().get(0).contains("shop/odd"), e.warnings().toString());
    }

    @Test
    void keyReferencesResolve() {
        Pod p = pod("shop", "p", null, container("app", List.of(
                configMapKey("M", "settings", "MODE", null),
                secretKey("PW", "creds", "PASSWORD", null),
                secretKey("U", "creds", "USER", false),
                configMapKey("OPT_MISSING_KEY", "settings", "NOPE", true),
                configMapKey("OPT_MISSING_MAP", "nope", "NOPE", true),
                secretKey("OPT_MISSING_SECRET", "nope", "NOPE", true)), List.of()));
        Map<String, String> vars = envOf(p).variables();
        assertEquals("fast", vars.get("M"));
        assertEquals("p@ss'w\"rd", vars.get("PW"));
        assertEquals("admin", vars.get("U"));
        assertFalse(vars.containsKey("OPT_MISSING_KEY"));
        assertFalse(vars.containsKey("OPT_MISSING_MAP"));
        assertFalse(vars.containsKey("OPT_MISSING_SECRET"));
    }

    @Test
    void missingRequiredReferencesAreClearErrors() {
        assertError(configMapKey("V", "nope", "K", null), "pod shop/p container app variable V",
                "configMapKeyRef nope/K", "configmap \"nope\" not found");
        assertError(configMapKey("V", "settings", "K", false), "variable V", "couldn't find key K in ConfigMap shop/settings");
        assertError(secretKey("V", "nope", "K", null), "variable V", "secret \"nope\" not found");
        assertError(secretKey("V", "creds", "K", null), "variable V", "couldn't find key K in Secret shop/creds");
        assertError(fieldRef("V", "spec.containers"), "variable V", "unsupported fieldPath");
        Pod p = pod("shop", "p", null, container("app", List.of(), List.of(fromSecret(null, "nope", null))));
        EnvReferenceException e = assertThrows(EnvReferenceException.class, () -> envOf(p));
        assertTrue(e.getMessage().contains("pod shop/p container app: envFrom secretRef nope"), e.getMessage());
        Pod optional = pod("shop", "p", null, container("app", List.of(), List.of(fromSecret(null, "nope", true))));
        assertTrue(envOf(optional).variables().containsKey("WEB_SERVICE_HOST"));
    }

    private static void assertError(dev.clusterdns.agent.model.EnvVar v, String... parts) {
        Pod p = pod("shop", "p", null, container("app", List.of(v), List.of()));
        EnvReferenceException e = assertThrows(EnvReferenceException.class, () -> envOf(p));
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), e.getMessage() + " should contain " + part);
        }
    }

    @Test
    void downwardApiFields() {
        ObjectMeta meta = new ObjectMeta("p", null, "shop", "uid-123", null, Map.of("app", "web"),
                Map.of("team.example.com/owner", "ops"), null, null);
        Pod p = pod(meta, null, null, false, null, status("192.168.1.5", "10.244.0.7", "fd00::7"),
                container("app", List.of(
                        fieldRef("NAME", "metadata.name"),
                        fieldRef("NS", "metadata.namespace"),
                        fieldRef("UID", "metadata.uid"),
                        fieldRef("APP", "metadata.labels['app']"),
                        fieldRef("NOLABEL", "metadata.labels['missing']"),
                        fieldRef("OWNER", "metadata.annotations['team.example.com/owner']"),
                        fieldRef("NODE", "spec.nodeName"),
                        fieldRef("SA", "spec.serviceAccountName"),
                        fieldRef("HOST_IP", "status.hostIP"),
                        fieldRef("HOST_IPS", "status.hostIPs"),
                        fieldRef("POD_IP", "status.podIP"),
                        fieldRef("POD_IPS", "status.podIPs"),
                        env("SELF", "$(NAME).$(NS)")), List.of()));
        Map<String, String> vars = envOf(p).variables();
        assertEquals("p", vars.get("NAME"));
        assertEquals("shop", vars.get("NS"));
        assertEquals("uid-123", vars.get("UID"));
        assertEquals("web", vars.get("APP"));
        assertEquals("", vars.get("NOLABEL"));
        assertEquals("ops", vars.get("OWNER"));
        assertEquals("node-1", vars.get("NODE"));
        assertEquals("default", vars.get("SA"));
        assertEquals("192.168.1.5", vars.get("HOST_IP"));
        assertEquals("192.168.1.5", vars.get("HOST_IPS"));
        assertEquals("10.244.0.7", vars.get("POD_IP"));
        assertEquals("10.244.0.7,fd00::7", vars.get("POD_IPS"));
        assertEquals("p.shop", vars.get("SELF"));
    }

    @Test
    void containerIsChosenByNameDefaultingToTheFirst() {
        Container a = container("a", List.of(env("WHO", "a")), List.of());
        Container b = container("b", List.of(env("WHO", "b")), List.of());
        Pod p = pod("shop", "p", null, a, b);
        assertEquals("a", PodEnv.forContainer(cluster(p), p, null).variables().get("WHO"));
        assertEquals("b", PodEnv.forContainer(cluster(p), p, "b").variables().get("WHO"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PodEnv.forContainer(cluster(p), p, "c"));
        assertEquals("pod shop/p has no container \"c\" (containers: a, b)", e.getMessage());
    }
}
