package dev.clusterdns.agent.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * What of a document strict decoding looks at: every field name in order, and for each value its
 * JSON type and what the schema's decoders tell apart (int32 / int64 / larger integers; empty,
 * blank or other strings: a quantity must not be empty). Any two documents of the same shape
 * decode strictly alike; fractional and very large numbers, which a quantity reads as text, are
 * kept whole. A file of thousands of Pods that differ only in names, labels' values and IPs has one
 * shape, so {@link StrictDecoding} decodes it once.
 */
final class DocumentShape {

    /** Longer shapes (large ConfigMaps) are not worth keeping: such objects are few. */
    static final int MAX_CHARS = 4096;

    private DocumentShape() {
    }

    /** The shape as text, or null when it is too long or holds a node this does not model. */
    static String of(JsonNode doc) {
        StringBuilder sb = new StringBuilder(512);
        return append(doc, sb) ? sb.toString() : null;
    }

    private static boolean append(JsonNode n, StringBuilder sb) {
        if (sb.length() > MAX_CHARS) {
            return false;
        }
        switch (n.getNodeType()) {
            case OBJECT -> {
                sb.append('{');
                for (Map.Entry<String, JsonNode> e : n.properties()) {
                    // Length-prefixed, so no name can look like structure.
                    sb.append(e.getKey().length()).append(':').append(e.getKey());
                    if (!append(e.getValue(), sb)) {
                        return false;
                    }
                }
                sb.append('}');
            }
            case ARRAY -> {
                sb.append('[');
                for (JsonNode item : n) {
                    if (!append(item, sb)) {
                        return false;
                    }
                }
                sb.append(']');
            }
            case STRING -> sb.append(textClass(n.textValue()));
            case BOOLEAN -> sb.append(n.booleanValue() ? 'T' : 'F');
            case NULL -> sb.append('~');
            case NUMBER -> {
                switch (n.numberType()) {
                    case INT -> sb.append('i');
                    case LONG -> sb.append('l');
                    default -> {
                        String text = n.asText();
                        sb.append('#').append(text.length()).append(':').append(text);
                    }
                }
            }
            default -> {
                return false; // binary, POJO, missing: never produced by the parsers here
            }
        }
        return true;
    }

    /** `e` empty, `b` only whitespace, `s` anything else. */
    private static char textClass(String s) {
        if (s.isEmpty()) {
            return 'e';
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > ' ' && !Character.isWhitespace(c)) {
                return 's';
            }
        }
        return 'b';
    }
}
