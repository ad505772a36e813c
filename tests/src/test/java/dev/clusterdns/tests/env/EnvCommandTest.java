package dev.clusterdns.tests.env;

import static dev.clusterdns.tests.env.EnvFixtures.clusterdns;
import static dev.clusterdns.tests.env.EnvFixtures.json;
import static dev.clusterdns.tests.env.EnvFixtures.ok;
import static dev.clusterdns.tests.env.EnvFixtures.sourcedIn;
import static dev.clusterdns.tests.env.EnvFixtures.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.tests.CommandResult;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** `clusterdns env` against the manifests in resources/env, checked through real bash and sh. */
class EnvCommandTest {

    @BeforeAll
    static void shells() {
        Assumptions.assumeTrue(EnvFixtures.hasShells(), "needs bash, sh and env on PATH");
    }

    /** Every variable a pod in `shop` gets: kubernetes, redis-primary and web; not db (headless), search (ExternalName) or elsewhere's. */
    static Map<String, String> shopServiceVariables() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("KUBERNETES_SERVICE_HOST", "127.96.0.1");
        m.put("KUBERNETES_SERVICE_PORT", "443");
        m.put("KUBERNETES_SERVICE_PORT_HTTPS", "443");
        m.put("KUBERNETES_PORT", "tcp://127.96.0.1:443");
        m.put("KUBERNETES_PORT_443_TCP", "tcp://127.96.0.1:443");
        m.put("KUBERNETES_PORT_443_TCP_PROTO", "tcp");
        m.put("KUBERNETES_PORT_443_TCP_PORT", "443");
        m.put("KUBERNETES_PORT_443_TCP_ADDR", "127.96.0.1");
        m.put("REDIS_PRIMARY_SERVICE_HOST", "127.96.5.12");
        m.put("REDIS_PRIMARY_SERVICE_PORT", "6379");
        m.put("REDIS_PRIMARY_PORT", "tcp://127.96.5.12:6379");
        m.put("REDIS_PRIMARY_PORT_6379_TCP", "tcp://127.96.5.12:6379");
        m.put("REDIS_PRIMARY_PORT_6379_TCP_PROTO", "tcp");
        m.put("REDIS_PRIMARY_PORT_6379_TCP_PORT", "6379");
        m.put("REDIS_PRIMARY_PORT_6379_TCP_ADDR", "127.96.5.12");
        m.put("WEB_SERVICE_HOST", "127.96.5.10");
        m.put("WEB_SERVICE_PORT", "80");
        m.put("WEB_SERVICE_PORT_HTTP", "80");
        m.put("WEB_SERVICE_PORT_METRICS", "9100");
        m.put("WEB_PORT", "tcp://127.96.5.10:80");
        m.put("WEB_PORT_80_TCP", "tcp://127.96.5.10:80");
        m.put("WEB_PORT_80_TCP_PROTO", "tcp");
        m.put("WEB_PORT_80_TCP_PORT", "80");
        m.put("WEB_PORT_80_TCP_ADDR", "127.96.5.10");
        m.put("WEB_PORT_9100_TCP", "tcp://127.96.5.10:9100");
        m.put("WEB_PORT_9100_TCP_PROTO", "tcp");
        m.put("WEB_PORT_9100_TCP_PORT", "9100");
        m.put("WEB_PORT_9100_TCP_ADDR", "127.96.5.10");
        return m;
    }

    /** The web-1 pod's app container: its own variables (with the tricky ConfigMap values). */
    static Map<String, String> webPodOwnVariables() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("MODE", "slow");
        m.put("QUOTES", "it's \"quoted\"");
        m.put("DOLLARS", "$HOME ${HOME} $(id) `id` $$");
        m.put("BACKSLASHES", "C:\\temp\\new \\n \\");
        m.put("MULTILINE", "line one\nline two\n");
        m.put("UNICODE", "héllo ✓ 𝄞 日本");
        m.put("EMPTY", "");
        m.put("S_PASSWORD", "p@ss'w0rd$");
        m.put("S_USER", "admin");
        m.put("WEB_URL", "http://127.96.5.10:80/slow");
        m.put("LITERAL", "$(WEB_SERVICE_HOST) $(UNDEFINED) $(LATER)");
        m.put("LATER", "later");
        m.put("POD_NAME", "web-1");
        m.put("POD_NAMESPACE", "shop");
        m.put("POD_UID", "5f1c1a2e-0000-4000-8000-000000000001");
        m.put("POD_IP", "127.0.50.7");
        m.put("NODE", "node-1");
        m.put("SA", "web-sa");
        m.put("APP_LABEL", "web");
        m.put("OWNER", "ops");
        m.put("DB_PASSWORD", "p@ss'w0rd$");
        m.put("REDIS_PRIMARY_SERVICE_HOST", "overridden");
        return m;
    }

    static Map<String, String> webPodVariables() {
        Map<String, String> m = new LinkedHashMap<>(webPodOwnVariables());
        shopServiceVariables().forEach(m::putIfAbsent);
        return m;
    }

    @Test
    void namespaceVariablesSourceExactlyInBashAndSh() {
        CommandResult r = ok(clusterdns("env", "-n", "shop"));
        Path f = write(r.stdout());
        assertEquals(new TreeMap<>(shopServiceVariables()), sourcedIn("bash", f));
        assertEquals(new TreeMap<>(shopServiceVariables()), sourcedIn("sh", f));
    }

    @Test
    void jsonKeepsKubeletsOrderServicesSortedByName() {
        Map<String, String> vars = json(ok(clusterdns("env", "-n", "shop", "--format", "json")).stdout());
        assertEquals(List.copyOf(shopServiceVariables().keySet()), List.copyOf(vars.keySet()));
        assertEquals(shopServiceVariables(), vars);
    }

    @Test
    void podEnvironmentSourcesExactlyInBashAndSh() {
        CommandResult r = ok(clusterdns("env", "-n", "shop", "--pod", "web-1"));
        Path f = write(r.stdout());
        Map<String, String> expected = new TreeMap<>(webPodVariables());
        assertEquals(expected, sourcedIn("bash", f));
        assertEquals(expected, sourcedIn("sh", f));
    }

    @Test
    void podEnvironmentAsJsonPutsContainerVariablesFirst() {
        Map<String, String> vars = json(ok(clusterdns("env", "-n", "shop", "--pod", "web-1", "--format", "json")).stdout());
        assertEquals(webPodVariables(), vars);
        assertEquals(List.copyOf(webPodVariables().keySet()), List.copyOf(vars.keySet()));
    }

    @Test
    void otherContainerAndServiceLinksOff() {
        Map<String, String> sidecar = json(ok(clusterdns("env", "-n", "shop", "--pod", "web-1", "--container", "sidecar",
                "--format", "json")).stdout());
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("ROLE", "sidecar");
        expected.putAll(shopServiceVariables());
        assertEquals(expected, sidecar);

        Map<String, String> noLinks = json(ok(clusterdns("env", "-n", "shop", "--pod", "no-links", "--format", "json")).stdout());
        Map<String, String> kubernetesOnly = new LinkedHashMap<>(shopServiceVariables());
        kubernetesOnly.keySet().removeIf(k -> !k.startsWith("KUBERNETES_"));
        assertEquals(kubernetesOnly, noLinks);
    }

    @Test
    void dockerFormatRefusesANewlineClearly() {
        CommandResult r = clusterdns("env", "-n", "shop", "--pod", "web-1", "--format", "docker");
        assertEquals(1, r.exitCode(), r.stdout());
        assertTrue(r.stderr().contains("MULTILINE") && r.stderr().contains("line break"), r.stderr());
        CommandResult fine = ok(clusterdns("env", "-n", "shop", "--format", "docker"));
        assertTrue(fine.stdout().contains("WEB_PORT=tcp://127.96.5.10:80\n"), fine.stdout());
        assertTrue(fine.stdout().startsWith("KUBERNETES_SERVICE_HOST=127.96.0.1\n"), fine.stdout());
    }

    @Test
    void dotenvQuotesAsDocumented() {
        String out = ok(clusterdns("env", "-n", "shop", "--pod", "web-1", "--format", "dotenv")).stdout();
        assertTrue(out.contains("MODE='slow'\n"), out);
        assertTrue(out.contains("QUOTES=\"it's \\\"quoted\\\"\"\n"), out);
        assertTrue(out.contains("MULTILINE=\"line one\\nline two\\n\"\n"), out);
        assertTrue(out.contains("BACKSLASHES='C:\\temp\\new \\n \\'\n"), out);
        assertTrue(out.contains("EMPTY=''\n"), out);
    }

    @Test
    void aContainerKubeletWouldNotStartIsAClearError() {
        CommandResult r = clusterdns("env", "-n", "shop", "--pod", "broken");
        assertEquals(1, r.exitCode());
        assertEquals("", r.stdout());
        for (String part : List.of("pod shop/broken", "container app", "variable NEEDS", "configMapKeyRef missing-config/value",
                "not found")) {
            assertTrue(r.stderr().contains(part), r.stderr() + " should name " + part);
        }
    }

    @Test
    void unknownPodNamespaceOrContainerFail() {
        CommandResult pod = clusterdns("env", "-n", "shop", "--pod", "nope");
        assertEquals(1, pod.exitCode());
        assertTrue(pod.stderr().contains("pod \"nope\" not found in namespace shop"), pod.stderr());
        CommandResult ns = clusterdns("env", "-n", "no-such-ns");
        assertEquals(1, ns.exitCode());
        assertTrue(ns.stderr().contains("namespace \"no-such-ns\" not found"), ns.stderr());
        CommandResult container = clusterdns("env", "-n", "shop", "--pod", "web-1", "--container", "nope");
        assertEquals(1, container.exitCode());
        assertTrue(container.stderr().contains("has no container \"nope\" (containers: app, sidecar)"), container.stderr());
        CommandResult path = dev.clusterdns.tests.ServeProcess.run("env", "--manifests", "/no/such/dir", "-n", "shop");
        assertEquals(1, path.exitCode());
        assertTrue(path.stderr().contains("/no/such/dir"), path.stderr());
        CommandResult format = clusterdns("env", "-n", "shop", "--format", "yaml");
        assertEquals(1, format.exitCode());
        assertTrue(format.stderr().contains("unknown format"), format.stderr());
    }

    @Test
    void aNamespaceNearTheExecLimitGetsAWarningWithCountAndSize(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            yaml.append("apiVersion: v1\nkind: Service\nmetadata: {name: svc-").append(i).append(", namespace: big}\n")
                    .append("spec: {clusterIP: 127.97.").append(i / 250).append('.').append(i % 250 + 1)
                    .append(", ports: [{name: http, port: 8080}]}\n---\n");
        }
        Path file = tmp.resolve("big.yaml");
        java.nio.file.Files.writeString(file, yaml);
        CommandResult r = ok(dev.clusterdns.tests.ServeProcess.run("env", "--manifests", file.toString(), "-n", "big",
                "--format", "json"));
        Map<String, String> vars = json(r.stdout());
        assertEquals("127.97.3.250", vars.get("SVC_999_SERVICE_HOST"));
        long bytes = 0;
        for (Map.Entry<String, String> e : vars.entrySet()) {
            bytes += e.getKey().length() + e.getValue().length() + 2 + 8;
        }
        // 1,000 Services plus default/kubernetes when the agent synthesizes it with an address.
        int services = vars.containsKey("KUBERNETES_SERVICE_HOST") ? 1001 : 1000;
        assertTrue(r.stderr().contains("namespace big: " + services + " Services give " + vars.size()
                + " service variables (" + bytes + " bytes of environment)"), r.stderr());
        assertTrue(r.stderr().contains("argument list too long"), r.stderr());
    }

    @Test
    void noWarningForASmallNamespace() {
        CommandResult r = ok(clusterdns("env", "-n", "shop"));
        assertFalse(r.stderr().contains("argument list too long"), r.stderr());
    }
}
