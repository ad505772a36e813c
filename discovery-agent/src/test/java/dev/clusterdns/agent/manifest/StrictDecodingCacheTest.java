package dev.clusterdns.agent.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Strict decoding skips documents whose shape decoded before: over many varied documents (unknown
 * fields, wrong types, quoted numbers, YAML 1.1 booleans, nested lists, out-of-range integers),
 * documents of one shape always get one verdict, and the cached check answers exactly as the
 * uncached one, message for message.
 */
class StrictDecodingCacheTest {
    private static final YAMLMapper YAML = new YAMLMapper();

    /** Bases that reach every kind of field decoder: strings, int32, int64, booleans, maps, lists, quantities, int-or-strings, free-form fieldsV1. */
    private static final List<String> BASES = List.of("""
            apiVersion: v1
            kind: Service
            metadata:
              name: web
              namespace: ns-1
              labels: {app: web, tier: front}
            spec:
              type: ClusterIP
              selector: {app: web}
              publishNotReadyAddresses: false
              ports:
              - {name: http, port: 80, protocol: TCP, targetPort: 8080}
              - {name: admin, port: 81, targetPort: admin}
              sessionAffinityConfig: {clientIP: {timeoutSeconds: 300}}
            """, """
            apiVersion: v1
            kind: Pod
            metadata:
              name: web-0
              namespace: ns-1
              labels: {app: web}
              managedFields:
              - manager: kubectl
                operation: Apply
                fieldsV1: {"f:metadata": {"f:labels": {}}}
            spec:
              hostNetwork: false
              activeDeadlineSeconds: 30
              containers:
              - name: app
                image: registry.example/app:1.0
                args: [--port, "8080"]
                ports:
                - {name: http, containerPort: 8080, protocol: TCP}
                resources:
                  limits: {cpu: 500m, memory: 1Gi}
                  requests: {cpu: 1}
                readinessProbe:
                  httpGet: {path: /ready, port: http}
                  periodSeconds: 5
            status:
              phase: Running
              podIP: 10.128.0.1
              podIPs: [{ip: 10.128.0.1}]
              conditions: [{type: Ready, status: "True"}]
            """, """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: ns-1}
            spec:
              replicas: 3
              paused: false
              strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 25%, maxUnavailable: 1}}
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  terminationGracePeriodSeconds: 30
                  containers:
                  - name: app
                    image: app
                    env: [{name: A, value: "1"}, {name: B, valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 1m}}}]
            """, """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: conf, namespace: ns-1}
            immutable: true
            data: {a: "1", b: two}
            """, """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: web-abc, namespace: ns-1, labels: {kubernetes.io/service-name: web}}
            addressType: IPv4
            ports: [{name: http, port: 8080, protocol: TCP}]
            endpoints:
            - addresses: [10.128.0.1]
              conditions: {ready: true, serving: true}
            """);

    /** Scalars as YAML 1.1 types them: quoted numbers, yes/on booleans, octal, hex, floats, null, big ints, blanks. */
    private static final List<String> SCALARS = List.of("80", "'80'", "\"8080\"", "-1", "0", "2147483647", "2147483648",
            "-2147483649", "9223372036854775807", "9223372036854775808", "8.5", "80.0", "1e3", "1.5e300", "0x1F", "017",
            "1.10", "yes", "no", "on", "off", "true", "True", "FALSE", "y", "~", "null", "''", "' '", "'\t'", "abc", "500m",
            "1Ki", "'1..2'", "'-'", "http", "\"True\"", "[]", "{}", "[1, a]", "[[1], [b]]", "{amount: 1}", "{a: {b: [1]}}",
            "[{port: 80}]", "[a, b]", "2026-01-01", "'2026-01-01T00:00:00Z'");

    /** Other values of the same shape class, to swap in without changing the shape. */
    private static final List<String> SAME_STRINGS = List.of("x", "web-1", "80", "true", "yes", "1Ki", "-", "0x10",
            "1e3", " padded ", "NaN", "Infinity", "1..2", "é", "a:b");
    private static final List<Integer> SAME_INTS = List.of(0, -1, 1, 80, 65535, 65536, Integer.MAX_VALUE, Integer.MIN_VALUE);

    private static final List<String> FIELD_NAMES = List.of("selectr", "name", "port", "ports", "extra", "targetport",
            "containers", "labels", "metadata", "spec", "amount", "value", "f:spec", "type", "x-y.z/w");

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void cachedVerdictsEqualUncachedOnesAndOneShapeHasOneVerdict(long seed) {
        Random random = new Random(seed);
        StrictDecoding cached = new StrictDecoding();
        StrictDecoding uncached = new StrictDecoding();
        Map<String, Boolean> verdictByShape = new HashMap<>();
        Map<String, String> exampleByShape = new HashMap<>();
        Map<String, Long> digestByShape = new HashMap<>();
        List<String> shapes = new ArrayList<>();
        int hits = 0;
        int passes = 0;
        int failures = 0;
        for (int i = 0; i < 1500; i++) {
            ObjectNode doc = (ObjectNode) parse(BASES.get(random.nextInt(BASES.size())));
            int mutations = random.nextInt(4);
            for (int m = 0; m < mutations; m++) {
                mutate(doc, random);
            }
            for (int m = random.nextInt(6); m > 0; m--) {
                sameShapeChange(doc, random);
            }
            String apiVersion = doc.path("apiVersion").asText();
            String kind = doc.path("kind").asText();
            Optional<String> expected = uncached.checkUncached(apiVersion, kind, doc);
            assertEquals(expected, cached.check(apiVersion, kind, doc), () -> "cached verdict differs for " + doc);
            String shape = DocumentShape.of(doc);
            if (shape == null) {
                continue;
            }
            // The digest and the walk that confirm a shape agree with the text it is kept as.
            assertTrue(DocumentShape.matches(doc, shape), shape);
            Long digest = digestByShape.putIfAbsent(shape, DocumentShape.hash(doc));
            assertEquals(digest == null ? DocumentShape.hash(doc) : digest, DocumentShape.hash(doc));
            if (!shapes.isEmpty()) {
                String other = shapes.get(random.nextInt(shapes.size()));
                assertEquals(other.equals(shape), DocumentShape.matches(doc, other), () -> doc + " against " + other);
                assertEquals(false, DocumentShape.matches(doc, other.substring(0, other.length() - 1)));
            }
            shapes.add(shape);
            String key = apiVersion + "/" + kind + "\n" + shape;
            Boolean before = verdictByShape.putIfAbsent(key, expected.isEmpty());
            if (before != null) {
                hits++;
                assertEquals(before, expected.isEmpty(), () -> "same shape, different verdicts:\n" + exampleByShape.get(key)
                        + "\n" + doc + "\n" + expected);
            } else {
                exampleByShape.put(key, doc.toString());
            }
            if (expected.isEmpty()) {
                passes++;
            } else {
                failures++;
            }
        }
        // The property means something only when shapes repeat and both verdicts occur often.
        assertTrue(hits > 300, "shape repeats: " + hits);
        assertTrue(passes > 200 && failures > 200, "passes " + passes + ", failures " + failures);
    }

    @Test
    void documentsThatDifferOnlyInValuesShareAShapeAndTheCacheAnswersTheSecondUnchanged() {
        StrictDecoding decoding = new StrictDecoding();
        JsonNode a = parse(BASES.get(1));
        ObjectNode b = (ObjectNode) parse(BASES.get(1).replace("web-0", "other").replace("10.128.0.1", "10.9.9.9")
                .replace("containerPort: 8080", "containerPort: 9"));
        assertEquals(DocumentShape.of(a), DocumentShape.of(b));
        assertEquals(Optional.empty(), decoding.check("v1", "Pod", a));
        assertEquals(Optional.empty(), decoding.check("v1", "Pod", b));
    }

    @Test
    void whatDecodersTellApartChangesTheShape() {
        String base = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: %s}]}\n";
        List<String> distinct = List.of("80", "'80'", "2147483648", "9223372036854775808", "8.5", "8.25", "true", "false",
                "~", "''", "' '", "[]", "{}");
        List<String> shapes = new ArrayList<>();
        for (String v : distinct) {
            shapes.add(DocumentShape.of(parse(base.formatted(v))));
        }
        assertEquals(distinct.size(), shapes.stream().distinct().count(), shapes::toString);
        // Field names, their order and list lengths are part of it too.
        assertNotEquals(DocumentShape.of(parse("a: 1\nb: 2\n")), DocumentShape.of(parse("b: 2\na: 1\n")));
        assertNotEquals(DocumentShape.of(parse("a: [1]\n")), DocumentShape.of(parse("a: [1, 2]\n")));
        assertNotEquals(DocumentShape.of(parse("ab: 1\n")), DocumentShape.of(parse("a: {b: 1}\n")));
        assertEquals(false, DocumentShape.matches(parse("a: [1]\n"), DocumentShape.of(parse("a: [1, 2]\n"))));
        assertEquals(false, DocumentShape.matches(parse("a: {}\nb: 1\n"), DocumentShape.of(parse("a: {b: 1}\n"))));
    }

    @Test
    void aFailedShapeIsDecodedEveryTimeSoEachMessageNamesItsOwnValue() {
        StrictDecoding decoding = new StrictDecoding();
        String base = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: %s}]}\n";
        Optional<String> eighty = decoding.check("v1", "Service", parse(base.formatted("'80'")));
        Optional<String> ninety = decoding.check("v1", "Service", parse(base.formatted("'90'")));
        assertTrue(eighty.orElseThrow().contains("Invalid value: \"80\""), eighty::toString);
        assertTrue(ninety.orElseThrow().contains("Invalid value: \"90\""), ninety::toString);
    }

    @Test
    void aVeryLongShapeIsNotKept() {
        StringBuilder sb = new StringBuilder("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n");
        for (int i = 0; i < 2000; i++) {
            sb.append("  key").append(i).append(": v\n");
        }
        JsonNode doc = parse(sb.toString());
        assertEquals(null, DocumentShape.of(doc));
        assertEquals(Optional.empty(), new StrictDecoding().check("v1", "ConfigMap", doc));
        assertNotNull(DocumentShape.of(parse(BASES.get(3))));
    }

    /** A structural change: a field added, removed, or a value replaced by another type. */
    private static void mutate(ObjectNode doc, Random random) {
        List<JsonNode> containers = new ArrayList<>();
        collectContainers(doc, containers);
        JsonNode target = containers.get(random.nextInt(containers.size()));
        switch (random.nextInt(4)) {
            case 0 -> {
                if (target instanceof ObjectNode o) {
                    o.set(FIELD_NAMES.get(random.nextInt(FIELD_NAMES.size())), scalar(random));
                }
            }
            case 1 -> replaceChild(target, random, scalar(random));
            case 2 -> {
                if (target instanceof ObjectNode o && o.size() > 1) {
                    List<String> names = new ArrayList<>();
                    o.fieldNames().forEachRemaining(names::add);
                    String n = names.get(random.nextInt(names.size()));
                    if (!n.equals("apiVersion") && !n.equals("kind")) {
                        o.remove(n);
                    }
                }
            }
            default -> {
                if (target instanceof ArrayNode a && !a.isEmpty()) {
                    a.add(a.get(random.nextInt(a.size())).deepCopy());
                } else {
                    replaceChild(target, random, JsonNodeFactory.instance.arrayNode().add(scalar(random)));
                }
            }
        }
    }

    /** A change that keeps the shape: a non-blank string for another, an int32 for another. */
    private static void sameShapeChange(ObjectNode doc, Random random) {
        List<JsonNode> containers = new ArrayList<>();
        collectContainers(doc, containers);
        JsonNode target = containers.get(random.nextInt(containers.size()));
        List<String> keys = new ArrayList<>();
        if (target instanceof ObjectNode o) {
            o.fieldNames().forEachRemaining(keys::add);
            keys.remove("apiVersion");
            keys.remove("kind");
            if (keys.isEmpty()) {
                return;
            }
            String k = keys.get(random.nextInt(keys.size()));
            JsonNode v = o.get(k);
            JsonNode next = sameClass(v, random);
            if (next != null) {
                o.set(k, next);
            }
        } else if (target instanceof ArrayNode a && !a.isEmpty()) {
            int i = random.nextInt(a.size());
            JsonNode next = sameClass(a.get(i), random);
            if (next != null) {
                a.set(i, next);
            }
        }
    }

    private static JsonNode sameClass(JsonNode v, Random random) {
        if (v.isTextual() && !v.asText().isBlank()) {
            return JsonNodeFactory.instance.textNode(SAME_STRINGS.get(random.nextInt(SAME_STRINGS.size())));
        }
        if (v.isInt()) {
            return JsonNodeFactory.instance.numberNode(SAME_INTS.get(random.nextInt(SAME_INTS.size())));
        }
        return null;
    }

    private static void replaceChild(JsonNode target, Random random, JsonNode value) {
        if (target instanceof ObjectNode o && !o.isEmpty()) {
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            String n = names.get(random.nextInt(names.size()));
            if (!n.equals("apiVersion") && !n.equals("kind")) {
                o.set(n, value);
            }
        } else if (target instanceof ArrayNode a && !a.isEmpty()) {
            a.set(random.nextInt(a.size()), value);
        }
    }

    private static void collectContainers(JsonNode n, List<JsonNode> out) {
        if (n.isContainerNode()) {
            out.add(n);
            n.forEach(child -> collectContainers(child, out));
        }
    }

    /** A scalar (or small structure) as YAML types it. */
    private static JsonNode scalar(Random random) {
        return parse("v: " + SCALARS.get(random.nextInt(SCALARS.size())) + "\n").get("v");
    }

    private static JsonNode parse(String yaml) {
        try {
            return YAML.readTree(yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
