package dev.clusterdns.agent.validation;

import java.util.List;

/**
 * One field error, rendered as the API server does:
 * `<field>: <type text>[: <bad value>][: <detail>]`.
 *
 * @param field the field path, e.g. `spec.ports[0].port`
 * @param type the kind of error
 * @param value the bad value (rendered: numbers and booleans plain, strings Go-quoted, lists as
 *     JSON); {@link #NO_VALUE} when the type has none (Required, Forbidden)
 * @param detail the explanation, may be empty
 */
public record FieldError(String field, Type type, Object value, String detail) {

    /** Marks an error without a bad value. */
    public static final Object NO_VALUE = new Object() {
        @Override
        public String toString() {
            return "";
        }
    };

    public enum Type {
        REQUIRED("Required value"),
        INVALID("Invalid value"),
        UNSUPPORTED("Unsupported value"),
        DUPLICATE("Duplicate value"),
        FORBIDDEN("Forbidden"),
        TOO_LONG("Too long"),
        TOO_MANY("Too many"),
        NOT_FOUND("Not found"),
        INTERNAL("Internal error");

        private final String text;

        Type(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    public static FieldError required(String field, String detail) {
        return new FieldError(field, Type.REQUIRED, NO_VALUE, detail);
    }

    public static FieldError invalid(String field, Object value, String detail) {
        return new FieldError(field, Type.INVALID, value, detail);
    }

    public static FieldError unsupported(String field, Object value, List<String> supported) {
        StringBuilder sb = new StringBuilder("supported values: ");
        for (int i = 0; i < supported.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(quote(supported.get(i)));
        }
        return new FieldError(field, Type.UNSUPPORTED, value, sb.toString());
    }

    public static FieldError duplicate(String field, Object value) {
        return new FieldError(field, Type.DUPLICATE, value, "");
    }

    public static FieldError forbidden(String field, String detail) {
        return new FieldError(field, Type.FORBIDDEN, NO_VALUE, detail);
    }

    public static FieldError notFound(String field, Object value) {
        return new FieldError(field, Type.NOT_FOUND, value, "");
    }

    /** Too long never shows the value, only the limit (as the API server does). */
    public static FieldError tooLong(String field, int maxLength) {
        return new FieldError(field, Type.TOO_LONG, NO_VALUE, "must have at most " + maxLength + " bytes");
    }

    public static FieldError tooMany(String field, int actual, int max) {
        return new FieldError(field, Type.TOO_MANY, actual, "must have at most " + max + " items");
    }

    public static FieldError internal(String field, String detail) {
        return new FieldError(field, Type.INTERNAL, NO_VALUE, detail);
    }

    /** `spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive`. */
    public String render() {
        if (type == Type.INTERNAL && (field == null || field.isEmpty())) {
            return "Internal error occurred: " + detail;
        }
        StringBuilder sb = new StringBuilder();
        sb.append(field).append(": ").append(type.text());
        if (value != NO_VALUE && showsValue(type)) {
            sb.append(": ").append(renderValue(value));
        }
        if (detail != null && !detail.isEmpty()) {
            sb.append(": ").append(detail);
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return render();
    }

    // apimachinery never prints the bad value of these types, whatever was passed.
    private static boolean showsValue(Type t) {
        return t != Type.REQUIRED && t != Type.FORBIDDEN && t != Type.TOO_LONG && t != Type.INTERNAL;
    }

    /**
     * kubectl's text for a rejected object: one cause on one line, several as a header line
     * (with its trailing space) and `* cause` lines.
     */
    public static String kubectlMessage(String kind, String name, List<FieldError> errors) {
        String head = "The " + kind + " \"" + (name == null ? "" : name) + "\" is invalid: ";
        if (errors.size() == 1) {
            return head + errors.get(0).render();
        }
        StringBuilder sb = new StringBuilder(head);
        for (FieldError e : errors) {
            sb.append("\n* ").append(e.render());
        }
        return sb.toString();
    }

    /**
     * The API server's own message (the `message` of the 422 Status): `Service "web" is invalid: e1`,
     * or `[e1, e2]` for several; identical causes are reported once, as apimachinery's aggregate does.
     */
    public static String apiMessage(String kind, String name, List<FieldError> errors) {
        List<String> unique = errors.stream().map(FieldError::render).distinct().toList();
        String head = kind + " \"" + (name == null ? "" : name) + "\" is invalid";
        if (unique.isEmpty()) {
            return head;
        }
        return head + ": " + (unique.size() == 1 ? unique.get(0) : "[" + String.join(", ", unique) + "]");
    }

    /**
     * Renders a bad value as apimachinery does: integers and booleans plain, strings Go-quoted,
     * everything else (lists, maps) as compact JSON, the rendering used since Kubernetes 1.34.
     */
    static String renderValue(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        if (v instanceof String s) {
            return quote(s);
        }
        StringBuilder sb = new StringBuilder();
        appendJson(sb, v);
        return sb.toString();
    }

    private static void appendJson(StringBuilder sb, Object v) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof Number || v instanceof Boolean) {
            sb.append(v);
        } else if (v instanceof CharSequence cs) {
            appendJsonString(sb, cs.toString());
        } else if (v instanceof java.util.Collection<?> list) {
            sb.append('[');
            boolean first = true;
            for (Object o : list) {
                sb.append(first ? "" : ",");
                first = false;
                appendJson(sb, o);
            }
            sb.append(']');
        } else if (v instanceof java.util.Map<?, ?> map) {
            sb.append('{');
            boolean first = true;
            for (java.util.Map.Entry<?, ?> e : map.entrySet()) {
                sb.append(first ? "" : ",");
                first = false;
                appendJsonString(sb, String.valueOf(e.getKey()));
                sb.append(':');
                appendJson(sb, e.getValue());
            }
            sb.append('}');
        } else {
            appendJsonString(sb, String.valueOf(v));
        }
    }

    /** Go's encoding/json string escaping (HTML-safe, as json.Marshal does). */
    private static void appendJsonString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '<', '>', '&', '\u2028', '\u2029' -> sb.append(String.format("\\u%04x", (int) c));
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /** Go's %q: printable characters as they are, the rest escaped. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            switch (cp) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case 7 -> sb.append("\\a");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case 11 -> sb.append("\\v");
                default -> {
                    if (cp < 0x20 || cp == 0x7f) {
                        sb.append(String.format("\\x%02x", cp));
                    } else if (cp >= 0x80 && (Character.isISOControl(cp) || !Character.isDefined(cp)
                            || Character.getType(cp) == Character.FORMAT)) {
                        sb.append(cp > 0xffff ? String.format("\\U%08x", cp) : String.format("\\u%04x", cp));
                    } else {
                        sb.appendCodePoint(cp);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
