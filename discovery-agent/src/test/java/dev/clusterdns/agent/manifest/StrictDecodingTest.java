package dev.clusterdns.agent.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.snapshot.Problem;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Unknown fields and wrong types in files get the API server's strict-decoding errors. */
class StrictDecodingTest {
    private final ManifestReader reader = new ManifestReader();

    private ManifestFile yaml(String text) {
        return reader.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "bad.yaml", false);
    }

    private ManifestFile json(String text) {
        return reader.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "bad.json", true);
    }

    /** The one problem of a file whose only object is refused. */
    private static String onlyProblem(ManifestFile f) {
        assertEquals(List.of(), f.manifests(), "the object must be left out");
        assertEquals(1, f.problems().size(), f.problems().toString());
        return f.problems().get(0).message();
    }

    @Test
    void misspelledSelectorIsAnUnknownFieldAndTheOtherObjectsOfTheFileStay() {
        ManifestFile f = yaml("""
                apiVersion: v1
                kind: Service
                metadata: {name: good}
                spec: {selector: {app: web}, ports: [{port: 80}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec:
                  selectr: {app: web}
                  ports: [{port: 80}]
                """);
        assertEquals(1, f.manifests().size(), f.problems().toString());
        assertEquals("good", f.manifests().get(0).object().name());
        assertEquals(List.of(new Problem("bad.yaml (document 2)", "Service web",
                "Service in version \"v1\" cannot be handled as a Service: strict decoding error: unknown field \"spec.selectr\"")),
                f.problems());
        assertEquals("bad.yaml (document 2): Service web: Service in version \"v1\" cannot be handled as a Service: "
                + "strict decoding error: unknown field \"spec.selectr\"", f.problems().get(0).toString());
    }

    @Test
    void severalUnknownFieldsAreListedTogetherInTheApiServersOrder() {
        // Written out of order: the API server sees JSON with sorted keys, depth first.
        String m = onlyProblem(yaml("""
                apiVersion: v1
                kind: Service
                metadata: {name: web, lables: {app: web}}
                spec:
                  selectr: {app: web}
                  ports:
                  - {port: 80, targetport: 8080}
                  - {name: b, port: 81, protocl: UDP, nodeport: 30001}
                extra: 1
                """));
        assertEquals("Service in version \"v1\" cannot be handled as a Service: strict decoding error: "
                + "unknown field \"extra\", unknown field \"metadata.lables\", unknown field \"spec.ports[0].targetport\", "
                + "unknown field \"spec.ports[1].nodeport\", unknown field \"spec.ports[1].protocl\", "
                + "unknown field \"spec.selectr\"", m);
    }

    @Test
    void unknownFieldsDeepInPodTemplatesAndListsAreFound() {
        String m = onlyProblem(yaml("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  replicas: 2
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      containers:
                      - name: web
                        image: nginx
                        ports: [{containerPort: 80, nmae: http}]
                        readinessProbe: {httpGet: {path: /, port: 80, hots: x}}
                """));
        assertEquals("Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: "
                + "unknown field \"spec.template.spec.containers[0].ports[0].nmae\", "
                + "unknown field \"spec.template.spec.containers[0].readinessProbe.httpGet.hots\"", m);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            Pod         | v1                   | 'spec: {containers: [{name: a, image: b, imagePullPolice: Always}]}' | spec.containers[0].imagePullPolice
            Pod         | v1                   | 'status: {podIP: 10.0.0.1, podIp: 10.0.0.1}'                       | status.podIp
            Endpoints   | v1                   | 'subsets: [{adresses: [{ip: 10.0.0.1}]}]'                          | subsets[0].adresses
            EndpointSlice | discovery.k8s.io/v1 | 'addressType: IPv4\nendpoints: [{addresses: [10.0.0.1], condition: {ready: true}}]' | endpoints[0].condition
            ConfigMap   | v1                   | 'date: {a: b}'                                                      | date
            Secret      | v1                   | 'stringdata: {a: b}'                                                | stringdata
            Namespace   | v1                   | 'spec: {finalizer: [kubernetes]}'                                   | spec.finalizer
            ReplicaSet  | apps/v1              | 'spec: {replica: 1}'                                                | spec.replica
            StatefulSet | apps/v1              | 'spec: {servicename: web}'                                          | spec.servicename
            Ingress     | networking.k8s.io/v1 | 'spec: {rules: [{host: a.test, http: {path: []}}]}'                 | spec.rules[0].http.path
            IngressClass | networking.k8s.io/v1 | 'spec: {controler: x}'                                             | spec.controler
            """)
    void everyKindIsDecodedStrictly(String kind, String apiVersion, String body, String field) {
        String m = onlyProblem(yaml("apiVersion: " + apiVersion + "\nkind: " + kind + "\nmetadata: {name: x}\n"
                + body.replace("\\n", "\n") + "\n"));
        assertEquals(kind + " in version \"v1\" cannot be handled as a " + kind
                + ": strict decoding error: unknown field \"" + field + "\"", m);
    }

    @Test
    void mapsTakeAnyKeyAndStatusBlocksAndManagedFieldsStayAccepted() {
        // What `kubectl get -o yaml --show-managed-fields` prints, cut down.
        ManifestFile f = yaml("""
                apiVersion: v1
                kind: Service
                metadata:
                  name: web
                  namespace: default
                  uid: 0b7c9c1e-0000-4000-8000-000000000001
                  resourceVersion: "42"
                  creationTimestamp: "2024-01-01T00:00:00Z"
                  labels: {app: web, "example.com/any-key": v}
                  annotations: {"kubectl.kubernetes.io/last-applied-configuration": "{}", anything.goes/here: "x"}
                  managedFields:
                  - manager: kubectl
                    operation: Update
                    apiVersion: v1
                    fieldsType: FieldsV1
                    fieldsV1: {"f:spec": {"f:ports": {".": {}, "k:{\\"port\\":80}": {}}}}
                spec:
                  type: LoadBalancer
                  selector: {app: web}
                  ports: [{name: http, port: 80, targetPort: http, protocol: TCP, nodePort: 30080}]
                  sessionAffinity: None
                  trafficDistribution: PreferClose
                status:
                  loadBalancer: {ingress: [{ip: 127.200.0.1, ipMode: VIP}]}
                  conditions: []
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: web-0, labels: {app: web}}
                spec:
                  containers:
                  - name: web
                    image: nginx
                    resources: {limits: {cpu: 1, memory: 1Gi}, requests: {cpu: 500m}}
                status:
                  phase: Running
                  podIP: 10.0.0.5
                  podIPs: [{ip: 10.0.0.5}]
                  conditions: [{type: Ready, status: "True", lastTransitionTime: "2024-01-01T00:00:00Z"}]
                  containerStatuses: [{name: web, ready: true, restartCount: 0, image: nginx, imageID: "", started: true,
                                       state: {running: {startedAt: "2024-01-01T00:00:00Z"}}}]
                """);
        assertEquals(List.of(), f.problems());
        assertEquals(2, f.manifests().size());
    }

    @Test
    void kindsClusterdnsDoesNotServeAreStillSkippedAsBefore() {
        ManifestFile f = yaml("""
                apiVersion: batch/v1
                kind: Job
                metadata: {name: j}
                spec: {whatever: 1}
                """);
        assertEquals(List.of(), f.manifests());
        assertEquals(1, f.problems().size());
        assertTrue(f.problems().get(0).message().startsWith("kind Job (batch/v1) is not supported; ignored"),
                f.problems().toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            string for int32             | 'spec: {ports: [{port: eighty}]}'                       | 'spec.ports[0].port: Invalid value: "eighty": expected an integer (int32), got a string'
            quoted number for int32      | 'spec: {ports: [{port: "80"}]}'                         | 'spec.ports[0].port: Invalid value: "80": expected an integer (int32), got a string'
            fraction for int32           | 'spec: {ports: [{port: 80.5}]}'                         | 'spec.ports[0].port: Invalid value: 80.5: expected an integer (int32), got a number with a fraction'
            int32 overflow               | 'spec: {ports: [{port: 8000000000}]}'                   | 'spec.ports[0].port: Invalid value: 8000000000: expected an integer (int32), got an integer out of range'
            empty string for int32       | 'spec: {ports: [{port: ""}]}'                           | 'spec.ports[0].port: Invalid value: "": expected an integer (int32), got an empty string'
            number for string            | 'spec: {type: 1}'                                       | 'spec.type: Invalid value: 1: expected a string, got an integer (quote it to make it a string)'
            boolean for string           | 'spec: {clusterIP: true}'                               | 'spec.clusterIP: Invalid value: true: expected a string, got a boolean (quote it to make it a string)'
            string for boolean           | 'spec: {publishNotReadyAddresses: "true"}'              | 'spec.publishNotReadyAddresses: Invalid value: "true": expected a boolean (true or false), got a string'
            list for map                 | 'spec: {selector: [app, web]}'                          | 'spec.selector: Invalid value: ["app","web"]: expected a map (key: value), got a list'
            map for list                 | 'spec: {ports: {port: 80}}'                             | 'spec.ports: Invalid value: {"port":80}: expected a list, got a map'
            list for object              | 'spec: [a]'                                             | 'spec: Invalid value: ["a"]: expected an object, got a list'
            number as label value        | 'spec: {}\nmetadata: {name: x, labels: {version: 1}}' | 'metadata.labels.version: Invalid value: 1: expected a string, got an integer (quote it to make it a string)'
            YAML 1.1 yes in an annotation | 'spec: {}\nmetadata: {name: x, annotations: {enabled: yes}}' | 'metadata.annotations.enabled: Invalid value: true: expected a string, got a boolean (quote it to make it a string)'
            boolean for int-or-string    | 'spec: {ports: [{port: 80, targetPort: true}]}'         | 'spec.ports[0].targetPort: Invalid value: true: expected an integer or a string, got a boolean'
            """)
    void wrongTypesNameTheFieldTheValueAndWhatIsAllowed(String what, String body, String expected) {
        String doc = "apiVersion: v1\nkind: Service\n" + (body.contains("metadata:") ? "" : "metadata: {name: x}\n")
                + body.replace("\\n", "\n") + "\n";
        String m = onlyProblem(yaml(doc));
        assertEquals("Service in version \"v1\" cannot be handled as a Service: " + expected, m);
        assertFalse(m.contains("java"), m);
    }

    @Test
    void aWrongTypeWinsOverUnknownFieldsAsInTheApiServer() {
        String m = onlyProblem(yaml("""
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec: {selectr: {app: web}, ports: [{port: eighty}]}
                """));
        assertEquals("Service in version \"v1\" cannot be handled as a Service: "
                + "spec.ports[0].port: Invalid value: \"eighty\": expected an integer (int32), got a string", m);
    }

    @Test
    void jsonFilesAndListItemsAreDecodedStrictlyToo() {
        ManifestFile f = json("""
                {"apiVersion": "v1", "kind": "List", "items": [
                  {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a"}, "spec": {"ports": [{"port": 80}]}},
                  {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "b"}, "spec": {"prots": [{"port": 80}]}},
                  {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "c"}, "spec": {"ports": [{"port": "80"}]}}
                ]}
                """);
        assertEquals(List.of("a"), f.manifests().stream().map(m -> m.object().name()).toList());
        assertEquals(List.of(
                new Problem("bad.json items[1]", "Service b",
                        "Service in version \"v1\" cannot be handled as a Service: strict decoding error: unknown field \"spec.prots\""),
                new Problem("bad.json items[2]", "Service c",
                        "Service in version \"v1\" cannot be handled as a Service: spec.ports[0].port: Invalid value: \"80\": "
                                + "expected an integer (int32), got a string")),
                f.problems());
    }

    @Test
    void objectsFromAnApiServerAreNotRefusedForFieldsNewerThanTheSchemaKnownHere() {
        // The API server decoded them already; a newer server may carry fields fabric8 does not know yet.
        ManifestFile f = reader.readJson("""
                {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a"},
                 "spec": {"ports": [{"port": 80}], "someFutureField": true}}
                """, "api");
        assertEquals(List.of(), f.problems());
        assertEquals(80, ((Service) f.manifests().get(0).object()).spec().ports().get(0).port());
    }
}
