package dev.clusterdns.agent.manifest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The API server's strict decoding of a manifest object (field validation `Strict`, what
 * `kubectl apply` asks for since 1.27): every field must exist in the kind's schema and every value
 * must have the field's JSON type. The schema is the one fabric8's model classes carry (every field
 * of every Kubernetes kind), not the subset clusterdns' own records bind, so a field clusterdns does
 * not use is still known, and a misspelled one (`selectr`) is not silently dropped.
 *
 * <p>fabric8's classes collect unknown fields in `additionalProperties` through an any-setter; this
 * mapper switches the any-setters off, so Jackson reports each unknown field to a problem handler
 * with its path. Only `managedFields[].fieldsV1` keeps its any-setter: its content is free-form.
 * Go's encoding/json does not coerce, so neither does this mapper: `"80"` is not an int32, `80` is
 * not a string, `80.5` is not an integer, `"true"` is not a boolean.
 */
final class StrictDecoding {

    /** apiVersion/kind → the fabric8 class that carries its schema. */
    private static final Map<String, Class<?>> SCHEMAS = Map.ofEntries(
            Map.entry("v1/Service", io.fabric8.kubernetes.api.model.Service.class),
            Map.entry("v1/Pod", io.fabric8.kubernetes.api.model.Pod.class),
            Map.entry("v1/Namespace", io.fabric8.kubernetes.api.model.Namespace.class),
            Map.entry("v1/Endpoints", io.fabric8.kubernetes.api.model.Endpoints.class),
            Map.entry("v1/ConfigMap", io.fabric8.kubernetes.api.model.ConfigMap.class),
            Map.entry("v1/Secret", io.fabric8.kubernetes.api.model.Secret.class),
            Map.entry("discovery.k8s.io/v1/EndpointSlice", io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice.class),
            Map.entry("apps/v1/Deployment", io.fabric8.kubernetes.api.model.apps.Deployment.class),
            Map.entry("apps/v1/ReplicaSet", io.fabric8.kubernetes.api.model.apps.ReplicaSet.class),
            Map.entry("apps/v1/StatefulSet", io.fabric8.kubernetes.api.model.apps.StatefulSet.class),
            Map.entry("networking.k8s.io/v1/Ingress", io.fabric8.kubernetes.api.model.networking.v1.Ingress.class),
            Map.entry("networking.k8s.io/v1/IngressClass", io.fabric8.kubernetes.api.model.networking.v1.IngressClass.class));

    private final ObjectMapper mapper = JsonMapper.builder()
            .annotationIntrospector(new NoAnySetters())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .withCoercionConfig(LogicalType.Textual, c -> {
                c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
                c.setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
                c.setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
            })
            .build();

    /**
     * The shapes ({@link DocumentShape}) of documents that decoded without error, by kind and
     * shape digest: another document of the same kind and shape decodes alike, so it is not decoded
     * again. Errors are always decoded, so their messages name the document's own values. Bounded:
     * past it, new shapes are decoded every time.
     */
    private final Map<Long, Passed> passed = new ConcurrentHashMap<>();

    private record Passed(String kind, String shape) {}

    /**
     * Decodes {@code doc} strictly; empty when it decodes, else the API server's message, e.g.
     * `Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.selectr"`.
     * As in the API server, a wrong type wins over unknown fields (Go's decoder stops at it).
     */
    Optional<String> check(String apiVersion, String kind, JsonNode doc) {
        String kindKey = apiVersion + "/" + kind;
        Class<?> schema = SCHEMAS.get(kindKey);
        if (schema == null) {
            return Optional.empty();
        }
        long digest = 31 * kindKey.hashCode() + DocumentShape.hash(doc);
        Passed known = passed.get(digest);
        if (known != null && known.kind().equals(kindKey) && DocumentShape.matches(doc, known.shape())) {
            return Optional.empty();
        }
        Optional<String> error = decode(schema, apiVersion, kind, doc);
        if (error.isEmpty() && known == null && passed.size() < MAX_SHAPES) {
            String shape = DocumentShape.of(doc);
            if (shape != null) {
                passed.putIfAbsent(digest, new Passed(kindKey, shape));
            }
        }
        return error;
    }

    private Optional<String> decode(Class<?> schema, String apiVersion, String kind, JsonNode doc) {
        String prefix = kind + " in version \"" + version(apiVersion) + "\" cannot be handled as a " + kind + ": ";
        List<List<Object>> unknown = new ArrayList<>();
        try {
            mapper.readerFor(schema).withHandler(new UnknownFields(unknown)).readValue(doc);
        } catch (IOException | RuntimeException e) {
            return Optional.of(prefix + TypeMismatch.describe(e, doc));
        }
        if (unknown.isEmpty()) {
            return Optional.empty();
        }
        // The API server sees the object as JSON with sorted keys (kubectl sends it so): its list
        // follows that order, depth first.
        unknown.sort(FieldPaths.ORDER);
        StringBuilder sb = new StringBuilder(prefix).append("strict decoding error: ");
        for (int i = 0; i < unknown.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append("unknown field \"").append(FieldPaths.render(unknown.get(i))).append('"');
        }
        return Optional.of(sb.toString());
    }

    /** Shapes kept: a few per workload kind in a typical cluster; at most ~8 MB. */
    static final int MAX_SHAPES = 1024;

    /** Uncached, for tests that compare the two. */
    Optional<String> checkUncached(String apiVersion, String kind, JsonNode doc) {
        Class<?> schema = SCHEMAS.get(apiVersion + "/" + kind);
        return schema == null ? Optional.empty() : decode(schema, apiVersion, kind, doc);
    }

    /** `v1` for `v1`, `v1` for `apps/v1`: the API server names the version without its group. */
    private static String version(String apiVersion) {
        int slash = apiVersion.lastIndexOf('/');
        return slash < 0 ? apiVersion : apiVersion.substring(slash + 1);
    }

    /** fabric8's any-setters off, except where the content is free-form by definition. */
    private static final class NoAnySetters extends JacksonAnnotationIntrospector {
        @Override
        public Boolean hasAnySetter(Annotated a) {
            if (a instanceof AnnotatedMember m
                    && m.getDeclaringClass() == io.fabric8.kubernetes.api.model.FieldsV1.class) {
                return super.hasAnySetter(a);
            }
            return Boolean.FALSE;
        }
    }

    /** Records each unknown field's path (segments: names and indexes) and skips its value. */
    private static final class UnknownFields extends DeserializationProblemHandler {
        private final List<List<Object>> paths;

        UnknownFields(List<List<Object>> paths) {
            this.paths = paths;
        }

        @Override
        public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p, JsonDeserializer<?> deserializer,
                                             Object beanOrClass, String propertyName) throws IOException {
            JsonStreamContext context = p.getParsingContext();
            JsonToken token = p.currentToken();
            if (token != null && token.isStructStart()) {
                // Positioned on the value's `{` or `[`: the context is already the value's own.
                context = context.getParent();
            }
            paths.add(FieldPaths.of(context));
            p.skipChildren();
            return true;
        }
    }

    /** Field paths as segment lists (String names, Integer indexes), rendered as Kubernetes does. */
    static final class FieldPaths {
        /** Depth first with object keys in byte order and list items in order. */
        static final Comparator<List<Object>> ORDER = (a, b) -> {
            for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
                Object x = a.get(i);
                Object y = b.get(i);
                int c;
                if (x instanceof Integer xi && y instanceof Integer yi) {
                    c = Integer.compare(xi, yi);
                } else {
                    c = x.toString().compareTo(y.toString());
                }
                if (c != 0) {
                    return c;
                }
            }
            return Integer.compare(a.size(), b.size());
        };

        private FieldPaths() {
        }

        /** The path from the root to the context's current field or index. */
        static List<Object> of(JsonStreamContext context) {
            List<Object> segments = new ArrayList<>();
            for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
                segments.add(0, c.inArray() ? (Object) Math.max(c.getCurrentIndex(), 0) : c.getCurrentName());
            }
            return segments;
        }

        /** From a mapping exception's references. */
        static List<Object> of(Collection<JsonMappingException.Reference> refs) {
            List<Object> segments = new ArrayList<>();
            for (JsonMappingException.Reference ref : refs) {
                if (ref.getFieldName() != null) {
                    segments.add(ref.getFieldName());
                } else if (ref.getIndex() >= 0) {
                    segments.add(ref.getIndex());
                }
            }
            return segments;
        }

        /** `spec.ports[0].targetport`. */
        static String render(List<Object> segments) {
            StringBuilder sb = new StringBuilder();
            for (Object s : segments) {
                if (s instanceof Integer i) {
                    sb.append('[').append(i).append(']');
                } else {
                    sb.append(sb.length() == 0 ? "" : ".").append(s);
                }
            }
            return sb.toString();
        }

        /** The node at the path, or a missing node. */
        static JsonNode at(JsonNode root, List<Object> segments) {
            JsonNode n = root;
            for (Object s : segments) {
                n = s instanceof Integer i ? n.path(i) : n.path(s.toString());
            }
            return n;
        }
    }
}
