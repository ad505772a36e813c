package dev.clusterdns.cli.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * kubectl's `-o jsonpath=` templates, the common part: text with `{.field.sub[0].x[*]}` paths,
 * `{"literal"}`, `{range .items[*]}…{end}`. Several results of one path are joined by spaces.
 */
public final class JsonPathTemplate {
    private final String template;

    public JsonPathTemplate(String template) {
        this.template = template;
    }

    public String apply(JsonNode root) {
        StringBuilder out = new StringBuilder();
        render(template, root, out);
        return out.toString();
    }

    private static void render(String t, JsonNode node, StringBuilder out) {
        int i = 0;
        while (i < t.length()) {
            int open = t.indexOf('{', i);
            if (open < 0) {
                out.append(t.substring(i));
                return;
            }
            out.append(t, i, open);
            int close = t.indexOf('}', open);
            if (close < 0) {
                throw new IllegalArgumentException("error parsing jsonpath " + t + ", unclosed action");
            }
            String expr = t.substring(open + 1, close).trim();
            if (expr.startsWith("range ")) {
                int end = t.indexOf("{end}", close);
                if (end < 0) {
                    throw new IllegalArgumentException("error parsing jsonpath " + t + ", range without {end}");
                }
                String body = t.substring(close + 1, end);
                for (JsonNode item : eval(expr.substring(6).trim(), node)) {
                    render(body, item, out);
                }
                i = end + 5;
                continue;
            }
            if (expr.startsWith("\"") && expr.endsWith("\"") && expr.length() >= 2) {
                out.append(expr.substring(1, expr.length() - 1).replace("\\n", "\n").replace("\\t", "\t"));
            } else {
                List<String> parts = new ArrayList<>();
                for (JsonNode r : eval(expr, node)) {
                    parts.add(r.isValueNode() ? r.asText() : r.toString());
                }
                out.append(String.join(" ", parts));
            }
            i = close + 1;
        }
    }

    /** Evaluates `.a.b[0].c[*]` (leading `$` allowed) against a node. */
    static List<JsonNode> eval(String path, JsonNode node) {
        String p = path.startsWith("$") ? path.substring(1) : path;
        List<JsonNode> current = List.of(node);
        int i = 0;
        while (i < p.length()) {
            char c = p.charAt(i);
            List<JsonNode> next = new ArrayList<>();
            if (c == '.') {
                int j = i + 1;
                while (j < p.length() && p.charAt(j) != '.' && p.charAt(j) != '[') {
                    j++;
                }
                String field = p.substring(i + 1, j);
                for (JsonNode n : current) {
                    if (field.isEmpty()) {
                        next.add(n);
                    } else if (n.has(field)) {
                        next.add(n.get(field));
                    }
                }
                i = j;
            } else if (c == '[') {
                int j = p.indexOf(']', i);
                if (j < 0) {
                    throw new IllegalArgumentException("error parsing jsonpath " + path + ", unterminated array");
                }
                String idx = p.substring(i + 1, j).trim();
                for (JsonNode n : current) {
                    if (idx.equals("*")) {
                        n.forEach(next::add);
                    } else if (idx.startsWith("'") || idx.startsWith("\"")) {
                        String key = idx.substring(1, idx.length() - 1);
                        if (n.has(key)) {
                            next.add(n.get(key));
                        }
                    } else {
                        int k = Integer.parseInt(idx);
                        JsonNode e = n.get(k < 0 ? n.size() + k : k);
                        if (e != null) {
                            next.add(e);
                        }
                    }
                }
                i = j + 1;
            } else {
                throw new IllegalArgumentException("error parsing jsonpath " + path + ", unrecognized character '" + c + "'");
            }
            current = next;
        }
        return current;
    }
}
