package dev.clusterdns.cli.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * kubectl's columns for each kind, as the API server's table printers give them (`kubectl get` and
 * `-o wide`, where priority 1 columns are the wide ones). The one copy: the API serves them as
 * `Table`s and `clusterdns get` prints those tables.
 */
public final class Columns {
    private Columns() {}

    /** A column as `meta.k8s.io/v1` Table's columnDefinitions describe it. */
    public record Column(String name, String type, String format, int priority, String description) {
        static Column of(String name) {
            return new Column(name, "string", "", 0, "");
        }

        static Column wide(String name) {
            return new Column(name, "string", "", 1, "");
        }
    }

    /** The columns of one kind and how to fill a row from an object (as JSON). */
    public record Spec(List<Column> columns, BiFunction<JsonNode, Instant, List<Object>> row) {}

    private static final Column NAME = new Column("Name", "string", "name",
            0, "Name must be unique within a namespace.");
    private static final Column AGE = new Column("Age", "string", "", 0,
            "CreationTimestamp is a timestamp representing the server time when this object was created.");

    public static Spec forKind(String kind) {
        return switch (kind) {
            case "Namespace" -> new Spec(List.of(NAME, Column.of("Status"), AGE),
                    (o, now) -> List.of(name(o), text(o.at("/status/phase"), "Active"), age(o, now)));
            case "Service" -> new Spec(List.of(NAME, Column.of("Type"), Column.of("Cluster-IP"), Column.of("External-IP"),
                    Column.of("Port(s)"), AGE, Column.wide("Selector")),
                    (o, now) -> List.of(name(o), text(o.at("/spec/type"), "ClusterIP"), clusterIp(o), externalIp(o),
                            servicePorts(o), age(o, now), labels(o.at("/spec/selector"))));
            case "Endpoints" -> new Spec(List.of(NAME, Column.of("Endpoints"), AGE),
                    (o, now) -> List.of(name(o), endpoints(o), age(o, now)));
            case "EndpointSlice" -> new Spec(List.of(NAME, Column.of("AddressType"), Column.of("Ports"),
                    Column.of("Endpoints"), AGE),
                    (o, now) -> List.of(name(o), text(o.path("addressType"), ""), slicePorts(o), sliceEndpoints(o), age(o, now)));
            case "Pod" -> new Spec(List.of(NAME, Column.of("Ready"), Column.of("Status"), new Column("Restarts", "string", "", 0, ""),
                    AGE, Column.wide("IP"), Column.wide("Node"), Column.wide("Nominated Node"), Column.wide("Readiness Gates")),
                    (o, now) -> List.of(name(o), podReady(o), podStatus(o), restarts(o), age(o, now),
                            text(o.at("/status/podIP"), "<none>"), text(o.at("/spec/nodeName"), "<none>"),
                            text(o.at("/status/nominatedNodeName"), "<none>"), readinessGates(o)));
            case "ConfigMap" -> new Spec(List.of(NAME, new Column("Data", "integer", "", 0, ""), AGE),
                    (o, now) -> List.of(name(o), o.path("data").size() + o.path("binaryData").size(), age(o, now)));
            case "Secret" -> new Spec(List.of(NAME, Column.of("Type"), new Column("Data", "integer", "", 0, ""), AGE),
                    (o, now) -> List.of(name(o), text(o.path("type"), "Opaque"), o.path("data").size() + o.path("stringData").size(),
                            age(o, now)));
            case "Deployment" -> new Spec(List.of(NAME, Column.of("Ready"), new Column("Up-to-date", "integer", "", 0, ""),
                    new Column("Available", "integer", "", 0, ""), AGE, Column.wide("Containers"), Column.wide("Images"),
                    Column.wide("Selector")),
                    (o, now) -> List.of(name(o), o.at("/status/readyReplicas").asInt(0) + "/" + replicas(o),
                            o.at("/status/updatedReplicas").asInt(0), o.at("/status/availableReplicas").asInt(0), age(o, now),
                            containers(o, "name"), containers(o, "image"), selector(o.at("/spec/selector"))));
            case "ReplicaSet" -> new Spec(List.of(NAME, new Column("Desired", "integer", "", 0, ""),
                    new Column("Current", "integer", "", 0, ""), new Column("Ready", "integer", "", 0, ""), AGE,
                    Column.wide("Containers"), Column.wide("Images"), Column.wide("Selector")),
                    (o, now) -> List.of(name(o), replicas(o), o.at("/status/replicas").asInt(0),
                            o.at("/status/readyReplicas").asInt(0), age(o, now), containers(o, "name"), containers(o, "image"),
                            selector(o.at("/spec/selector"))));
            case "StatefulSet" -> new Spec(List.of(NAME, Column.of("Ready"), AGE, Column.wide("Containers"), Column.wide("Images")),
                    (o, now) -> List.of(name(o), o.at("/status/readyReplicas").asInt(0) + "/" + replicas(o), age(o, now),
                            containers(o, "name"), containers(o, "image")));
            case "Ingress" -> new Spec(List.of(NAME, Column.of("Class"), Column.of("Hosts"), Column.of("Address"),
                    Column.of("Ports"), AGE),
                    (o, now) -> List.of(name(o), ingressClass(o), ingressHosts(o), loadBalancer(o.at("/status/loadBalancer/ingress")),
                            o.at("/spec/tls").size() > 0 ? "80, 443" : "80", age(o, now)));
            case "IngressClass" -> new Spec(List.of(NAME, Column.of("Controller"), Column.of("Parameters"), AGE),
                    (o, now) -> List.of(name(o), text(o.at("/spec/controller"), ""), "<none>", age(o, now)));
            case "Event" -> new Spec(List.of(Column.of("Last Seen"), Column.of("Type"), Column.of("Reason"),
                    Column.of("Object"), Column.of("Message")),
                    (o, now) -> List.of(Age.since(o.path("lastTimestamp").asText(null), now), text(o.path("type"), ""),
                            text(o.path("reason"), ""), o.at("/involvedObject/kind").asText("").toLowerCase() + "/"
                                    + o.at("/involvedObject/name").asText(""), text(o.path("message"), "")));
            default -> new Spec(List.of(NAME, AGE), (o, now) -> List.of(name(o), age(o, now)));
        };
    }

    static String name(JsonNode o) {
        return o.at("/metadata/name").asText("");
    }

    static String age(JsonNode o, Instant now) {
        return Age.since(o.at("/metadata/creationTimestamp").asText(null), now);
    }

    static String text(JsonNode n, String absent) {
        return n.isMissingNode() || n.isNull() || n.asText().isEmpty() ? absent : n.asText();
    }

    /** `k=v,k2=v2` sorted by key, `<none>` when empty. */
    public static String labels(JsonNode map) {
        if (!map.isObject() || map.isEmpty()) {
            return "<none>";
        }
        Map<String, String> sorted = new TreeMap<>();
        map.fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue().asText()));
        List<String> out = new ArrayList<>();
        sorted.forEach((k, v) -> out.add(k + "=" + v));
        return String.join(",", out);
    }

    /** A LabelSelector as kubectl prints it: `app=web,tier in (a,b)`. */
    static String selector(JsonNode sel) {
        List<String> out = new ArrayList<>();
        if (sel.path("matchLabels").isObject()) {
            Map<String, String> sorted = new TreeMap<>();
            sel.path("matchLabels").fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue().asText()));
            sorted.forEach((k, v) -> out.add(k + "=" + v));
        }
        for (JsonNode e : sel.path("matchExpressions")) {
            String op = e.path("operator").asText();
            List<String> values = new ArrayList<>();
            e.path("values").forEach(v -> values.add(v.asText()));
            String key = e.path("key").asText();
            switch (op) {
                case "In" -> out.add(key + " in (" + String.join(",", values) + ")");
                case "NotIn" -> out.add(key + " notin (" + String.join(",", values) + ")");
                case "Exists" -> out.add(key);
                case "DoesNotExist" -> out.add("!" + key);
                default -> out.add(key + " " + op);
            }
        }
        return out.isEmpty() ? "<none>" : String.join(",", out);
    }

    static String clusterIp(JsonNode s) {
        if ("ExternalName".equals(s.at("/spec/type").asText())) {
            return "<none>";
        }
        return text(s.at("/spec/clusterIP"), "<none>");
    }

    static String externalIp(JsonNode s) {
        String type = s.at("/spec/type").asText("ClusterIP");
        List<String> external = new ArrayList<>();
        s.at("/spec/externalIPs").forEach(ip -> external.add(ip.asText()));
        switch (type) {
            case "ExternalName":
                return text(s.at("/spec/externalName"), "<none>");
            case "LoadBalancer": {
                String lb = loadBalancer(s.at("/status/loadBalancer/ingress"));
                List<String> all = new ArrayList<>();
                if (!lb.isEmpty()) {
                    all.add(lb);
                }
                all.addAll(external);
                return all.isEmpty() ? "<pending>" : String.join(",", all);
            }
            default:
                return external.isEmpty() ? "<none>" : String.join(",", external);
        }
    }

    static String loadBalancer(JsonNode ingress) {
        List<String> out = new ArrayList<>();
        for (JsonNode i : ingress) {
            if (!i.path("ip").asText().isEmpty()) {
                out.add(i.path("ip").asText());
            } else if (!i.path("hostname").asText().isEmpty()) {
                out.add(i.path("hostname").asText());
            }
        }
        return String.join(",", out);
    }

    static String servicePorts(JsonNode s) {
        List<String> out = new ArrayList<>();
        for (JsonNode p : s.at("/spec/ports")) {
            int np = p.path("nodePort").asInt(0);
            out.add(p.path("port").asInt() + (np == 0 ? "" : ":" + np) + "/" + p.path("protocol").asText("TCP"));
        }
        return out.isEmpty() ? "<none>" : String.join(",", out);
    }

    /** `10.244.2.5:80,10.244.3.4:80 + 1 more...`: every address and port, three at most. */
    static String endpoints(JsonNode e) {
        List<String> all = new ArrayList<>();
        for (JsonNode subset : e.path("subsets")) {
            if (subset.path("ports").isEmpty()) {
                subset.path("addresses").forEach(a -> all.add(a.path("ip").asText()));
                continue;
            }
            for (JsonNode port : subset.path("ports")) {
                for (JsonNode a : subset.path("addresses")) {
                    all.add(hostPort(a.path("ip").asText(), port.path("port").asInt()));
                }
            }
        }
        return firstThree(all, "<none>");
    }

    private static String hostPort(String ip, int port) {
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + port;
    }

    static String slicePorts(JsonNode s) {
        List<String> out = new ArrayList<>();
        for (JsonNode p : s.path("ports")) {
            out.add(p.hasNonNull("port") ? p.path("port").asText() : "<unset>");
        }
        return firstThree(out, "<unset>");
    }

    static String sliceEndpoints(JsonNode s) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : s.path("endpoints")) {
            e.path("addresses").forEach(a -> out.add(a.asText()));
        }
        return firstThree(out, "<unset>");
    }

    private static String firstThree(List<String> all, String none) {
        if (all.isEmpty()) {
            return none;
        }
        if (all.size() <= 3) {
            return String.join(",", all);
        }
        return String.join(",", all.subList(0, 3)) + " + " + (all.size() - 3) + " more...";
    }

    /** Ready containers / containers; a pod with no container statuses counts all as ready when the pod is. */
    static String podReady(JsonNode p) {
        int total = Math.max(1, p.at("/spec/containers").size());
        JsonNode statuses = p.at("/status/containerStatuses");
        if (statuses.isArray() && !statuses.isEmpty()) {
            int ready = 0;
            for (JsonNode c : statuses) {
                if (c.path("ready").asBoolean(false)) {
                    ready++;
                }
            }
            return ready + "/" + total;
        }
        return (podIsReady(p) ? total : 0) + "/" + total;
    }

    /** The Ready condition; with no conditions at all, a pod with an IP counts as ready (as the agent does). */
    static boolean podIsReady(JsonNode p) {
        JsonNode conditions = p.at("/status/conditions");
        for (JsonNode c : conditions) {
            if ("Ready".equals(c.path("type").asText())) {
                return "True".equals(c.path("status").asText());
            }
        }
        return conditions.isEmpty() && !p.at("/status/podIP").asText().isEmpty();
    }

    static String podStatus(JsonNode p) {
        if (!p.at("/metadata/deletionTimestamp").asText().isEmpty()) {
            return "Terminating";
        }
        String reason = p.at("/status/reason").asText();
        if (!reason.isEmpty()) {
            return reason;
        }
        return text(p.at("/status/phase"), "Pending");
    }

    static String restarts(JsonNode p) {
        int n = 0;
        for (JsonNode c : p.at("/status/containerStatuses")) {
            n += c.path("restartCount").asInt(0);
        }
        return Integer.toString(n);
    }

    static String readinessGates(JsonNode p) {
        JsonNode gates = p.at("/spec/readinessGates");
        if (gates.isEmpty()) {
            return "<none>";
        }
        int ready = 0;
        for (JsonNode g : gates) {
            for (JsonNode c : p.at("/status/conditions")) {
                if (c.path("type").asText().equals(g.path("conditionType").asText()) && "True".equals(c.path("status").asText())) {
                    ready++;
                }
            }
        }
        return ready + "/" + gates.size();
    }

    static int replicas(JsonNode o) {
        JsonNode r = o.at("/spec/replicas");
        return r.isMissingNode() || r.isNull() ? 1 : r.asInt();
    }

    static String containers(JsonNode o, String field) {
        List<String> out = new ArrayList<>();
        o.at("/spec/template/spec/containers").forEach(c -> out.add(c.path(field).asText()));
        return String.join(",", out);
    }

    static String ingressClass(JsonNode o) {
        String c = o.at("/spec/ingressClassName").asText();
        if (c.isEmpty()) {
            c = o.at("/metadata/annotations").path("kubernetes.io/ingress.class").asText();
        }
        return c.isEmpty() ? "<none>" : c;
    }

    /** kubectl's HOSTS: the first three rules' hosts (host-less rules add none), `*` when there are none. */
    static String ingressHosts(JsonNode o) {
        List<String> hosts = new ArrayList<>();
        JsonNode rules = o.at("/spec/rules");
        boolean more = false;
        for (JsonNode r : rules) {
            if (hosts.size() == 3) {
                more = true;
            }
            if (!more && !r.path("host").asText().isEmpty()) {
                hosts.add(r.path("host").asText());
            }
        }
        if (hosts.isEmpty()) {
            return "*";
        }
        return String.join(",", hosts) + (more ? " + " + (rules.size() - 3) + " more..." : "");
    }
}
