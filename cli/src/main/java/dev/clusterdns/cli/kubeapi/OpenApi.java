package dev.clusterdns.cli.kubeapi;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The OpenAPI documents kubectl fetches before a write (`apply`, `create`) and for `explain`: one
 * schema per kind (with its group/version/kind), and the write operations with the
 * `fieldValidation` parameter, so kubectl leaves validation to the server and sends the write,
 * which then gets the read-only Status.
 */
final class OpenApi {
    private final ObjectMapper json;
    private final List<ApiResource> resources;

    OpenApi(ObjectMapper json, List<ApiResource> resources) {
        this.json = json;
        this.resources = resources;
    }

    /** `io.k8s.api.core.v1.Service`, `io.k8s.api.apps.v1.Deployment`: Kubernetes' definition names. */
    private static String definition(ApiResource r) {
        String pkg = r.group().isEmpty() ? "core" : r.group().replace(".k8s.io", "").replace(".", "");
        return "io.k8s.api." + pkg + "." + r.version() + "." + r.kind();
    }

    private ObjectNode gvk(ApiResource r) {
        ObjectNode g = json.createObjectNode();
        g.put("group", r.group()).put("version", r.version()).put("kind", r.kind());
        return g;
    }

    private ObjectNode schema(ApiResource r) {
        ObjectNode s = json.createObjectNode();
        s.put("description", r.kind() + " as clusterdns serves it (read-only: objects come from manifests).");
        s.put("type", "object");
        ObjectNode props = s.putObject("properties");
        props.putObject("apiVersion").put("type", "string").put("description", "APIVersion defines the versioned schema of this representation of an object.");
        props.putObject("kind").put("type", "string").put("description", "Kind is a string value representing the REST resource this object represents.");
        props.putObject("metadata").put("type", "object").put("description", "Standard object's metadata.");
        props.putObject("spec").put("type", "object").put("description", "Spec defines the behavior of the " + r.kind() + ".")
                .put("x-kubernetes-preserve-unknown-fields", true);
        props.putObject("status").put("type", "object").put("description", "Most recently observed status of the " + r.kind() + ".")
                .put("x-kubernetes-preserve-unknown-fields", true);
        s.put("x-kubernetes-preserve-unknown-fields", true);
        s.putArray("x-kubernetes-group-version-kind").add(gvk(r));
        return s;
    }

    /** Swagger 2.0, all groups in one document. */
    ObjectNode v2() {
        ObjectNode doc = json.createObjectNode();
        doc.put("swagger", "2.0");
        doc.putObject("info").put("title", "Kubernetes").put("version", "v1.32.0");
        ObjectNode paths = doc.putObject("paths");
        ObjectNode defs = doc.putObject("definitions");
        for (ApiResource r : resources) {
            defs.set(definition(r), schema(r));
            ObjectNode item = paths.putObject(itemPath(r));
            item.set("get", operation(r, "get", false));
            ObjectNode patch = operation(r, "patch", true);
            item.set("patch", patch);
            item.set("put", operation(r, "put", true));
            item.set("delete", operation(r, "delete", false));
            ObjectNode coll = paths.putObject(collectionPath(r));
            coll.set("get", operation(r, "list", false));
            coll.set("post", operation(r, "post", true));
        }
        return doc;
    }

    /** `/openapi/v3` (the index) or `/openapi/v3/api/v1`, `/openapi/v3/apis/GROUP/VERSION`; null otherwise. */
    ObjectNode v3(String path) {
        Map<String, List<ApiResource>> byGv = new LinkedHashMap<>();
        for (ApiResource r : resources) {
            String key = r.group().isEmpty() ? "api/" + r.version() : "apis/" + r.group() + "/" + r.version();
            byGv.computeIfAbsent(key, k -> new java.util.ArrayList<>()).add(r);
        }
        String rest = path.replaceAll("^/openapi/v3/?", "").replaceAll("/+$", "");
        if (rest.isEmpty()) {
            ObjectNode doc = json.createObjectNode();
            ObjectNode paths = doc.putObject("paths");
            byGv.keySet().forEach(k -> paths.putObject(k).put("serverRelativeURL", "/openapi/v3/" + k + "?hash=clusterdns"));
            return doc;
        }
        List<ApiResource> rs = byGv.get(rest);
        if (rs == null) {
            return null;
        }
        ObjectNode doc = json.createObjectNode();
        doc.put("openapi", "3.0.0");
        doc.putObject("info").put("title", "Kubernetes").put("version", "v1.32.0");
        ObjectNode paths = doc.putObject("paths");
        ObjectNode schemas = doc.putObject("components").putObject("schemas");
        for (ApiResource r : rs) {
            schemas.set(definition(r), schema(r));
            ObjectNode item = paths.putObject(itemPath(r));
            item.set("get", operation3(r, "get", false));
            item.set("patch", operation3(r, "patch", true));
            item.set("put", operation3(r, "put", true));
            item.set("delete", operation3(r, "delete", false));
            ObjectNode coll = paths.putObject(collectionPath(r));
            coll.set("get", operation3(r, "list", false));
            coll.set("post", operation3(r, "post", true));
        }
        return doc;
    }

    private static String collectionPath(ApiResource r) {
        return r.basePath() + (r.namespaced() ? "/namespaces/{namespace}/" : "/") + r.plural();
    }

    private static String itemPath(ApiResource r) {
        return collectionPath(r) + "/{name}";
    }

    private ObjectNode operation(ApiResource r, String action, boolean validates) {
        ObjectNode op = json.createObjectNode();
        op.put("operationId", action + r.kind());
        op.put("description", action.equals("get") || action.equals("list") ? action + " " + r.kind()
                : action + " is refused: clusterdns serves a read-only API");
        if (validates) {
            op.putArray("parameters").addObject().put("name", "fieldValidation").put("in", "query").put("type", "string")
                    .put("uniqueItems", true);
        }
        op.putObject("responses").putObject("200").put("description", "OK")
                .putObject("schema").put("$ref", "#/definitions/" + definition(r));
        op.put("x-kubernetes-action", action);
        op.set("x-kubernetes-group-version-kind", gvk(r));
        return op;
    }

    private ObjectNode operation3(ApiResource r, String action, boolean validates) {
        ObjectNode op = json.createObjectNode();
        op.put("operationId", action + r.kind());
        if (validates) {
            op.putArray("parameters").addObject().put("name", "fieldValidation").put("in", "query")
                    .putObject("schema").put("type", "string");
        }
        op.putObject("responses").putObject("200").put("description", "OK").putObject("content")
                .putObject("application/json").putObject("schema").put("$ref", "#/components/schemas/" + definition(r));
        op.put("x-kubernetes-action", action);
        op.set("x-kubernetes-group-version-kind", gvk(r));
        return op;
    }
}
