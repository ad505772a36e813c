package dev.clusterdns.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clusterdns.cli.kubectl.ApiClient;
import dev.clusterdns.cli.kubectl.Columns;
import dev.clusterdns.cli.kubectl.JsonPathTemplate;
import dev.clusterdns.cli.kubectl.ResourceType;
import dev.clusterdns.cli.kubectl.Table;
import dev.clusterdns.cli.kubectl.Yaml;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `clusterdns get`: kubectl's `get` against a running server. The columns come from the server's
 * Tables (the one copy of kubectl's columns is {@link Columns}); this only lays them out.
 */
@Command(name = "get", mixinStandardHelpOptions = true,
        description = "Print objects of a running server, as `kubectl get` does (svc, ep, pods, deploy, ...; svc,ep; svc/NAME).")
final class GetCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "TYPE[,TYPE...] [NAME...] | TYPE/NAME...",
            description = "What to print: services (svc), endpoints (ep), pods (po), endpointslices, deployments (deploy), "
                    + "replicasets (rs), namespaces (ns), configmaps (cm), secrets, ...")
    List<String> args;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NS", defaultValue = "default", description = "Namespace (default ${DEFAULT-VALUE}).")
    String namespace;

    @Option(names = {"-A", "--all-namespaces"}, description = "Every namespace.")
    boolean allNamespaces;

    @Option(names = {"-l", "--selector"}, paramLabel = "SELECTOR", description = "Label selector, e.g. app=nginx,tier!=db.")
    String selector;

    @Option(names = "--field-selector", paramLabel = "SELECTOR", description = "Field selector, e.g. status.podIP=10.0.0.5.")
    String fieldSelector;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "wide, yaml, json, name or jsonpath=TEMPLATE.")
    String output;

    @Option(names = "--show-labels", description = "Add a LABELS column.")
    boolean showLabels;

    @Option(names = {"-w", "--watch"}, description = "After the list, print changes as they happen.")
    boolean watch;

    @Option(names = "--server", paramLabel = "URL", defaultValue = "http://127.0.0.1:9153", description = "The server's HTTP address (default ${DEFAULT-VALUE}).")
    String server;

    /** One type and the names asked for (empty: all). */
    private record Request(ResourceType type, List<String> names) {}

    @Override
    public Integer call() throws IOException {
        String format = output == null ? "" : output;
        boolean jsonpath = format.startsWith("jsonpath=");
        if (!format.isEmpty() && !jsonpath && !List.of("wide", "yaml", "json", "name").contains(format)) {
            throw new IllegalArgumentException("unable to match a printer suitable for the output format \"" + output
                    + "\", allowed formats are: json,jsonpath,name,wide,yaml");
        }
        ApiClient api = new ApiClient(server);
        List<ResourceType> types = ResourceType.discover(api);
        List<Request> requests = parse(types);
        boolean prefix = requests.size() > 1 || args.get(0).contains("/");
        int status = 0;
        List<JsonNode> objects = new ArrayList<>();
        StringBuilder out = new StringBuilder();
        for (Request r : requests) {
            if (format.isEmpty() || format.equals("wide")) {
                String text = tableText(api, r, format.equals("wide"), prefix);
                if (text == null) {
                    status = 1;
                } else if (!text.isEmpty()) {
                    if (out.length() > 0) {
                        out.append('\n');
                    }
                    out.append(text);
                }
            } else if (!fetch(api, r, objects)) {
                status = 1;
            }
        }
        if (format.isEmpty() || format.equals("wide")) {
            System.out.print(out);
            if (out.length() == 0 && status == 0) {
                System.err.println(allNamespaces ? "No resources found" : "No resources found in " + namespace + " namespace.");
            }
            if (watch && requests.size() == 1) {
                follow(api, requests.get(0), format.equals("wide"), prefix);
            }
            return status;
        }
        boolean single = requests.size() == 1 && requests.get(0).names().size() == 1;
        JsonNode doc = single && objects.size() == 1 ? objects.get(0) : asList(api, objects);
        if (format.equals("name")) {
            for (JsonNode o : objects) {
                System.out.println(prefixOf(types, o) + "/" + o.at("/metadata/name").asText());
            }
        } else if (jsonpath) {
            System.out.print(new JsonPathTemplate(format.substring("jsonpath=".length())).apply(doc));
        } else if (format.equals("json")) {
            System.out.println(api.json().writerWithDefaultPrettyPrinter().writeValueAsString(doc));
        } else {
            System.out.print(Yaml.mapper().writeValueAsString(doc));
        }
        return status;
    }

    private List<Request> parse(List<ResourceType> types) {
        Map<ResourceType, List<String>> out = new LinkedHashMap<>();
        if (args.get(0).contains("/")) {
            for (String a : args) {
                int slash = a.indexOf('/');
                if (slash <= 0) {
                    throw new IllegalArgumentException("there is no need to specify a resource type as a separate argument "
                            + "when passing arguments in resource/name form (e.g. 'clusterdns get resource/<resource_name>' "
                            + "instead of 'clusterdns get resource resource/<resource_name>'");
                }
                out.computeIfAbsent(ResourceType.find(types, a.substring(0, slash)), k -> new ArrayList<>()).add(a.substring(slash + 1));
            }
        } else {
            List<String> names = args.subList(1, args.size());
            for (String word : args.get(0).split(",")) {
                if (word.equals("all")) {
                    for (String w : List.of("pods", "services", "deployments", "replicasets", "statefulsets")) {
                        out.put(ResourceType.find(types, w), names);
                    }
                } else {
                    out.put(ResourceType.find(types, word), names);
                }
            }
        }
        List<Request> requests = new ArrayList<>();
        out.forEach((t, n) -> requests.add(new Request(t, n)));
        return requests;
    }

    private String ns() {
        return allNamespaces ? null : namespace;
    }

    private String query() {
        List<String> q = new ArrayList<>();
        if (selector != null && !selector.isEmpty()) {
            q.add("labelSelector=" + ApiClient.encode(selector));
        }
        if (fieldSelector != null && !fieldSelector.isEmpty()) {
            q.add("fieldSelector=" + ApiClient.encode(fieldSelector));
        }
        return q.isEmpty() ? "" : "?" + String.join("&", q);
    }

    /** The rows of one type as text (header first); "" when there are none, null after an error (printed). */
    private String tableText(ApiClient api, Request r, boolean wide, boolean prefix) throws IOException {
        List<JsonNode> tables = new ArrayList<>();
        boolean failed = false;
        if (r.names().isEmpty()) {
            tables.add(api.get(r.type().path(ns(), null) + query(), ApiClient.TABLE));
        } else {
            for (String name : r.names()) {
                try {
                    tables.add(api.get(r.type().path(allNamespaces ? namespace : ns(), name), ApiClient.TABLE));
                } catch (IOException e) {
                    System.err.println(e.getMessage());
                    failed = true;
                }
            }
        }
        Table t = null;
        for (JsonNode tbl : tables) {
            if (t == null) {
                t = new Table(headers(tbl, wide));
            }
            for (JsonNode row : tbl.path("rows")) {
                t.add(cells(tbl, row, wide, prefix ? r.type().nameprefix() + "/" : ""));
            }
        }
        if (t == null || t.isEmpty()) {
            return failed ? null : "";
        }
        return failed ? null : t.render();
    }

    private List<String> headers(JsonNode table, boolean wide) {
        List<String> h = new ArrayList<>();
        if (allNamespaces) {
            h.add("NAMESPACE");
        }
        for (JsonNode c : table.path("columnDefinitions")) {
            if (wide || c.path("priority").asInt() == 0) {
                h.add(c.path("name").asText().toUpperCase(java.util.Locale.ROOT));
            }
        }
        if (showLabels) {
            h.add("LABELS");
        }
        return h;
    }

    private List<String> cells(JsonNode table, JsonNode row, boolean wide, String namePrefix) {
        List<String> out = new ArrayList<>();
        JsonNode meta = row.at("/object/metadata");
        if (allNamespaces) {
            out.add(meta.path("namespace").asText(""));
        }
        JsonNode cols = table.path("columnDefinitions");
        for (int i = 0; i < cols.size(); i++) {
            if (wide || cols.get(i).path("priority").asInt() == 0) {
                String cell = row.path("cells").path(i).asText("");
                out.add("name".equals(cols.get(i).path("format").asText()) ? namePrefix + cell : cell);
            }
        }
        if (showLabels) {
            out.add(Columns.labels(meta.path("labels")));
        }
        return out;
    }

    /** `-w`: prints each change's row as the server reports it, until interrupted. */
    private void follow(ApiClient api, Request r, boolean wide, boolean prefix) throws IOException {
        JsonNode list = api.get(r.type().path(ns(), null) + query(), ApiClient.TABLE);
        String q = query();
        String watchQuery = (q.isEmpty() ? "?" : q + "&") + "watch=true&resourceVersion="
                + list.at("/metadata/resourceVersion").asText();
        if (r.names().size() == 1) {
            watchQuery += "&fieldSelector=" + ApiClient.encode("metadata.name=" + r.names().get(0));
        }
        api.watch(r.type().path(ns(), null) + watchQuery, ApiClient.TABLE, ev -> {
            JsonNode tbl = ev.path("object");
            if (!"Table".equals(tbl.path("kind").asText())) {
                return !"ERROR".equals(ev.path("type").asText());
            }
            Table t = new Table(headers(tbl, wide));
            for (JsonNode row : tbl.path("rows")) {
                t.add(cells(tbl, row, wide, prefix ? r.type().nameprefix() + "/" : ""));
            }
            String text = t.render();
            System.out.print(text.substring(text.indexOf('\n') + 1));
            System.out.flush();
            return true;
        });
    }

    /** Collects the objects as JSON; false after an error (printed). */
    private boolean fetch(ApiClient api, Request r, List<JsonNode> into) throws IOException {
        if (r.names().isEmpty()) {
            api.get(r.type().path(ns(), null) + query()).path("items").forEach(into::add);
            return true;
        }
        boolean ok = true;
        for (String name : r.names()) {
            try {
                into.add(api.get(r.type().path(allNamespaces ? namespace : ns(), name)));
            } catch (IOException e) {
                System.err.println(e.getMessage());
                ok = false;
            }
        }
        return ok;
    }

    private static String prefixOf(List<ResourceType> types, JsonNode o) {
        String kind = o.path("kind").asText();
        String apiVersion = o.path("apiVersion").asText();
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        return kind.toLowerCase(java.util.Locale.ROOT) + (group.isEmpty() ? "" : "." + group);
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
}
