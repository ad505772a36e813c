package dev.clusterdns.cli.kubeapi;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The discovery documents kubectl reads before anything else: legacy (`/api`, `/api/v1`, `/apis`,
 * `/apis/GROUP[/VERSION]`) and aggregated (apidiscovery.k8s.io/v2, asked for by kubectl 1.30+).
 */
final class Discovery {
    static final String AGGREGATED_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
    static final List<String> VERBS = List.of("get", "list", "watch");

    private final ObjectMapper json;
    private final List<ApiResource> resources;

    Discovery(ObjectMapper json, List<ApiResource> resources) {
        this.json = json;
        this.resources = resources;
    }

    /** Does this Accept header ask for aggregated discovery? */
    static boolean wantsAggregated(String accept) {
        return accept != null && accept.contains("as=APIGroupDiscoveryList") && accept.contains("v=v2");
    }

    /** group → versions, in the order of {@link ApiResource#all()}. */
    private Map<String, List<String>> groups() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (ApiResource r : resources) {
            List<String> v = out.computeIfAbsent(r.group(), g -> new ArrayList<>());
            if (!v.contains(r.version())) {
                v.add(r.version());
            }
        }
        return out;
    }

    ObjectNode apiVersions() {
        ObjectNode n = json.createObjectNode();
        n.put("kind", "APIVersions");
        n.putArray("versions").add("v1");
        ObjectNode cidr = n.putArray("serverAddressByClientCIDRs").addObject();
        cidr.put("clientCIDR", "0.0.0.0/0");
        cidr.put("serverAddress", "");
        return n;
    }

    ObjectNode groupList() {
        ObjectNode n = json.createObjectNode();
        n.put("kind", "APIGroupList");
        n.put("apiVersion", "v1");
        ArrayNode groups = n.putArray("groups");
        groups().forEach((g, versions) -> {
            if (!g.isEmpty()) {
                groups.add(group(g, versions));
            }
        });
        return n;
    }

    /** The APIGroup document of one named group, or null. */
    ObjectNode group(String name) {
        List<String> versions = groups().get(name);
        return versions == null || name.isEmpty() ? null : group(name, versions);
    }

    private ObjectNode group(String g, List<String> versions) {
        ObjectNode n = json.createObjectNode();
        n.put("kind", "APIGroup");
        n.put("apiVersion", "v1");
        n.put("name", g);
        ArrayNode vs = n.putArray("versions");
        for (String v : versions) {
            vs.addObject().put("groupVersion", g + "/" + v).put("version", v);
        }
        n.putObject("preferredVersion").put("groupVersion", g + "/" + versions.get(0)).put("version", versions.get(0));
        return n;
    }

    /** The APIResourceList of one group/version, or null when it is not served. */
    ObjectNode resourceList(String group, String version) {
        ObjectNode n = json.createObjectNode();
        n.put("kind", "APIResourceList");
        n.put("apiVersion", "v1");
        n.put("groupVersion", group.isEmpty() ? version : group + "/" + version);
        ArrayNode list = n.putArray("resources");
        for (ApiResource r : resources) {
            if (r.group().equals(group) && r.version().equals(version)) {
                ObjectNode e = list.addObject();
                e.put("name", r.plural());
                e.put("singularName", r.singular());
                e.put("namespaced", r.namespaced());
                e.put("kind", r.kind());
                VERBS.forEach(e.putArray("verbs")::add);
                if (!r.shortNames().isEmpty()) {
                    r.shortNames().forEach(e.putArray("shortNames")::add);
                }
                if (!r.categories().isEmpty()) {
                    r.categories().forEach(e.putArray("categories")::add);
                }
            }
        }
        return list.isEmpty() ? null : n;
    }

    /** The aggregated document for `/api` (core) or `/apis` (named groups). */
    ObjectNode aggregated(boolean core) {
        ObjectNode n = json.createObjectNode();
        n.put("kind", "APIGroupDiscoveryList");
        n.put("apiVersion", "apidiscovery.k8s.io/v2");
        n.putObject("metadata");
        ArrayNode items = n.putArray("items");
        groups().forEach((g, versions) -> {
            if (g.isEmpty() != core) {
                return;
            }
            ObjectNode item = items.addObject();
            ObjectNode meta = item.putObject("metadata");
            if (!g.isEmpty()) {
                meta.put("name", g);
            }
            ArrayNode vs = item.putArray("versions");
            for (String v : versions) {
                ObjectNode ver = vs.addObject();
                ver.put("version", v);
                ArrayNode rs = ver.putArray("resources");
                for (ApiResource r : resources) {
                    if (r.group().equals(g) && r.version().equals(v)) {
                        ObjectNode e = rs.addObject();
                        e.put("resource", r.plural());
                        e.putObject("responseKind").put("group", g).put("version", v).put("kind", r.kind());
                        e.put("scope", r.namespaced() ? "Namespaced" : "Cluster");
                        e.put("singularResource", r.singular());
                        VERBS.forEach(e.putArray("verbs")::add);
                        if (!r.shortNames().isEmpty()) {
                            r.shortNames().forEach(e.putArray("shortNames")::add);
                        }
                        if (!r.categories().isEmpty()) {
                            r.categories().forEach(e.putArray("categories")::add);
                        }
                    }
                }
                ver.put("freshness", "Current");
            }
        });
        return n;
    }
}
