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
        if (value != NO_VALUE) {
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

    /**
     * kubectl's text for a rejected object: one cause on one line, several as a header line
     * (with its trailing space) and `* cause` lines.
     */
    public static String kubectlMessage(String kind, String name, List<FieldError> errors) {
        String head = "The " + kind + " \"" + name + "\" is invalid: ";
        if (errors.size() == 1) {
            return head + errors.get(0).render();
        }
        StringBuilder sb = new StringBuilder(head);
        for (FieldError e : errors) {
            sb.append("\n* ").append(e.render());
        }
        return sb.toString();
    }

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
        if (v instanceof List<?> list) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < list.size(); i++) {
                sb.append(i == 0 ? "" : ",").append(list.get(i) instanceof String s ? quote(s) : String.valueOf(list.get(i)));
            }
            return sb.append(']').toString();
        }
        return String.valueOf(v);
    }

    /** Go's %q for the ASCII subset manifests use. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                default -> sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
