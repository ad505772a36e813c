package dev.clusterdns.cli.kubeapi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clusterdns.agent.model.KubeObject;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.agent.snapshot.ClusterView;
import dev.clusterdns.cli.http.Exchange;
import dev.clusterdns.cli.kubectl.LabelQuery;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * One `watch=true` request: a stream of watch events (ADDED, MODIFIED, DELETED, BOOKMARK, ERROR),
 * one JSON object per line, that follows the snapshots from the requested resourceVersion on.
 * Each new snapshot is compared with the one before, object by object.
 */
final class Watch {
    private final Exchange exchange;
    private final ApiResource resource;
    private final String namespace;
    private final String name;
    private final LabelQuery labels;
    private final FieldQuery fields;
    private final String tableObjects;
    private final Objects objects;
    private final SnapshotHistory history;
    private final ClusterView cluster;
    private final Executor work;
    private Exchange.Stream stream;
    private Map<String, KubeObject> last;
    private long lastRevision = -1;
    private boolean bookmarks;

    /** @param tableObjects null for plain objects, else the Table `includeObject` (the events carry one-row Tables) */
    Watch(Exchange exchange, ApiResource resource, String namespace, String name, LabelQuery labels, FieldQuery fields,
          String tableObjects, Objects objects, SnapshotHistory history, ClusterView cluster, Executor work) {
        this.exchange = exchange;
        this.resource = resource;
        this.namespace = namespace;
        this.name = name != null ? name : fields.name();
        this.labels = labels;
        this.fields = fields;
        this.tableObjects = tableObjects;
        this.objects = objects;
        this.history = history;
        this.cluster = cluster;
        this.work = work;
    }

    void start(String resourceVersion, boolean bookmarks, long timeoutSeconds) {
        this.bookmarks = bookmarks;
        ClusterSnapshot from = null;
        boolean tooOld = false;
        if (resourceVersion != null && !resourceVersion.isEmpty() && !resourceVersion.equals("0")) {
            long rv;
            try {
                rv = Long.parseLong(resourceVersion);
            } catch (NumberFormatException e) {
                rv = -1;
            }
            from = history.at(rv);
            if (from == null && rv >= 0 && rv < history.oldest()) {
                tooOld = true;
            } else if (from == null) {
                from = cluster.current();
            }
        }
        stream = exchange.stream(200, "application/json");
        if (tooOld) {
            ObjectNode ev = objects.json().createObjectNode();
            ev.put("type", "ERROR");
            ev.set("object", objects.status(410, "Expired", "too old resource version: " + resourceVersion
                    + " (" + history.oldest() + ")", null, null));
            write(ev);
            stream.close();
            return;
        }
        if (from != null) {
            last = select(from);
            lastRevision = from.revision();
        } else {
            last = Map.of();
        }
        stream.closeAfter(Duration.ofSeconds(timeoutSeconds));
        AutoCloseable subscription = cluster.subscribe(s -> work.execute(() -> step(s)));
        stream.onClose(() -> {
            try {
                subscription.close();
            } catch (Exception ignored) {
                // nothing left to release
            }
        });
    }

    /** The objects this watch sees in a snapshot, keyed namespace/name, in snapshot order. */
    private Map<String, KubeObject> select(ClusterSnapshot s) {
        Map<String, KubeObject> out = new LinkedHashMap<>();
        for (KubeObject o : resource.items().apply(s)) {
            if (namespace != null && !namespace.equals(o.namespace())) {
                continue;
            }
            if (name != null && !name.equals(o.name())) {
                continue;
            }
            if (!labels.matches(o.metadata().labels())) {
                continue;
            }
            if (!fields.terms().isEmpty() && !fields.matches(objects.toJson(resource, o, s))) {
                continue;
            }
            out.put(o.namespace() + "/" + o.name(), o);
        }
        return out;
    }

    private void step(ClusterSnapshot s) {
        if (!stream.isOpen() || s.revision() <= lastRevision) {
            return;
        }
        Map<String, KubeObject> now = select(s);
        boolean sent = false;
        for (Map.Entry<String, KubeObject> e : now.entrySet()) {
            KubeObject before = last.get(e.getKey());
            if (before == null) {
                sent |= event("ADDED", e.getValue(), s);
            } else if (!before.equals(e.getValue())) {
                sent |= event("MODIFIED", e.getValue(), s);
            }
        }
        for (Map.Entry<String, KubeObject> e : last.entrySet()) {
            if (!now.containsKey(e.getKey())) {
                sent |= event("DELETED", e.getValue(), s);
            }
        }
        if (!sent && bookmarks && lastRevision >= 0) {
            ObjectNode ev = objects.json().createObjectNode();
            ev.put("type", "BOOKMARK");
            ObjectNode o = ev.putObject("object");
            o.put("kind", resource.kind());
            o.put("apiVersion", resource.groupVersion());
            o.putObject("metadata").put("resourceVersion", Long.toString(s.revision()));
            write(ev);
        }
        last = now;
        lastRevision = s.revision();
    }

    private boolean event(String type, KubeObject o, ClusterSnapshot snap) {
        long revision = snap.revision();
        ObjectNode ev = objects.json().createObjectNode();
        ev.put("type", type);
        ObjectNode n = objects.toJson(resource, o, snap);
        n.with("metadata").put("resourceVersion", Long.toString(revision));
        ev.set("object", tableObjects == null ? n : objects.table(resource, List.of(n), revision, tableObjects, null));
        write(ev);
        return true;
    }

    private void write(ObjectNode ev) {
        try {
            stream.write(objects.json().writeValueAsString(ev) + "\n");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
