package dev.clusterdns.cli.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.clusterdns.agent.model.KubeObject;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.agent.snapshot.ClusterView;
import dev.clusterdns.agent.snapshot.Problem;
import dev.clusterdns.cli.kubectl.LabelQuery;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A read-only slice of the Kubernetes API over the live snapshot: lists and single objects as
 * Kubernetes JSON, so `kubectl`-style tools and `clusterdns get` can read what is served.
 * `/api/clusterdns/problems` lists the bad input left out.
 */
public final class ReadApi {

    private record Resource(String group, String plural, String listKind, Function<ClusterSnapshot, List<? extends KubeObject>> items) {}

    private static final List<Resource> RESOURCES = List.of(
            new Resource("v1", "namespaces", "NamespaceList", ClusterSnapshot::namespaces),
            new Resource("v1", "services", "ServiceList", ClusterSnapshot::services),
            new Resource("v1", "pods", "PodList", ClusterSnapshot::pods),
            new Resource("v1", "endpoints", "EndpointsList", ClusterSnapshot::endpoints),
            new Resource("v1", "configmaps", "ConfigMapList", ClusterSnapshot::configMaps),
            new Resource("discovery.k8s.io/v1", "endpointslices", "EndpointSliceList", ClusterSnapshot::endpointSlices),
            new Resource("apps/v1", "deployments", "DeploymentList",
                    s -> s.workloads().stream().filter(w -> "Deployment".equals(w.kind())).toList()),
            new Resource("apps/v1", "replicasets", "ReplicaSetList",
                    s -> s.workloads().stream().filter(w -> "ReplicaSet".equals(w.kind())).toList()),
            new Resource("apps/v1", "statefulsets", "StatefulSetList",
                    s -> s.workloads().stream().filter(w -> "StatefulSet".equals(w.kind())).toList()));

    private final ClusterView cluster;
    private final ObjectMapper json = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    public ReadApi(ClusterView cluster) {
        this.cluster = cluster;
    }

    public void register(HttpEndpoint http) {
        http.route("/api/", this::handle);
        http.route("/apis/", this::handle);
    }

    private void handle(HttpExchange ex) throws IOException {
        if (!"GET".equals(ex.getRequestMethod())) {
            status(ex, 405, "MethodNotAllowed", "the server only allows GET on " + ex.getRequestURI().getPath());
            return;
        }
        String path = ex.getRequestURI().getPath().replaceAll("/+$", "");
        ClusterSnapshot snap = cluster.current();
        if (path.equals("/api/clusterdns/problems")) {
            ArrayNode arr = json.createArrayNode();
            for (Problem p : snap.problems()) {
                arr.add(json.valueToTree(p));
            }
            send(ex, 200, arr);
            return;
        }
        LabelQuery labels;
        try {
            labels = LabelQuery.parse(query(ex, "labelSelector"));
        } catch (IllegalArgumentException e) {
            status(ex, 400, "BadRequest", e.getMessage());
            return;
        }
        for (Resource r : RESOURCES) {
            String base = (r.group().equals("v1") ? "/api/v1" : "/apis/" + r.group());
            if (path.equals(base + "/" + r.plural())) {
                sendList(ex, r, snap, null, labels);
                return;
            }
            String nsPrefix = base + "/namespaces/";
            if (path.startsWith(nsPrefix) && !r.plural().equals("namespaces")) {
                String[] rest = path.substring(nsPrefix.length()).split("/");
                if (rest.length >= 2 && rest[1].equals(r.plural())) {
                    if (rest.length == 2) {
                        sendList(ex, r, snap, rest[0], labels);
                        return;
                    }
                    if (rest.length == 3) {
                        sendOne(ex, r, snap, rest[0], rest[2]);
                        return;
                    }
                }
            }
            if (r.plural().equals("namespaces") && path.startsWith(base + "/namespaces/")
                    && path.substring((base + "/namespaces/").length()).indexOf('/') < 0) {
                sendOne(ex, r, snap, null, path.substring((base + "/namespaces/").length()));
                return;
            }
        }
        status(ex, 404, "NotFound", "the server could not find the requested resource");
    }

    private void sendList(HttpExchange ex, Resource r, ClusterSnapshot snap, String ns, LabelQuery labels) throws IOException {
        ObjectNode list = json.createObjectNode();
        list.put("apiVersion", r.group());
        list.put("kind", r.listKind());
        list.putObject("metadata").put("resourceVersion", Long.toString(snap.revision()));
        ArrayNode items = list.putArray("items");
        for (KubeObject o : r.items().apply(snap)) {
            if ((ns == null || ns.equals(o.namespace())) && labels.matches(o.metadata().labels())) {
                items.add(json.valueToTree(o));
            }
        }
        send(ex, 200, list);
    }

    private void sendOne(HttpExchange ex, Resource r, ClusterSnapshot snap, String ns, String name) throws IOException {
        for (KubeObject o : r.items().apply(snap)) {
            if (name.equals(o.name()) && (ns == null || ns.equals(o.namespace()))) {
                send(ex, 200, json.valueToTree(o));
                return;
            }
        }
        status(ex, 404, "NotFound", r.plural() + " \"" + name + "\" not found");
    }

    private void status(HttpExchange ex, int code, String reason, String message) throws IOException {
        ObjectNode st = json.createObjectNode();
        st.put("kind", "Status").put("apiVersion", "v1").put("status", "Failure")
                .put("message", message).put("reason", reason).put("code", code);
        send(ex, code, st);
    }

    private void send(HttpExchange ex, int code, Object body) throws IOException {
        HttpEndpoint.send(ex, code, "application/json", json.writerWithDefaultPrettyPrinter().writeValueAsString(body) + "\n");
    }

    private static String query(HttpExchange ex, String name) {
        String q = ex.getRequestURI().getRawQuery();
        if (q == null) {
            return null;
        }
        for (String kv : q.split("&")) {
            String[] p = kv.split("=", 2);
            if (URLDecoder.decode(p[0], StandardCharsets.UTF_8).equals(name)) {
                return p.length > 1 ? URLDecoder.decode(p[1], StandardCharsets.UTF_8) : "";
            }
        }
        return null;
    }

}
