package dev.clusterdns.cli.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A field selector (`metadata.name=web,status.phase!=Running`): `=`, `==` and `!=` on the fields a
 * kind supports, as the API server checks them.
 */
record FieldQuery(List<Term> terms) {

    record Term(String field, boolean equal, String value) {}

    /** Parses a selector; IllegalArgumentException with the API server's words on a bad one. */
    static FieldQuery parse(String text, ApiResource resource) {
        List<Term> terms = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return new FieldQuery(terms);
        }
        for (String part : text.split(",")) {
            String p = part.trim();
            int ne = p.indexOf("!=");
            int eq = p.indexOf('=');
            if (eq <= 0 && ne <= 0) {
                throw new IllegalArgumentException("invalid selector: '" + text + "'; can't understand '" + p + "'");
            }
            String field;
            String value;
            boolean equal;
            if (ne > 0) {
                field = p.substring(0, ne).trim();
                value = p.substring(ne + 2).trim();
                equal = false;
            } else {
                field = p.substring(0, eq).trim();
                value = p.substring(p.startsWith("==", eq) ? eq + 2 : eq + 1).trim();
                equal = true;
            }
            if (!field.equals("metadata.name") && !field.equals("metadata.namespace")
                    && !resource.fieldLabels().contains(field)) {
                throw new IllegalArgumentException("field label not supported: " + field);
            }
            terms.add(new Term(field, equal, value));
        }
        return new FieldQuery(terms);
    }

    boolean matches(JsonNode object) {
        for (Term t : terms) {
            JsonNode n = object.at("/" + t.field().replace('.', '/'));
            String v = n.isMissingNode() || n.isNull() ? (t.field().equals("spec.hostNetwork") ? "false" : "") : n.asText();
            if (v.equals(t.value()) != t.equal()) {
                return false;
            }
        }
        return true;
    }

    /** The name a `metadata.name=` term pins, or null (kubectl get NAME -w asks this way). */
    String name() {
        for (Term t : terms) {
            if (t.equal() && t.field().equals("metadata.name")) {
                return t.value();
            }
        }
        return null;
    }
}
