package dev.clusterdns.agent.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.Workload;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ManifestReaderTest {
    private final ManifestReader reader = new ManifestReader();

    private ManifestFile yaml(String text) {
        return reader.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "test.yaml", false);
    }

    @Test
    void readsMultiDocumentYamlWithOrigins() {
        ManifestFile f = yaml("""
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec:
                  selector: {app: web}
                  ports: [{port: 80, targetPort: http}]
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: web-1, labels: {app: web}}
                status: {podIP: 10.0.0.5}
                ---
                """);
        assertFalse(f.unreadable());
        assertEquals(2, f.manifests().size(), f.problems().toString());
        Service s = (Service) f.manifests().get(0).object();
        assertEquals("web", s.name());
        assertEquals("http", s.spec().ports().get(0).targetPort().stringValue());
        assertEquals(80, s.spec().ports().get(0).port());
        assertEquals("test.yaml (document 2)", f.manifests().get(1).origin());
        assertEquals("10.0.0.5", ((Pod) f.manifests().get(1).object()).podIPs().get(0));
    }

    @Test
    void nilSelectorStaysNilAndEmptySelectorStaysEmpty() {
        ManifestFile f = yaml("""
                apiVersion: v1
                kind: Service
                metadata: {name: a}
                spec: {ports: [{port: 80}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: b}
                spec: {selector: {}, ports: [{port: 80}]}
                """);
        assertNull(((Service) f.manifests().get(0).object()).spec().selector());
        assertTrue(((Service) f.manifests().get(1).object()).spec().selector().isEmpty());
    }

    @Test
    void expandsKubectlListOutput() {
        ManifestFile f = yaml("""
                apiVersion: v1
                kind: List
                items:
                - apiVersion: discovery.k8s.io/v1
                  kind: EndpointSlice
                  metadata: {name: ext-1, labels: {kubernetes.io/service-name: ext}}
                  addressType: IPv4
                  endpoints: [{addresses: [192.0.2.1]}]
                  ports: [{name: http, port: 80}]
                - apiVersion: apps/v1
                  kind: Deployment
                  metadata: {name: d}
                  spec: {replicas: 2, selector: {matchLabels: {app: d}}}
                metadata: {resourceVersion: ""}
                """);
        assertEquals(2, f.manifests().size(), f.problems().toString());
        EndpointSlice slice = assertInstanceOf(EndpointSlice.class, f.manifests().get(0).object());
        assertEquals("ext", slice.serviceName());
        assertTrue(slice.endpoints().get(0).isReady(), "a missing ready condition means ready");
        assertEquals("d", assertInstanceOf(Workload.class, f.manifests().get(1).object()).spec().selector().matchLabels().get("app"));
    }

    @Test
    void unknownKindIsReportedAndSkipped() {
        ManifestFile f = yaml("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: web}
                ---
                apiVersion: v1
                kind: Namespace
                metadata: {name: shop}
                """);
        assertEquals(1, f.manifests().size());
        assertEquals(1, f.problems().size());
        assertTrue(f.problems().get(0).message().contains("kind HTTPRoute (gateway.networking.k8s.io/v1) is not supported"), f.problems().toString());
    }

    @Test
    void missingKindAndBadFieldTypesAreReportedWithFieldPath() {
        ManifestFile f = yaml("""
                metadata: {name: x}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec: {ports: [{port: eighty}]}
                """);
        assertEquals(0, f.manifests().size());
        assertEquals(2, f.problems().size());
        assertTrue(f.problems().get(0).message().contains("[apiVersion not set, kind not set]"), f.problems().toString());
        String bad = f.problems().get(1).message();
        assertEquals("Service in version \"v1\" cannot be handled as a Service: spec.ports[0].port: "
                + "Invalid value: \"eighty\": expected an integer (int32), got a string", bad);
        assertEquals("test.yaml (document 2)", f.problems().get(1).source());
    }

    @Test
    void syntaxErrorMakesTheFileUnreadable() {
        ManifestFile f = yaml("apiVersion: v1\nkind: Service\nmetadata: {name: [\n");
        assertTrue(f.unreadable());
        assertTrue(f.problems().get(0).message().startsWith("cannot parse"), f.problems().toString());
    }

    @Test
    void aSyntaxErrorInALaterDocumentMakesTheWholeFileUnreadable() {
        ManifestFile f = yaml("apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\n"
                + "apiVersion: v1\nkind: Service\nmetadata: {name: [\n");
        assertTrue(f.unreadable());
        assertTrue(f.manifests().isEmpty(), "the documents before the error are not served");
        assertEquals(1, f.problems().size(), f.problems().toString());
        assertTrue(f.problems().get(0).message().startsWith("cannot parse"), f.problems().toString());
    }

    @Test
    void readsJson() {
        ManifestFile f = reader.read(new ByteArrayInputStream("""
                {"apiVersion":"v1","kind":"Service","metadata":{"name":"j"},"spec":{"ports":[{"port":53,"protocol":"UDP"}]}}
                """.getBytes(StandardCharsets.UTF_8)), "x.json", true);
        assertEquals("UDP", ((Service) f.manifests().get(0).object()).spec().ports().get(0).protocol());
    }

    @Test
    void skipsHiddenAndBackupFiles() {
        assertTrue(ManifestReader.isManifest(Path.of("a.yaml")));
        assertTrue(ManifestReader.isManifest(Path.of("a.YML")));
        assertTrue(ManifestReader.isManifest(Path.of("a.json")));
        assertFalse(ManifestReader.isManifest(Path.of(".a.yaml")));
        assertFalse(ManifestReader.isManifest(Path.of("a.yaml~")));
        assertFalse(ManifestReader.isManifest(Path.of("a.txt")));
    }

    @Test
    void aDocumentNestedDeeperThanAnyManifestIsRefusedNotFollowed() {
        StringBuilder deep = new StringBuilder("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata:\n");
        deep.append("  k: ").append("[".repeat(500)).append("]".repeat(500)).append('\n');
        ManifestFile f = yaml(deep.toString());
        assertTrue(f.unreadable(), "refused");
        assertTrue(f.problems().get(0).message().startsWith("cannot parse"), f.problems().toString());
    }
}
