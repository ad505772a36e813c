package dev.clusterdns.cli.kubectl;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A kubectl label selector (`-l`): comma-separated requirements `k=v`, `k==v`, `k!=v`, `k`, `!k`,
 * `k in (a,b)`, `k notin (a,b)`. Immutable.
 */
public final class LabelQuery {

    private record Requirement(String key, String op, Set<String> values) {
        boolean matches(Map<String, String> labels) {
            String v = labels.get(key);
            return switch (op) {
                case "exists" -> v != null;
                case "!exists" -> v == null;
                case "in" -> v != null && values.contains(v);
                case "notin" -> v == null || !values.contains(v);
                default -> throw new IllegalStateException(op);
            };
        }
    }

    private final List<Requirement> requirements;

    private LabelQuery(List<Requirement> requirements) {
        this.requirements = List.copyOf(requirements);
    }

    public static LabelQuery everything() {
        return new LabelQuery(List.of());
    }

    /** Parses a selector; throws IllegalArgumentException with kubectl-like text on bad syntax. */
    public static LabelQuery parse(String text) {
        if (text == null || text.isBlank()) {
            return everything();
        }
        List<Requirement> out = new ArrayList<>();
        for (String part : split(text)) {
            String p = part.trim();
            if (p.isEmpty()) {
                throw new IllegalArgumentException("unable to parse requirement: empty requirement in \"" + text + "\"");
            }
            String lower = p.replaceAll("\\s+", " ");
            int in = lower.indexOf(" in (");
            int notin = lower.indexOf(" notin (");
            if (notin > 0 || in > 0) {
                boolean negate = notin > 0;
                String key = lower.substring(0, negate ? notin : in).trim();
                String list = lower.substring(lower.indexOf('(') + 1, lower.lastIndexOf(')'));
                Set<String> values = new java.util.HashSet<>();
                for (String v : list.split(",")) {
                    values.add(v.trim());
                }
                out.add(new Requirement(key, negate ? "notin" : "in", values));
            } else if (p.contains("!=")) {
                String[] kv = p.split("!=", 2);
                out.add(new Requirement(kv[0].trim(), "notin", Set.of(kv[1].trim())));
            } else if (p.contains("==")) {
                String[] kv = p.split("==", 2);
                out.add(new Requirement(kv[0].trim(), "in", Set.of(kv[1].trim())));
            } else if (p.contains("=")) {
                String[] kv = p.split("=", 2);
                out.add(new Requirement(kv[0].trim(), "in", Set.of(kv[1].trim())));
            } else if (p.startsWith("!")) {
                out.add(new Requirement(p.substring(1).trim(), "!exists", Set.of()));
            } else if (p.matches("[A-Za-z0-9_./-]+")) {
                out.add(new Requirement(p, "exists", Set.of()));
            } else {
                throw new IllegalArgumentException("unable to parse requirement: \"" + p + "\"");
            }
        }
        return new LabelQuery(out);
    }

    /** Splits on commas outside parentheses. */
    private static List<String> split(String text) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                parts.add(text.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(text.substring(start));
        return parts;
    }

    public boolean matches(Map<String, String> labels) {
        for (Requirement r : requirements) {
            if (!r.matches(labels)) {
                return false;
            }
        }
        return true;
    }
}
