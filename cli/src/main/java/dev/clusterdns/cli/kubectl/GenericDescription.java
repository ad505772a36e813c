package dev.clusterdns.cli.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * `kubectl describe` for kinds without their own describer: name, namespace, labels and annotations,
 * then every other field with its name in words (`creationTimestamp` → `Creation Timestamp`),
 * nested by two spaces, as kubectl prints objects it has no describer for.
 */
public final class GenericDescription {
    private GenericDescription() {}

    public static String render(JsonNode o) {
        StringBuilder sb = new StringBuilder();
        JsonNode meta = o.path("metadata");
        List<String[]> head = new ArrayList<>();
        head.add(new String[] {"Name:", meta.path("name").asText()});
        if (meta.has("namespace")) {
            head.add(new String[] {"Namespace:", meta.path("namespace").asText()});
        }
        List<String> labels = pairs(meta.path("labels"));
        List<String> annotations = pairs(meta.path("annotations"));
        head.add(new String[] {"Labels:", labels.isEmpty() ? "<none>" : labels.get(0)});
        int labelRow = head.size() - 1;
        head.add(new String[] {"Annotations:", annotations.isEmpty() ? "<none>" : annotations.get(0)});
        head.add(new String[] {"API Version:", o.path("apiVersion").asText()});
        head.add(new String[] {"Kind:", o.path("kind").asText()});
        int width = 0;
        for (String[] h : head) {
            width = Math.max(width, h[0].length());
        }
        for (int i = 0; i < head.size(); i++) {
            String[] h = head.get(i);
            sb.append(pad(h[0], width + 2)).append(h[1]).append('\n');
            List<String> more = i == labelRow ? labels : i == labelRow + 1 ? annotations : List.of();
            for (int j = 1; j < more.size(); j++) {
                sb.append(" ".repeat(width + 2)).append(more.get(j)).append('\n');
            }
        }
        Iterator<Map.Entry<String, JsonNode>> fields = o.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            if (List.of("apiVersion", "kind").contains(e.getKey())) {
                continue;
            }
            JsonNode value = e.getValue();
            if (e.getKey().equals("metadata")) {
                value = value.deepCopy();
                for (String k : List.of("name", "namespace", "labels", "annotations")) {
                    ((com.fasterxml.jackson.databind.node.ObjectNode) value).remove(k);
                }
            }
            field(sb, e.getKey(), value, 0);
        }
        sb.append("Events:").append("  ").append("<none>").append('\n');
        return sb.toString();
    }

    private static void field(StringBuilder sb, String name, JsonNode v, int indent) {
        String label = " ".repeat(indent) + words(name) + ":";
        if (v.isObject()) {
            if (v.isEmpty()) {
                return;
            }
            sb.append(label).append('\n');
            v.fields().forEachRemaining(e -> field(sb, e.getKey(), e.getValue(), indent + 2));
        } else if (v.isArray()) {
            if (v.isEmpty()) {
                return;
            }
            sb.append(label).append('\n');
            for (JsonNode item : v) {
                if (item.isObject()) {
                    item.fields().forEachRemaining(e -> field(sb, e.getKey(), e.getValue(), indent + 2));
                } else {
                    sb.append(" ".repeat(indent + 2)).append(item.asText()).append('\n');
                }
            }
        } else {
            sb.append(label).append("  ").append(v.asText()).append('\n');
        }
    }

    /**
     * kubectl's label for a field: camel-case parts in title case (`creationTimestamp` → `Creation
     * Timestamp`, `podIP` → `Pod IP`, `clusterIPs` → `Cluster I Ps` as kubectl splits it), common
     * acronyms upper-case (`uid` → `UID`); names with characters other than letters and `-` as they are.
     */
    static String words(String field) {
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (!Character.isLetter(c) && c != '-') {
                return field;
            }
        }
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            boolean upper = Character.isUpperCase(c);
            if (part.length() > 0) {
                char prev = part.charAt(part.length() - 1);
                boolean prevUpper = Character.isUpperCase(prev);
                if (upper && !prevUpper) {
                    parts.add(part.toString());
                    part.setLength(0);
                } else if (!upper && prevUpper && part.length() > 1) {
                    // "PDFLoader": the last capital starts the next word.
                    parts.add(part.substring(0, part.length() - 1));
                    part.delete(0, part.length() - 1);
                }
            }
            part.append(c);
        }
        if (part.length() > 0) {
            parts.add(part.toString());
        }
        List<String> out = new ArrayList<>();
        for (String p : parts) {
            String up = p.toUpperCase(java.util.Locale.ROOT);
            out.add(List.of("API", "URL", "UID", "OSB", "GUID").contains(up) ? up
                    : Character.toUpperCase(p.charAt(0)) + p.substring(1));
        }
        return String.join(" ", out);
    }

    private static List<String> pairs(JsonNode map) {
        List<String> out = new ArrayList<>();
        if (map.isObject()) {
            Map<String, String> sorted = new TreeMap<>();
            map.fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue().asText()));
            sorted.forEach((k, v) -> out.add(k + "=" + v));
        }
        return out;
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(Math.max(1, width - s.length()));
    }
}
