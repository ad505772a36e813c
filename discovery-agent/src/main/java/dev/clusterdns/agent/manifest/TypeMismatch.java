package dev.clusterdns.agent.manifest;

import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.math.BigInteger;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A value that does not fit its field, as a field error: `spec.ports[0].port: Invalid value:
 * "eighty": expected an integer (int32), got a string`. Built from what Jackson knows (the path,
 * the target type) and the document itself (the value), so no Java type name reaches the user.
 */
final class TypeMismatch {

    /** Longer values (lists, maps) are cut: the path already says where to look. */
    private static final int MAX_VALUE_CHARS = 80;

    private TypeMismatch() {
    }

    /** The field error for a failed binding of {@code doc}. */
    static String describe(Exception e, JsonNode doc) {
        List<Object> path = e instanceof JsonMappingException jme
                ? StrictDecoding.FieldPaths.of(jme.getPath()) : List.of();
        JsonNode value = StrictDecoding.FieldPaths.at(doc, path);
        Class<?> target = target(e);
        String field = StrictDecoding.FieldPaths.render(path);
        // YAML reads `yes`, `on`, `1.10` unquoted as booleans and numbers: say how to keep the text.
        String hint = target == String.class && (value.isBoolean() || value.isNumber())
                ? " (quote it to make it a string)" : "";
        return (field.isEmpty() ? "" : field + ": ") + "Invalid value: " + render(value) + ": "
                + (target == null ? "cannot be decoded here" : "expected " + expected(target) + ", got " + actual(value, target) + hint);
    }

    private static Class<?> target(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof MismatchedInputException mi && mi.getTargetType() != null) {
                return mi.getTargetType();
            }
            if (t instanceof ValueInstantiationException vi && vi.getType() != null) {
                return vi.getType().getRawClass();
            }
            if (t instanceof InputCoercionException ic && ic.getTargetType() != null) {
                return ic.getTargetType();
            }
        }
        return null;
    }

    /** What the field takes, in JSON terms with Kubernetes' Go type where it matters. */
    static String expected(Class<?> t) {
        if (t == Integer.class || t == int.class || t == Short.class || t == short.class) {
            return "an integer (int32)";
        }
        if (t == Long.class || t == long.class || t == BigInteger.class) {
            return "an integer (int64)";
        }
        if (Number.class.isAssignableFrom(t) || t == double.class || t == float.class) {
            return "a number";
        }
        if (t == Boolean.class || t == boolean.class) {
            return "a boolean (true or false)";
        }
        if (t == String.class || CharSequence.class.isAssignableFrom(t)) {
            return "a string";
        }
        if (Map.class.isAssignableFrom(t)) {
            return "a map (key: value)";
        }
        if (Collection.class.isAssignableFrom(t) || t.isArray()) {
            return "a list";
        }
        if (t.getSimpleName().equals("IntOrString")) {
            return "an integer or a string";
        }
        if (t.getSimpleName().equals("Quantity")) {
            return "a quantity (a number or a string such as 500m or 1Gi)";
        }
        return "an object";
    }

    /** What was given, in the same terms. */
    private static String actual(JsonNode v, Class<?> target) {
        if (v.isTextual()) {
            return v.asText().isEmpty() ? "an empty string" : "a string";
        }
        if (v.isBoolean()) {
            return "a boolean";
        }
        if (v.isArray()) {
            return "a list";
        }
        if (v.isObject()) {
            return "a map";
        }
        if (v.isIntegralNumber()) {
            boolean int32 = target == Integer.class || target == int.class;
            return int32 && !v.canConvertToInt() || !v.canConvertToLong() ? "an integer out of range" : "an integer";
        }
        if (v.isNumber()) {
            return "a number with a fraction";
        }
        return v.isNull() ? "null" : "a " + v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    }

    /** The value as Kubernetes prints it in field errors: JSON, strings quoted. */
    static String render(JsonNode v) {
        if (v == null || v.isMissingNode()) {
            return "null";
        }
        String s = v.toString();
        return s.length() <= MAX_VALUE_CHARS ? s : s.substring(0, MAX_VALUE_CHARS) + "…";
    }
}
