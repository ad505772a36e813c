package dev.clusterdns.cli.kubeapi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clusterdns.agent.AgentConfig;
import dev.clusterdns.agent.model.KubeObject;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.agent.snapshot.ClusterView;
import dev.clusterdns.agent.snapshot.Problem;
import dev.clusterdns.cli.http.Exchange;
import dev.clusterdns.cli.http.HttpEndpoint;
import dev.clusterdns.cli.kubectl.LabelQuery;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Supplier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The Kubernetes API, read-only, over the live snapshot: discovery, list/get (JSON or kubectl's
 * Table), label and field selectors, paging, watch, OpenAPI; writes get a 405 Status saying where
 * the object's manifest is. Enough for an unmodified kubectl.
 */
public final class KubeApi implements AutoCloseable {
    private static final String JSON = "application/json";

    private final ClusterView cluster;
    private final List<ApiResource> resources = ApiResource.all();
    private final ObjectMapper json = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    private final Objects objects = new Objects(json);
    private final Discovery discovery = new Discovery(json, resources);
    private final OpenApi openApi = new OpenApi(json, resources);
    private final SnapshotHistory history;
    private final WriteRefusal writes;
    private final AgentConfig config;
    private final String version;
    private final Supplier<List<Problem>> serving;
    private volatile java.util.function.UnaryOperator<dev.clusterdns.agent.model.Ingress> ingressStatus = i -> i;
    private final ExecutorService watchWork = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "clusterdns-watch");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param config the agent's settings: where manifests are (for the 405 a write gets, and for
     *     `/api/clusterdns/config`, which `env`, `resolvconf` and `expose` read)
     * @param version clusterdns's version, shown in /version's gitVersion
     */
    public KubeApi(ClusterView cluster, AgentConfig config, String version) {
        this(cluster, config, version, List::of);
    }

    /** @param serving problems found while serving (unbound Service sockets), listed after the snapshot's */
    public KubeApi(ClusterView cluster, AgentConfig config, String version, Supplier<List<Problem>> serving) {
        this.serving = serving;
        this.cluster = cluster;
        this.config = config;
        this.writes = new WriteRefusal(config, cluster);
        this.version = version;
        this.history = new SnapshotHistory(cluster, 256);
    }

    /** Ingresses are shown with the status the Ingress controller gives them (their address). */
    public void ingressStatus(java.util.function.UnaryOperator<dev.clusterdns.agent.model.Ingress> status) {
        this.ingressStatus = status;
    }

    private List<? extends KubeObject> items(ApiResource r, dev.clusterdns.agent.snapshot.ClusterSnapshot snap) {
        List<? extends KubeObject> items = r.items().apply(snap);
        if (!r.kind().equals("Ingress")) {
            return items;
        }
        java.util.function.UnaryOperator<dev.clusterdns.agent.model.Ingress> status = ingressStatus;
        return items.stream().map(o -> (KubeObject) status.apply((dev.clusterdns.agent.model.Ingress) o)).toList();
    }

    public void register(HttpEndpoint http) {
        http.routeTree("/api/", this::handle);
        http.routeTree("/apis/", this::handle);
        http.route("/version", ex -> send(ex, 200, versionInfo()));
        http.route("/openapi/v2", ex -> send(ex, 200, openApi.v2()));
        http.routeTree("/openapi/v3/", ex -> {
            JsonNode doc = openApi.v3(ex.path());
            if (doc == null) {
                send(ex, 404, objects.status(404, "NotFound", "the server could not find the requested resource", null, null));
            } else {
                send(ex, 200, doc);
            }
        });
    }

    private ObjectNode versionInfo() {
        ObjectNode v = json.createObjectNode();
        v.put("major", "1");
        v.put("minor", "32");
        v.put("gitVersion", "v1.32.0+clusterdns-" + version);
        v.put("gitCommit", "");
        v.put("gitTreeState", "clean");
        v.put("buildDate", "1970-01-01T00:00:00Z");
        v.put("goVersion", "java" + Runtime.version().feature());
        v.put("compiler", "javac");
        v.put("platform", System.getProperty("os.name").toLowerCase() + "/" + System.getProperty("os.arch"));
        return v;
    }

    /** The settings clients need to compute what serve computes (env, resolv.conf, where manifests go). */
    private ObjectNode serverConfig() {
        ObjectNode c = json.createObjectNode();
        c.put("clusterDomain", config.clusterDomain());
        ArrayNode m = c.putArray("manifests");
        config.manifests().forEach(p -> m.add(p.toAbsolutePath().normalize().toString()));
        config.serviceCidrs().forEach(c.putArray("serviceCidrs")::add);
        c.put("kubernetesApi", config.kubernetesApi() != null);
        return c;
    }

    /** What a path names: a resource, maybe a namespace, maybe an object. */
    private record Target(ApiResource resource, String namespace, String name) {}

    private void handle(Exchange ex) throws Exception {
        String path = ex.path().replaceAll("/+$", "");
        if (path.equals("/api/clusterdns/problems")) {
            ArrayNode arr = json.createArrayNode();
            for (Problem p : cluster.current().problems()) {
                arr.add(json.valueToTree(p));
            }
            for (Problem p : serving.get()) {
                arr.add(json.valueToTree(p));
            }
            send(ex, 200, arr);
            return;
        }
        if (path.equals("/api/clusterdns/config")) {
            send(ex, 200, serverConfig());
            return;
        }
        boolean get = ex.method().equals("GET") || ex.method().equals("HEAD");
        String[] seg = path.substring(1).split("/");
        // Discovery documents.
        if (get && (path.equals("/api") || path.equals("/apis"))) {
            if (Discovery.wantsAggregated(ex.header("Accept"))) {
                ex.reply(200, Discovery.AGGREGATED_TYPE, bytes(discovery.aggregated(path.equals("/api"))));
            } else {
                send(ex, 200, path.equals("/api") ? discovery.apiVersions() : discovery.groupList());
            }
            return;
        }
        int baseLen;
        String group;
        String version;
        if (seg[0].equals("api") && seg.length >= 2) {
            group = "";
            version = seg[1];
            baseLen = 2;
        } else if (seg[0].equals("apis") && seg.length >= 3) {
            group = seg[1];
            version = seg[2];
            baseLen = 3;
        } else if (seg[0].equals("apis") && seg.length == 2 && get) {
            ObjectNode g = discovery.group(seg[1]);
            if (g != null) {
                send(ex, 200, g);
            } else {
                notFound(ex);
            }
            return;
        } else {
            notFound(ex);
            return;
        }
        if (seg.length == baseLen && get) {
            ObjectNode list = discovery.resourceList(group, version);
            if (list != null) {
                send(ex, 200, list);
            } else {
                notFound(ex);
            }
            return;
        }
        Target t = target(group, version, seg, baseLen);
        if (t == null) {
            notFound(ex);
            return;
        }
        if (!get) {
            String name = t.name() != null ? t.name() : nameInBody(ex.body());
            String ns = t.resource().namespaced() ? (t.namespace() != null ? t.namespace() : "default") : null;
            send(ex, 405, objects.status(405, "MethodNotAllowed",
                    writes.explain(ex.method(), t.resource().kind(), t.resource().qualified(), ns, name), t.resource(), name));
            return;
        }
        LabelQuery labels;
        FieldQuery fields;
        try {
            labels = LabelQuery.parse(ex.param("labelSelector"));
            fields = FieldQuery.parse(ex.param("fieldSelector"), t.resource());
        } catch (IllegalArgumentException e) {
            send(ex, 400, objects.status(400, "BadRequest", e.getMessage(), null, null));
            return;
        }
        boolean table = wantsTable(ex.header("Accept"));
        String watch = ex.param("watch");
        if (watch != null && (watch.equals("true") || watch.equals("1"))) {
            new Watch(ex, t.resource(), t.namespace(), t.name(), labels, fields, table ? includeObject(ex) : null,
                    objects, history, cluster, watchWork).start(ex.param("resourceVersion"),
                    "true".equals(ex.param("allowWatchBookmarks")), timeoutSeconds(ex));
            return;
        }
        ClusterSnapshot snap = cluster.current();
        if (t.name() != null) {
            for (KubeObject o : items(t.resource(), snap)) {
                if (t.name().equals(o.name()) && (t.namespace() == null || t.namespace().equals(o.namespace()))) {
                    ObjectNode n = objects.toJson(t.resource(), o, snap, reveal(ex));
                    send(ex, 200, table ? objects.table(t.resource(), List.of(n), snap.revision(), includeObject(ex), null) : n);
                    return;
                }
            }
            send(ex, 404, objects.status(404, "NotFound", t.resource().qualified() + " \"" + t.name() + "\" not found",
                    t.resource(), t.name()));
            return;
        }
        list(ex, t, labels, fields, table);
    }

    private void list(Exchange ex, Target t, LabelQuery labels, FieldQuery fields, boolean table) throws Exception {
        ClusterSnapshot snap = cluster.current();
        int offset = 0;
        String cont = ex.param("continue");
        if (cont != null && !cont.isEmpty()) {
            long[] token = decodeContinue(cont);
            ClusterSnapshot then = token == null ? null : history.at(token[0]);
            if (then == null) {
                send(ex, 410, objects.status(410, "Expired", "The provided continue parameter is too old to display a "
                        + "consistent list result. You can start a new list without the continue parameter.", null, null));
                return;
            }
            snap = then;
            offset = (int) token[1];
        }
        int limit = parseInt(ex.param("limit"));
        List<ObjectNode> all = new ArrayList<>();
        for (KubeObject o : items(t.resource(), snap)) {
            if (t.namespace() != null && !t.namespace().equals(o.namespace())) {
                continue;
            }
            if (!labels.matches(o.metadata().labels())) {
                continue;
            }
            ObjectNode n = objects.toJson(t.resource(), o, snap, reveal(ex));
            if (fields.matches(n)) {
                all.add(n);
            }
        }
        List<ObjectNode> page = all.subList(Math.min(offset, all.size()),
                limit > 0 ? Math.min(all.size(), offset + limit) : all.size());
        int next = offset + page.size();
        String nextToken = next < all.size() ? encodeContinue(snap.revision(), next) : null;
        if (table) {
            ObjectNode tbl = objects.table(t.resource(), page, snap.revision(), includeObject(ex), nextToken);
            if (nextToken != null) {
                ((ObjectNode) tbl.get("metadata")).put("remainingItemCount", all.size() - next);
            }
            send(ex, 200, tbl);
            return;
        }
        ObjectNode list = json.createObjectNode();
        list.put("kind", t.resource().listKind());
        list.put("apiVersion", t.resource().groupVersion());
        ObjectNode meta = list.putObject("metadata");
        meta.put("resourceVersion", Long.toString(snap.revision()));
        if (nextToken != null) {
            meta.put("continue", nextToken);
            meta.put("remainingItemCount", all.size() - next);
        }
        ArrayNode items = list.putArray("items");
        page.forEach(items::add);
        send(ex, 200, list);
    }

    private Target target(String group, String version, String[] seg, int base) {
        int rest = seg.length - base;
        String ns = null;
        int i = base;
        if (rest >= 3 && seg[base].equals("namespaces")) {
            ns = seg[base + 1];
            i = base + 2;
            rest -= 2;
        }
        if (rest < 1 || rest > 2) {
            return null;
        }
        for (ApiResource r : resources) {
            if (r.group().equals(group) && r.version().equals(version) && r.plural().equals(seg[i])) {
                if (ns != null && !r.namespaced()) {
                    return null;
                }
                return new Target(r, ns, rest == 2 ? seg[i + 1] : null);
            }
        }
        return null;
    }

    /** `?reveal=true`: Secret values as stored (blanked otherwise, so they are not printed by accident). */
    private static boolean reveal(Exchange ex) {
        return "true".equals(ex.param("reveal"));
    }

    private static boolean wantsTable(String accept) {
        return accept != null && accept.contains("as=Table");
    }

    private static String includeObject(Exchange ex) {
        String v = ex.param("includeObject");
        return v == null ? "Metadata" : v;
    }

    private static long timeoutSeconds(Exchange ex) {
        long t = parseInt(ex.param("timeoutSeconds"));
        return t > 0 ? t : 1800;
    }

    private static int parseInt(String s) {
        if (s == null || s.isEmpty()) {
            return 0;
        }
        try {
            return Math.max(0, Integer.parseInt(s));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private String nameInBody(byte[] body) {
        try {
            return json.readTree(body).at("/metadata/name").asText(null);
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    private static String encodeContinue(long revision, int offset) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((revision + ":" + offset).getBytes(StandardCharsets.UTF_8));
    }

    private static long[] decodeContinue(String token) {
        try {
            String[] p = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8).split(":");
            return new long[] {Long.parseLong(p[0]), Long.parseLong(p[1])};
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            return null;
        }
    }

    private void notFound(Exchange ex) {
        send(ex, 404, objects.status(404, "NotFound", "the server could not find the requested resource", null, null));
    }

    private byte[] bytes(JsonNode body) {
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void send(Exchange ex, int code, JsonNode body) {
        ex.reply(code, JSON, bytes(body));
    }

    @Override
    public void close() throws Exception {
        history.close();
        watchWork.shutdownNow();
    }
}
