package dev.clusterdns.cli.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A resource type as discovery describes it, found by any name kubectl accepts: plural, singular,
 * kind, short name, or `plural.group`.
 */
public record ResourceType(String group, String version, String plural, String singular, String kind, boolean namespaced,
                           List<String> shortNames) {

    /** `/api/v1` or `/apis/group/version`. */
    public String basePath() {
        return group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
    }

    /** `service` or `deployment.apps`, as `-o name` and multi-type tables prefix names. */
    public String nameprefix() {
        return kind.toLowerCase(Locale.ROOT) + (group.isEmpty() ? "" : "." + group);
    }

    public String path(String namespace, String name) {
        return basePath() + (namespaced && namespace != null ? "/namespaces/" + namespace : "") + "/" + plural
                + (name == null ? "" : "/" + name);
    }

    /** Every type the server serves, from its discovery documents. */
    public static List<ResourceType> discover(ApiClient api) throws IOException {
        List<ResourceType> out = new ArrayList<>();
        add(out, "", api.get("/api/v1"));
        for (JsonNode g : api.get("/apis").path("groups")) {
            String gv = g.at("/preferredVersion/groupVersion").asText();
            add(out, g.path("name").asText(), api.get("/apis/" + gv));
        }
        return out;
    }

    private static void add(List<ResourceType> out, String group, JsonNode list) {
        String gv = list.path("groupVersion").asText();
        String version = gv.contains("/") ? gv.substring(gv.indexOf('/') + 1) : gv;
        for (JsonNode r : list.path("resources")) {
            if (r.path("name").asText().contains("/")) {
                continue;
            }
            List<String> shorts = new ArrayList<>();
            r.path("shortNames").forEach(s -> shorts.add(s.asText()));
            out.add(new ResourceType(group, version, r.path("name").asText(), r.path("singularName").asText(),
                    r.path("kind").asText(), r.path("namespaced").asBoolean(), shorts));
        }
    }

    /** The type a user's word names; IllegalArgumentException in kubectl's words when none does. */
    public static ResourceType find(List<ResourceType> types, String word) {
        String w = word.toLowerCase(Locale.ROOT);
        for (ResourceType t : types) {
            String qualified = t.plural() + (t.group().isEmpty() ? "" : "." + t.group());
            if (w.equals(t.plural()) || w.equals(t.singular()) || w.equals(t.kind().toLowerCase(Locale.ROOT))
                    || t.shortNames().contains(w) || w.equals(qualified)) {
                return t;
            }
        }
        throw new IllegalArgumentException("the server doesn't have a resource type \"" + word + "\"");
    }
}
