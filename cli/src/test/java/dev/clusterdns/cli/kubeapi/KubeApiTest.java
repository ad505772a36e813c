package dev.clusterdns.cli.kubeapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clusterdns.agent.AgentConfig;
import dev.clusterdns.agent.manifest.Manifest;
import dev.clusterdns.agent.manifest.ManifestReader;
import dev.clusterdns.agent.model.KubeObject;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.agent.snapshot.SnapshotPublisher;
import dev.clusterdns.cli.http.HttpEndpoint;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The read-only Kubernetes API over HTTP on a real socket, fed by published snapshots. */
class KubeApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";

    @TempDir
    Path dir;
    private final SnapshotPublisher publisher = new SnapshotPublisher();
    private final HttpClient client = HttpClient.newHttpClient();
    private HttpEndpoint http;
    private KubeApi api;
    private List<KubeObject> objects;

    @BeforeEach
    void start() throws Exception {
        Path manifests = dir.resolve("manifests");
        Files.createDirectories(manifests);
        Files.writeString(manifests.resolve("web.yaml"), """
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: default, labels: {app: web}, creationTimestamp: "2024-01-01T00:00:00Z"}
                spec: {type: NodePort, clusterIP: 10.96.0.10, selector: {app: web}, ports: [{port: 80, nodePort: 30080, protocol: TCP}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: db, namespace: prod}
                spec: {clusterIP: 10.96.0.11, ports: [{port: 5432}]}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: web-1, namespace: default, labels: {app: web}}
                spec: {nodeName: node-1, containers: [{name: c, image: nginx}]}
                status: {phase: Running, podIP: 10.0.0.1}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: web-2, namespace: default, labels: {app: web}}
                spec: {nodeName: node-2, containers: [{name: c, image: nginx}]}
                status: {phase: Running, podIP: 10.0.0.2}
                """);
        objects = new ArrayList<>();
        for (Manifest m : new ManifestReader().read(manifests.resolve("web.yaml")).manifests()) {
            objects.add(m.object());
        }
        publish(1, objects);
        AgentConfig config = new AgentConfig(List.of(manifests), dir.resolve("state"), List.of("10.96.0.0/16"),
                "30000-32767", "10.200.0.0/16", "cluster.local");
        api = new KubeApi(publisher, config, "test");
        http = HttpEndpoint.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        api.register(http);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        api.close();
    }

    private void publish(long revision, List<KubeObject> objs) {
        publisher.publish(ClusterSnapshot.builder(revision)
                .services(objs.stream().filter(o -> o instanceof Service).map(o -> (Service) o).toList())
                .pods(objs.stream().filter(o -> o instanceof Pod).map(o -> (Pod) o).toList())
                .build());
    }

    private HttpResponse<String> send(String method, String path, String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.address().getPort() + path))
                .header("Accept", accept);
        b.method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString("{\"metadata\":{\"name\":\"web\"}}"));
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> r = send("GET", path, "application/json");
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    @Test
    void discoveryListsKindsWithShortNames() throws Exception {
        JsonNode v1 = get("/api/v1");
        assertEquals("APIResourceList", v1.path("kind").asText());
        JsonNode svc = null;
        for (JsonNode r : v1.path("resources")) {
            if (r.path("name").asText().equals("services")) {
                svc = r;
            }
        }
        assertEquals("svc", svc.path("shortNames").get(0).asText());
        assertEquals("all", svc.path("categories").get(0).asText());
        assertTrue(get("/apis").toString().contains("\"apps/v1\""));
        assertEquals("Deployment", get("/apis/apps/v1").at("/resources/0/kind").asText());
        HttpResponse<String> agg = send("GET", "/apis",
                "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json");
        assertTrue(agg.headers().firstValue("Content-Type").orElse("").contains("as=APIGroupDiscoveryList"));
        assertTrue(agg.body().contains("\"discovery.k8s.io\""));
        assertEquals("1", get("/version").path("major").asText());
    }

    @Test
    void tablesCarryKubectlsColumns() throws Exception {
        JsonNode t = JSON.readTree(send("GET", "/api/v1/namespaces/default/services", TABLE).body());
        assertEquals("Table", t.path("kind").asText());
        List<String> names = new ArrayList<>();
        t.path("columnDefinitions").forEach(c -> names.add(c.path("name").asText() + (c.path("priority").asInt() > 0 ? "*" : "")));
        assertEquals(List.of("Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector*"), names);
        JsonNode cells = t.at("/rows/0/cells");
        assertEquals("web", cells.get(0).asText());
        assertEquals("NodePort", cells.get(1).asText());
        assertEquals("10.96.0.10", cells.get(2).asText());
        assertEquals("80:30080/TCP", cells.get(4).asText());
        assertEquals("app=web", cells.get(6).asText());
        assertEquals("PartialObjectMetadata", t.at("/rows/0/object/kind").asText());
        JsonNode pods = JSON.readTree(send("GET", "/api/v1/pods?labelSelector=app%3Dweb", TABLE).body());
        assertEquals(2, pods.path("rows").size());
        assertEquals("10.0.0.2", pods.at("/rows/1/cells/5").asText());
    }

    @Test
    void selectorsAndPaging() throws Exception {
        assertEquals(1, get("/api/v1/pods?fieldSelector=status.podIP%3D10.0.0.2").path("items").size());
        assertEquals(2, get("/api/v1/services?fieldSelector=metadata.name!%3Dnope").path("items").size());
        HttpResponse<String> bad = send("GET", "/api/v1/pods?fieldSelector=spec.nope%3D1", "application/json");
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("field label not supported: spec.nope"));

        JsonNode page1 = get("/api/v1/pods?limit=1");
        assertEquals(1, page1.path("items").size());
        String cont = page1.at("/metadata/continue").asText();
        assertFalse(cont.isEmpty());
        JsonNode page2 = get("/api/v1/pods?limit=1&continue=" + cont);
        assertEquals("web-2", page2.at("/items/0/metadata/name").asText());
        assertTrue(page2.at("/metadata/continue").isMissingNode());
        for (int rev = 2; rev < 300; rev++) {
            publish(rev, objects);
        }
        assertEquals(410, send("GET", "/api/v1/pods?limit=1&continue=" + cont, "application/json").statusCode());
    }

    @Test
    void watchFollowsSnapshotsFromAResourceVersion() throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.address().getPort()
                + "/api/v1/namespaces/default/services?watch=true&resourceVersion=1")).build();
        HttpResponse<Stream<String>> resp = client.send(req, HttpResponse.BodyHandlers.ofLines());
        Iterator<String> lines = resp.body().iterator();
        List<KubeObject> fewer = objects.stream().filter(o -> !o.name().equals("web")).toList();
        publish(2, fewer);
        JsonNode deleted = JSON.readTree(lines.next());
        assertEquals("DELETED", deleted.path("type").asText());
        assertEquals("web", deleted.at("/object/metadata/name").asText());
        publish(3, objects);
        JsonNode added = JSON.readTree(lines.next());
        assertEquals("ADDED", added.path("type").asText());
        assertEquals("3", added.at("/object/metadata/resourceVersion").asText());
        resp.body().close();

        for (int rev = 4; rev < 300; rev++) {
            publish(rev, objects);
        }
        HttpResponse<String> old = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.address().getPort()
                + "/api/v1/services?watch=true&resourceVersion=1")).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode error = JSON.readTree(old.body());
        assertEquals("ERROR", error.path("type").asText());
        assertEquals(410, error.at("/object/code").asInt());
    }

    @Test
    void writesGet405NamingTheManifest() throws Exception {
        for (String method : List.of("POST", "PUT", "PATCH", "DELETE")) {
            String path = method.equals("POST") ? "/api/v1/namespaces/default/services" : "/api/v1/namespaces/default/services/web";
            HttpResponse<String> r = send(method, path, "application/json");
            assertEquals(405, r.statusCode(), method);
            JsonNode st = JSON.readTree(r.body());
            assertEquals("Status", st.path("kind").asText());
            assertEquals("MethodNotAllowed", st.path("reason").asText());
            assertTrue(st.path("message").asText().contains("web.yaml (document 1)"), st.path("message").asText());
        }
    }
}
