package dev.clusterdns.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clusterdns.agent.model.Endpoints;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.Workload;
import dev.clusterdns.cli.kubectl.Age;
import dev.clusterdns.cli.kubectl.ApiClient;
import dev.clusterdns.cli.kubectl.Table;
import dev.clusterdns.cli.kubectl.Views;
import dev.clusterdns.cli.kubectl.WorkloadColumns;
import dev.clusterdns.cli.kubectl.Yaml;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "get", mixinStandardHelpOptions = true,
        description = "Print services, endpoints, pods or workloads of a running server, as `kubectl get` does.")
final class GetCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "RESOURCE", description = "services (svc), endpoints (ep), pods (po), deployments (deploy), replicasets (rs) or statefulsets (sts).")
    String resource;

    @Parameters(index = "1", arity = "0..1", paramLabel = "NAME", description = "Only this object.")
    String name;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NS", defaultValue = "default", description = "Namespace (default ${DEFAULT-VALUE}).")
    String namespace;

    @Option(names = {"-A", "--all-namespaces"}, description = "Every namespace.")
    boolean allNamespaces;

    @Option(names = {"-l", "--selector"}, paramLabel = "SELECTOR", description = "Label selector, e.g. app=nginx,tier!=db.")
    String selector;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "wide, yaml or json.")
    String output;

    @Option(names = "--server", paramLabel = "URL", defaultValue = "http://127.0.0.1:9153", description = "The server's HTTP address (default ${DEFAULT-VALUE}).")
    String server;

    /** kubectl's resource names and short names. */
    enum Kind {
        SERVICES("v1", "services", List.of("service", "svc")),
        ENDPOINTS("v1", "endpoints", List.of("ep")),
        PODS("v1", "pods", List.of("pod", "po")),
        DEPLOYMENTS("apps/v1", "deployments", List.of("deployment", "deploy")),
        REPLICASETS("apps/v1", "replicasets", List.of("replicaset", "rs")),
        STATEFULSETS("apps/v1", "statefulsets", List.of("statefulset", "sts"));

        final String group;
        final String plural;
        final List<String> aliases;

        Kind(String group, String plural, List<String> aliases) {
            this.group = group;
            this.plural = plural;
            this.aliases = aliases;
        }

        static Kind of(String text) {
            String t = text.toLowerCase(Locale.ROOT);
            for (Kind k : values()) {
                if (k.plural.equals(t) || k.aliases.contains(t)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("the server doesn't have a resource type \"" + text
                    + "\" (supported: services, endpoints, pods, deployments, replicasets, statefulsets)");
        }
    }

    @Override
    public Integer call() throws IOException {
        Kind kind = Kind.of(resource);
        if (output != null && !List.of("wide", "yaml", "json").contains(output)) {
            throw new IllegalArgumentException("unable to match a printer suitable for the output format \"" + output
                    + "\", allowed formats are: json,wide,yaml");
        }
        ApiClient api = new ApiClient(server);
        JsonNode list = api.list(kind.group, kind.plural, allNamespaces ? null : namespace, selector);
        List<JsonNode> items = new ArrayList<>();
        list.path("items").forEach(i -> {
            if (name == null || name.equals(i.path("metadata").path("name").asText())) {
                items.add(i);
            }
        });
        if (name != null && items.isEmpty()) {
            System.err.println("Error from server (NotFound): " + kind.plural + " \"" + name + "\" not found");
            return 1;
        }
        if ("yaml".equals(output) || "json".equals(output)) {
            JsonNode out = name != null ? items.get(0) : asList(api, items);
            System.out.print("json".equals(output)
                    ? api.json().writerWithDefaultPrettyPrinter().writeValueAsString(out) + "\n"
                    : Yaml.mapper().writeValueAsString(out));
            return 0;
        }
        if (items.isEmpty()) {
            System.err.println(allNamespaces ? "No resources found" : "No resources found in " + namespace + " namespace.");
            return 0;
        }
        System.out.print(table(api, kind, items).render());
        return 0;
    }

    private static JsonNode asList(ApiClient api, List<JsonNode> items) {
        ObjectNode list = api.json().createObjectNode();
        list.put("apiVersion", "v1");
        ArrayNode arr = list.putArray("items");
        items.forEach(arr::add);
        list.put("kind", "List");
        list.putObject("metadata").put("resourceVersion", "");
        return list;
    }

    private Table table(ApiClient api, Kind kind, List<JsonNode> items) throws IOException {
        boolean wide = "wide".equals(output);
        Instant now = Instant.now();
        List<String> headers = new ArrayList<>();
        if (allNamespaces) {
            headers.add("NAMESPACE");
        }
        switch (kind) {
            case SERVICES -> {
                headers.addAll(List.of("NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"));
                if (wide) {
                    headers.add("SELECTOR");
                }
            }
            case ENDPOINTS -> headers.addAll(List.of("NAME", "ENDPOINTS", "AGE"));
            case PODS -> {
                headers.addAll(List.of("NAME", "READY", "STATUS", "RESTARTS", "AGE"));
                if (wide) {
                    headers.addAll(List.of("IP", "NODE", "NOMINATED NODE", "READINESS GATES"));
                }
            }
            case DEPLOYMENTS, REPLICASETS, STATEFULSETS -> headers.addAll(WorkloadColumns.headers(kind.plural, wide));
        }
        Table t = new Table(headers);
        for (JsonNode item : items) {
            List<String> row = new ArrayList<>();
            if (allNamespaces) {
                row.add(item.path("metadata").path("namespace").asText());
            }
            switch (kind) {
                case SERVICES -> {
                    Service s = api.json().treeToValue(item, Service.class);
                    row.addAll(List.of(s.name(), s.spec().type() == null ? "ClusterIP" : s.spec().type(), Views.clusterIp(s),
                            Views.externalIp(s), Views.ports(s), Age.since(s.metadata().creationTimestamp(), now)));
                    if (wide) {
                        row.add(Views.selector(s.spec().selector()));
                    }
                }
                case ENDPOINTS -> {
                    Endpoints e = api.json().treeToValue(item, Endpoints.class);
                    row.addAll(List.of(e.name(), Views.endpoints(e, null), Age.since(e.metadata().creationTimestamp(), now)));
                }
                case PODS -> {
                    Pod p = api.json().treeToValue(item, Pod.class);
                    row.addAll(List.of(p.name(), Views.podReady(p), Views.podStatus(p), "0",
                            Age.since(p.metadata().creationTimestamp(), now)));
                    if (wide) {
                        List<String> ips = p.podIPs();
                        String node = p.spec().nodeName();
                        row.addAll(List.of(ips.isEmpty() ? "<none>" : ips.get(0),
                                node == null || node.isEmpty() ? "<none>" : node, "<none>", "<none>"));
                    }
                }
                case DEPLOYMENTS, REPLICASETS, STATEFULSETS ->
                    row.addAll(WorkloadColumns.row(api.json().treeToValue(item, Workload.class), wide, now));
            }
            t.add(row);
        }
        return t;
    }
}
