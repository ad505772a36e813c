package dev.clusterdns.agent.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * What of a document strict decoding looks at: every field name in order, list lengths, and for
 * each value its JSON type and what the schema's decoders tell apart (int32 / int64 / larger
 * integers; empty, blank or other strings: a quantity must not be empty). Any two documents of the
 * same shape decode strictly alike; fractional and very large numbers, which a quantity reads as
 * text, are kept whole. A file of thousands of Pods that differ only in names, label values and IPs
 * has one shape, so {@link StrictDecoding} decodes it once.
 *
 * <p>A shape is kept as a string ({@link #of}); a document is looked up by {@link #hash} (from the
 * field names' cached hash codes, no copying) and confirmed by {@link #matches}, which walks it
 * against the string. The encoding is prefix-free: objects and lists carry their size, names and
 * number texts their length, each as one char.
 */
final class DocumentShape {

    /** Longer shapes (large ConfigMaps) are not worth keeping: such objects are few. */
    static final int MAX_CHARS = 4096;

    private static final char OBJECT = '{';
    private static final char ARRAY = '[';
    private static final char EMPTY = 'e';
    private static final char BLANK = 'b';
    private static final char TEXT = 's';
    private static final char TRUE = 'T';
    private static final char FALSE = 'F';
    private static final char NULL = '~';
    private static final char INT32 = 'i';
    private static final char INT64 = 'l';
    /** Other numbers, with their text. */
    private static final char NUMBER = '#';
    /** Binary, POJO, missing: never produced by the parsers here; never matched. */
    private static final char OTHER = '?';

    private DocumentShape() {
    }

    /** The shape as text, or null when it is too long or holds a node this does not model. */
    static String of(JsonNode doc) {
        StringBuilder sb = new StringBuilder(256);
        return append(doc, sb) ? sb.toString() : null;
    }

    /** A digest of the shape: equal shapes, equal digests. */
    static long hash(JsonNode doc) {
        return hash(doc, 17);
    }

    /** True when {@code doc}'s shape is {@code shape} (as {@link #of} wrote it). */
    static boolean matches(JsonNode doc, String shape) {
        return match(doc, shape, 0) == shape.length();
    }

    private static char kind(JsonNode n) {
        return switch (n.getNodeType()) {
            case OBJECT -> OBJECT;
            case ARRAY -> ARRAY;
            case STRING -> textClass(n.textValue());
            case BOOLEAN -> n.booleanValue() ? TRUE : FALSE;
            case NULL -> NULL;
            case NUMBER -> switch (n.numberType()) {
                case INT -> INT32;
                case LONG -> INT64;
                default -> NUMBER;
            };
            default -> OTHER;
        };
    }

    private static boolean append(JsonNode n, StringBuilder sb) {
        if (sb.length() > MAX_CHARS) {
            return false;
        }
        char kind = kind(n);
        sb.append(kind);
        switch (kind) {
            case OBJECT -> {
                if (!appendLength(n.size(), sb)) {
                    return false;
                }
                for (Map.Entry<String, JsonNode> e : n.properties()) {
                    if (!appendLength(e.getKey().length(), sb)) {
                        return false;
                    }
                    sb.append(e.getKey());
                    if (!append(e.getValue(), sb)) {
                        return false;
                    }
                }
            }
            case ARRAY -> {
                if (!appendLength(n.size(), sb)) {
                    return false;
                }
                for (JsonNode item : n) {
                    if (!append(item, sb)) {
                        return false;
                    }
                }
            }
            case NUMBER -> {
                String text = n.asText();
                if (!appendLength(text.length(), sb)) {
                    return false;
                }
                sb.append(text);
            }
            case OTHER -> {
                return false;
            }
            default -> {
                // the kind says it all
            }
        }
        return true;
    }

    private static boolean appendLength(int length, StringBuilder sb) {
        if (length > Character.MAX_VALUE) {
            return false;
        }
        sb.append((char) length);
        return true;
    }

    private static long hash(JsonNode n, long h) {
        char kind = kind(n);
        h = mix(h, kind);
        switch (kind) {
            case OBJECT -> {
                h = mix(h, n.size());
                for (Map.Entry<String, JsonNode> e : n.properties()) {
                    h = hash(e.getValue(), mix(h, e.getKey().hashCode()));
                }
            }
            case ARRAY -> {
                h = mix(h, n.size());
                for (JsonNode item : n) {
                    h = hash(item, h);
                }
            }
            case NUMBER -> h = mix(h, n.asText().hashCode());
            default -> {
                // the kind says it all
            }
        }
        return h;
    }

    private static long mix(long h, int v) {
        return (h ^ v) * 0x9E3779B97F4A7C15L;
    }

    /** The position after {@code n}'s shape in {@code s} from {@code at}, or -1 when it is not there. */
    private static int match(JsonNode n, String s, int at) {
        char kind = kind(n);
        if (at >= s.length() || s.charAt(at) != kind || kind == OTHER) {
            return -1;
        }
        int p = at + 1;
        switch (kind) {
            case OBJECT -> {
                if (p >= s.length() || s.charAt(p) != n.size()) {
                    return -1;
                }
                p++;
                for (Iterator<Map.Entry<String, JsonNode>> it = n.properties().iterator(); it.hasNext() && p >= 0; ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    p = matchText(e.getKey(), s, p);
                    p = p < 0 ? -1 : match(e.getValue(), s, p);
                }
                return p;
            }
            case ARRAY -> {
                if (p >= s.length() || s.charAt(p) != n.size()) {
                    return -1;
                }
                p++;
                for (Iterator<JsonNode> it = n.iterator(); it.hasNext() && p >= 0; ) {
                    p = match(it.next(), s, p);
                }
                return p;
            }
            case NUMBER -> {
                return matchText(n.asText(), s, p);
            }
            default -> {
                return p;
            }
        }
    }

    /** A length char and the text, as {@link #append} writes names and number texts. */
    private static int matchText(String text, String s, int at) {
        int length = text.length();
        if (at >= s.length() || s.charAt(at) != length || !s.regionMatches(at + 1, text, 0, length)) {
            return -1;
        }
        return at + 1 + length;
    }

    /** `e` empty, `b` only whitespace, `s` anything else. */
    private static char textClass(String s) {
        if (s.isEmpty()) {
            return EMPTY;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > ' ' && !Character.isWhitespace(c)) {
                return TEXT;
            }
        }
        return BLANK;
    }
}
