package dev.clusterdns.cli.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clusterdns.agent.model.KubeObject;
import dev.clusterdns.agent.model.LabelSelector;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.Workload;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.cli.kubectl.Columns;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Snapshot objects as the API returns them: JSON, tables of kubectl's columns, Status errors. */
final class Objects {
    private final ObjectMapper json;

    Objects(ObjectMapper json) {
        this.json = json;
    }

    ObjectMapper json() {
        return json;
    }

    /**
     * An object as JSON with apiVersion, kind and a resourceVersion filled in; Secret values are
     * blanked (keys and counts show; `kubectl get secret -o yaml` does not print them by accident).
     */
    ObjectNode toJson(ApiResource r, KubeObject o, ClusterSnapshot snap) {
        return toJson(r, o, snap, false);
    }

    /** As {@link #toJson(ApiResource, KubeObject, ClusterSnapshot)}; {@code reveal} keeps Secret values. */
    ObjectNode toJson(ApiResource r, KubeObject o, ClusterSnapshot snap, boolean reveal) {
        long revision = snap.revision();
        ObjectNode n = json.valueToTree(o);
        if (r.kind().equals("Namespace") && !n.at("/status/phase").isTextual()) {
            // Namespaces clusterdns holds are never being deleted: Active, as kubectl describe ns expects.
            n.with("status").put("phase", "Active");
        }
        if (o instanceof Workload w && !n.has("status")) {
            n.set("status", workloadStatus(w, snap));
        }
        if (!n.hasNonNull("apiVersion")) {
            n.put("apiVersion", r.groupVersion());
        }
        if (!n.hasNonNull("kind")) {
            n.put("kind", r.kind());
        }
        ObjectNode meta = n.with("metadata");
        if (!meta.hasNonNull("resourceVersion")) {
            meta.put("resourceVersion", Long.toString(revision));
        }
        if (!reveal && r.kind().equals("Secret") && n.path("data").isObject()) {
            ObjectNode data = (ObjectNode) n.path("data");
            List<String> keys = new java.util.ArrayList<>();
            data.fieldNames().forEachRemaining(keys::add);
            keys.forEach(k -> data.put(k, ""));
        }
        if (r.kind().equals("EndpointSlice")) {
            // kubectl describe service reads slice ports' `name`, which Kubernetes always sends ("" when unnamed).
            for (JsonNode p : n.path("ports")) {
                if (p instanceof ObjectNode port && !port.has("name")) {
                    port.put("name", "");
                }
            }
        }
        return n;
    }

    /**
     * A Deployment's, ReplicaSet's or StatefulSet's status as its controller would report it, counted
     * from the snapshot's Pods its selector matches (the agent plays the controllers, not the kubelet,
     * so a matching Pod that is Ready counts as available).
     */
    private ObjectNode workloadStatus(Workload w, ClusterSnapshot snap) {
        int total = 0;
        int ready = 0;
        LabelSelector sel = w.spec() == null ? null : w.spec().selector();
        if (sel != null) {
            for (Pod p : snap.pods(w.namespace())) {
                if (!p.isFinished() && selects(sel, p.metadata().labels())) {
                    total++;
                    ready += p.isReady() ? 1 : 0;
                }
            }
        }
        ObjectNode st = json.createObjectNode();
        st.put("replicas", total);
        st.put("readyReplicas", ready);
        st.put("availableReplicas", ready);
        st.put("updatedReplicas", total);
        st.put("currentReplicas", total);
        return st;
    }

    private static boolean selects(LabelSelector sel, Map<String, String> labels) {
        if (sel.matchLabels().isEmpty() && sel.matchExpressions().isEmpty()) {
            return false;
        }
        for (Map.Entry<String, String> e : sel.matchLabels().entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        for (LabelSelector.Requirement r : sel.matchExpressions()) {
            String v = labels.get(r.key());
            boolean ok = switch (r.operator() == null ? "" : r.operator()) {
                case "In" -> v != null && r.values().contains(v);
                case "NotIn" -> v == null || !r.values().contains(v);
                case "Exists" -> v != null;
                case "DoesNotExist" -> v == null;
                default -> false;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** A meta.k8s.io/v1 Table of the given objects; {@code includeObject} is None, Metadata or Object. */
    ObjectNode table(ApiResource r, List<ObjectNode> items, long revision, String includeObject, String cont) {
        Columns.Spec spec = Columns.forKind(r.kind());
        ObjectNode t = json.createObjectNode();
        t.put("kind", "Table");
        t.put("apiVersion", "meta.k8s.io/v1");
        ObjectNode meta = t.putObject("metadata");
        meta.put("resourceVersion", Long.toString(revision));
        if (cont != null) {
            meta.put("continue", cont);
        }
        ArrayNode cols = t.putArray("columnDefinitions");
        for (Columns.Column c : spec.columns()) {
            cols.addObject().put("name", c.name()).put("type", c.type()).put("format", c.format())
                    .put("description", c.description()).put("priority", c.priority());
        }
        ArrayNode rows = t.putArray("rows");
        Instant now = Instant.now();
        for (ObjectNode item : items) {
            ObjectNode row = rows.addObject();
            ArrayNode cells = row.putArray("cells");
            for (Object cell : spec.row().apply(item, now)) {
                cells.addPOJO(cell);
            }
            switch (includeObject == null ? "Metadata" : includeObject) {
                case "None" -> { }
                case "Object" -> row.set("object", item);
                default -> {
                    ObjectNode partial = row.putObject("object");
                    partial.put("kind", "PartialObjectMetadata");
                    partial.put("apiVersion", "meta.k8s.io/v1");
                    partial.set("metadata", item.path("metadata"));
                }
            }
        }
        return t;
    }

    ObjectNode status(int code, String reason, String message, ApiResource r, String name) {
        ObjectNode st = json.createObjectNode();
        st.put("kind", "Status");
        st.put("apiVersion", "v1");
        st.putObject("metadata");
        st.put("status", "Failure");
        st.put("message", message);
        st.put("reason", reason);
        if (r != null) {
            ObjectNode d = st.putObject("details");
            if (name != null) {
                d.put("name", name);
            }
            d.put("group", r.group());
            d.put("kind", r.plural());
        }
        st.put("code", code);
        return st;
    }
}
