package dev.clusterdns.agent.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.clusterdns.agent.model.ConfigMap;
import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Endpoints;
import dev.clusterdns.agent.model.Ingress;
import dev.clusterdns.agent.model.IngressClass;
import dev.clusterdns.agent.model.KubeObject;
import dev.clusterdns.agent.model.Namespace;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.Secret;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.Workload;
import dev.clusterdns.agent.snapshot.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads Kubernetes manifests: `.yaml`/`.yml` (multi-document) and `.json` files, `kind: List`
 * (what `kubectl get -o yaml` prints) expanded. Supported kinds bind to the model records; other
 * kinds are reported and skipped. Thread-safe.
 */
public final class ManifestReader {

    /** apiVersion/kind → model type. */
    private static final Map<String, Class<? extends KubeObject>> KINDS = Map.ofEntries(
            Map.entry("v1/Service", Service.class),
            Map.entry("v1/Pod", Pod.class),
            Map.entry("v1/Namespace", Namespace.class),
            Map.entry("v1/Endpoints", Endpoints.class),
            Map.entry("v1/ConfigMap", ConfigMap.class),
            Map.entry("v1/Secret", Secret.class),
            Map.entry("discovery.k8s.io/v1/EndpointSlice", EndpointSlice.class),
            Map.entry("apps/v1/Deployment", Workload.class),
            Map.entry("apps/v1/ReplicaSet", Workload.class),
            Map.entry("apps/v1/StatefulSet", Workload.class),
            Map.entry("networking.k8s.io/v1/Ingress", Ingress.class),
            Map.entry("networking.k8s.io/v1/IngressClass", IngressClass.class));

    private final ObjectMapper yaml;
    private final ObjectMapper json;
    private final StrictDecoding strictDecoding = new StrictDecoding();
    /**
     * One reader per type for {@link #bind}: {@code ObjectMapper.readValue} looks the type and its
     * deserializer up again on every call, a fifth of binding a restart's 160k cached objects (JFR).
     */
    private final Map<Class<?>, com.fasterxml.jackson.databind.ObjectReader> binders =
            new java.util.concurrent.ConcurrentHashMap<>();

    public ManifestReader() {
        // As `new YAMLFactory()` reads (an empty value is null), with the limits added.
        this.yaml = configure(new YAMLMapper(new ManifestYamlFactory(YAMLFactory.builder().loaderOptions(loaderOptions())
                .streamReadConstraints(LIMITS).enable(com.fasterxml.jackson.dataformat.yaml.YAMLParser.Feature.EMPTY_STRING_AS_NULL))));
        this.json = configure(new JsonMapper(com.fasterxml.jackson.core.JsonFactory.builder().streamReadConstraints(LIMITS).build()));
    }

    /** No manifest nests 100 deep: deeper is an attack on the parser's stack, refused early. */
    private static final com.fasterxml.jackson.core.StreamReadConstraints LIMITS =
            com.fasterxml.jackson.core.StreamReadConstraints.builder().maxNestingDepth(100).build();

    /**
     * Bounds on what one YAML file may make the parser do: a manifest is never megabytes of one
     * scalar nor hundreds of levels deep, and aliases only ever shorten a file, never explode it.
     */
    private static org.yaml.snakeyaml.LoaderOptions loaderOptions() {
        org.yaml.snakeyaml.LoaderOptions o = new org.yaml.snakeyaml.LoaderOptions();
        o.setCodePointLimit(16 * 1024 * 1024);
        o.setNestingDepthLimit(100);
        o.setMaxAliasesForCollections(50);
        return o;
    }

    private static ObjectMapper configure(ObjectMapper m) {
        // The records model only what clusterdns uses; files were checked against the whole schema
        // (StrictDecoding) before they get here, so the rest is dropped on purpose.
        return m.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                .configure(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY, false);
    }

    /** True for the file names this reader loads (hidden and editor backup files excluded). */
    public static boolean isManifest(Path file) {
        String n = file.getFileName().toString();
        if (n.startsWith(".") || n.endsWith("~")) {
            return false;
        }
        String lower = n.toLowerCase(java.util.Locale.ROOT);
        return lower.endsWith(".yaml") || lower.endsWith(".yml") || lower.endsWith(".json");
    }

    public ManifestFile read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString(), file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".json"));
        } catch (IOException e) {
            return unreadable(file.toString(), "cannot read file: " + e.getMessage());
        }
    }

    /** Reads manifests from a stream; {@code name} is used in errors. */
    public ManifestFile read(InputStream in, String name, boolean isJson) {
        return read(in, name, isJson, null);
    }

    /**
     * As {@link #read(InputStream, String, boolean)}; {@code bound}, when not null, is given each
     * object of the result as it is bound (in the result's order): the document it was bound from,
     * its type key and its origin. The documents are parsed and bound one at a time, so that each
     * tree is garbage before the next is parsed: a file's trees held until the end of its parse
     * outlived young collections and were copied to the old generation, the bulk of a first start's
     * collections. When the stream turns out not to parse, the result is unreadable and what
     * {@code bound} was given before does not count.
     */
    ManifestFile read(InputStream in, String name, boolean isJson, BoundSink bound) {
        List<Manifest> manifests = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        try (Documents documents = new Documents(isJson ? json : yaml, in)) {
            boolean present = documents.advance();
            for (int i = 0; present; i++) {
                JsonNode doc = documents.current();
                // One document ahead: the first is named "(document 1)" only when a second follows.
                boolean followed = documents.advance();
                String origin = i > 0 || followed ? name + " (document " + (i + 1) + ")" : name;
                collect(doc, origin, manifests, problems, true, bound);
                present = followed;
            }
        } catch (NotParsed e) {
            return unreadable(name, "cannot parse: " + e.getMessage());
        }
        return new ManifestFile(manifests, problems, false);
    }

    /** The stream does not parse (the message says why, on one line). */
    private static final class NotParsed extends Exception {
        NotParsed(Exception cause) {
            super(oneLine(cause), cause, false, false);
        }
    }

    /**
     * A stream's documents, one at a time; whatever the parser throws (on opening, reading or
     * closing) becomes {@link NotParsed}, and nothing else does.
     */
    private static final class Documents implements AutoCloseable {
        private final MappingIterator<JsonNode> it;
        private JsonNode current;

        Documents(ObjectMapper mapper, InputStream in) throws NotParsed {
            try {
                it = mapper.readerFor(JsonNode.class).readValues(in);
            } catch (IOException | RuntimeException e) {
                throw new NotParsed(e);
            }
        }

        /** Parses the next document; false at the end of the stream. */
        boolean advance() throws NotParsed {
            try {
                if (!it.hasNextValue()) {
                    current = null;
                    return false;
                }
                current = it.nextValue();
                return true;
            } catch (IOException | RuntimeException e) {
                throw new NotParsed(e);
            }
        }

        /** The document the last {@link #advance} parsed (null for an empty one). */
        JsonNode current() {
            return current;
        }

        @Override
        public void close() throws NotParsed {
            try {
                it.close();
            } catch (IOException | RuntimeException e) {
                throw new NotParsed(e);
            }
        }
    }

    /**
     * Binds one document (or a List's items) to the model. {@code strict}: decode as the API server
     * does with strict field validation first (files); objects from an API server were decoded by it
     * already, possibly with fields newer than the schema known here, so they are bound as they are.
     */
    private void collect(JsonNode doc, String origin, List<Manifest> out, List<Problem> problems, boolean strict,
                         BoundSink bound) {
        if (doc == null || doc.isNull() || doc.isMissingNode() || (doc.isObject() && doc.isEmpty())
                || (doc.isTextual() && doc.asText().isBlank())) {
            return; // empty YAML document (e.g. a trailing ---)
        }
        if (!doc.isObject()) {
            problems.add(new Problem(origin, "", "error validating data: expected a Kubernetes object, found " + doc.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)));
            return;
        }
        String apiVersion = doc.path("apiVersion").asText("");
        String kind = doc.path("kind").asText("");
        if (apiVersion.isEmpty() || kind.isEmpty()) {
            List<String> missing = new ArrayList<>();
            if (apiVersion.isEmpty()) {
                missing.add("apiVersion not set");
            }
            if (kind.isEmpty()) {
                missing.add("kind not set");
            }
            problems.add(new Problem(origin, "", "error validating data: " + missing + "; the object is ignored"));
            return;
        }
        if (kind.equals("List") || (kind.endsWith("List") && doc.has("items"))) {
            JsonNode items = doc.path("items");
            for (int i = 0; i < items.size(); i++) {
                collect(items.get(i), origin + " items[" + i + "]", out, problems, strict, bound);
            }
            return;
        }
        String typeKey = apiVersion + "/" + kind;
        Class<? extends KubeObject> type = KINDS.get(typeKey);
        String name = doc.path("metadata").path("name").asText("");
        if (type != null && !doc.path("metadata").isObject()) {
            // Every later step keys objects by metadata; without it the object cannot even be named.
            problems.add(new Problem(origin, kind + " ", "error validating data: ValidationError(" + kind
                    + "): missing required field \"metadata\"; the object is ignored"));
            return;
        }
        if (type == null) {
            problems.add(new Problem(origin, kind + " " + name,
                    "kind " + kind + " (" + apiVersion + ") is not supported; ignored (supported: "
                            + String.join(", ", supportedKinds()) + ")"));
            return;
        }
        if (strict) {
            java.util.Optional<String> error = strictDecoding.check(apiVersion, kind, doc);
            if (error.isPresent()) {
                problems.add(new Problem(origin, kind + " " + name, error.get()));
                return;
            }
        }
        try {
            out.add(new Manifest(json.treeToValue(doc, type), origin));
            if (bound != null) {
                bound.bound(typeKey, origin, doc);
            }
        } catch (JsonProcessingException | IllegalArgumentException e) {
            problems.add(new Problem(origin, kind + " " + name,
                    "The " + kind + " \"" + name + "\" is invalid: " + TypeMismatch.describe(e, doc)));
        }
    }

    /** Binds one object given as JSON (e.g. from the Kubernetes API); problems as for files. */
    public ManifestFile readJson(String jsonText, String origin) {
        JsonNode doc;
        try {
            doc = json.readTree(jsonText);
        } catch (IOException e) {
            return unreadable(origin, "cannot parse: " + oneLine(e));
        }
        List<Manifest> manifests = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        collect(doc, origin, manifests, problems, false, null);
        return new ManifestFile(manifests, problems, false);
    }

    /** Given each object as it is bound: its type ({@code apiVersion/kind}), origin and document. */
    interface BoundSink {
        void bound(String typeKey, String origin, JsonNode document);
    }

    /**
     * Binds a document read from another parser (the parse cache's) to the type a {@link BoundSink}
     * was given, with the same settings as a document read from a file; the parser is at its START_OBJECT.
     */
    KubeObject bind(com.fasterxml.jackson.core.JsonParser parser, String typeKey) throws IOException {
        Class<? extends KubeObject> type = KINDS.get(typeKey);
        if (type == null) {
            throw new IOException("unknown type " + typeKey);
        }
        return binders.computeIfAbsent(type, json::readerFor).readValue(parser);
    }

    /** Writes a document as {@link #bind} reads it back. */
    void write(com.fasterxml.jackson.core.JsonGenerator generator, JsonNode document) throws IOException {
        json.writeTree(generator, document);
    }

    static List<String> supportedKinds() {
        return KINDS.keySet().stream().sorted().toList();
    }

    private static ManifestFile unreadable(String name, String message) {
        return new ManifestFile(List.of(), List.of(new Problem(name, "", message)), true);
    }

    private static String oneLine(Exception e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        return m.replace('\n', ' ').replaceAll("\\s+", " ").trim();
    }
}
