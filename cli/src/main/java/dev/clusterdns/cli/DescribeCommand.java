package dev.clusterdns.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Endpoints;
import dev.clusterdns.agent.model.Ingress;
import dev.clusterdns.cli.kubectl.IngressViews;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.ServicePort;
import dev.clusterdns.cli.kubectl.ApiClient;
import dev.clusterdns.cli.kubectl.GenericDescription;
import dev.clusterdns.cli.kubectl.ResourceType;
import dev.clusterdns.cli.kubectl.Views;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "describe", mixinStandardHelpOptions = true,
        description = "Describe an object of a running server, as `kubectl describe` does (services in kubectl's layout, "
                + "other kinds field by field).")
final class DescribeCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "TYPE|TYPE/NAME", description = "service (svc), pod, deployment, ... or TYPE/NAME.")
    String resource;

    @Parameters(index = "1", arity = "0..1", paramLabel = "NAME")
    String name;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NS", defaultValue = "default")
    String namespace;

    @Option(names = "--server", paramLabel = "URL", defaultValue = "http://127.0.0.1:9153")
    String server;

    @Override
    public Integer call() throws IOException {
        String typeWord = resource;
        String objectName = name;
        if (resource.contains("/")) {
            typeWord = resource.substring(0, resource.indexOf('/'));
            objectName = resource.substring(resource.indexOf('/') + 1);
        }
        if (objectName == null || objectName.isEmpty()) {
            throw new IllegalArgumentException("describe needs a NAME (describe TYPE NAME or TYPE/NAME)");
        }
        ApiClient api = new ApiClient(server);
        ResourceType type = ResourceType.find(ResourceType.discover(api), typeWord);
        JsonNode node;
        try {
            node = api.get(type.path(namespace, objectName));
        } catch (IOException e) {
            System.err.println(e.getMessage());
            return 1;
        }
        if (type.kind().equals("Ingress")) {
            return describeIngress(api, node);
        }
        if (!type.kind().equals("Service")) {
            System.out.print(GenericDescription.render(node));
            return 0;
        }
        Service s = api.json().treeToValue(node, Service.class);
        Endpoints eps = null;
        try {
            eps = api.json().treeToValue(api.get("/api/v1/namespaces/" + namespace + "/endpoints/" + objectName), Endpoints.class);
        } catch (IOException notFound) {
            // no endpoints object: printed as <none>
        }
        System.out.print(render(s, eps));
        return 0;
    }

    /** kubectl's describe of an Ingress: rules with backends as `svc:port (ip:port,…)`. */
    private int describeIngress(ApiClient api, JsonNode node) throws IOException {
        Ingress ing = api.json().treeToValue(node, Ingress.class);
        System.out.print(IngressViews.describe(ing, new IngressViews.Lookup() {
            @Override
            public Service service(String ns, String svc) {
                try {
                    return api.json().treeToValue(api.get("/api/v1/namespaces/" + ns + "/services/" + svc), Service.class);
                } catch (IOException notFound) {
                    return null;
                }
            }

            @Override
            public List<EndpointSlice> slices(String ns, String svc) {
                try {
                    JsonNode list = api.list("discovery.k8s.io/v1", "endpointslices", ns,
                            EndpointSlice.SERVICE_NAME_LABEL + "=" + svc);
                    List<EndpointSlice> out = new java.util.ArrayList<>();
                    for (JsonNode item : list.path("items")) {
                        out.add(api.json().treeToValue(item, EndpointSlice.class));
                    }
                    return out;
                } catch (IOException e) {
                    return List.of();
                }
            }
        }));
        return 0;
    }

    static String render(Service s, Endpoints eps) {
        StringBuilder sb = new StringBuilder();
        field(sb, "Name", s.name());
        field(sb, "Namespace", s.namespace());
        multi(sb, "Labels", s.metadata().labels().isEmpty() ? List.of("<none>") : sorted(s.metadata().labels()));
        multi(sb, "Annotations", s.metadata().annotations().isEmpty() ? List.of("<none>") : sorted(s.metadata().annotations()));
        field(sb, "Selector", Views.selector(s.spec().selector()));
        String type = s.spec().type() == null ? "ClusterIP" : s.spec().type();
        field(sb, "Type", type);
        if (s.isExternalName()) {
            field(sb, "IP Families", "<none>");
            field(sb, "IP", "");
            field(sb, "IPs", "<none>");
            field(sb, "External Name", s.spec().externalName());
        } else {
            field(sb, "IP Family Policy", s.spec().ipFamilyPolicy() == null ? "SingleStack" : s.spec().ipFamilyPolicy());
            field(sb, "IP Families", s.spec().ipFamilies().isEmpty() ? "<none>" : String.join(",", s.spec().ipFamilies()));
            field(sb, "IP", s.spec().clusterIP() == null ? "" : s.spec().clusterIP());
            field(sb, "IPs", s.spec().clusterIPs().isEmpty() ? (s.spec().clusterIP() == null ? "<none>" : s.spec().clusterIP())
                    : String.join(",", s.spec().clusterIPs()));
        }
        if (!s.spec().externalIPs().isEmpty()) {
            field(sb, "External IPs", String.join(",", s.spec().externalIPs()));
        }
        if (!s.loadBalancerIPs().isEmpty()) {
            field(sb, "LoadBalancer Ingress", String.join(", ", s.loadBalancerIPs()));
        }
        for (ServicePort p : s.spec().ports()) {
            String pname = p.name() == null || p.name().isEmpty() ? "<unset>" : p.name();
            field(sb, "Port", pname + "  " + p.port() + "/" + p.protocolOrTcp());
            if (p.targetPort() != null) {
                field(sb, "TargetPort", p.targetPort().isInt() ? p.targetPort() + "/" + p.protocolOrTcp() : p.targetPort().toString() + "/" + p.protocolOrTcp());
            }
            if (p.nodePort() != null && p.nodePort() != 0) {
                field(sb, "NodePort", pname + "  " + p.nodePort() + "/" + p.protocolOrTcp());
            }
            if (!s.isExternalName()) {
                field(sb, "Endpoints", eps == null ? "<none>" : Views.endpoints(eps, p.name() == null ? "" : p.name()));
            }
        }
        field(sb, "Session Affinity", s.spec().sessionAffinity() == null ? "None" : s.spec().sessionAffinity());
        if (s.spec().externalTrafficPolicy() != null && !s.spec().externalTrafficPolicy().isEmpty()) {
            field(sb, "External Traffic Policy", s.spec().externalTrafficPolicy());
        }
        if (s.spec().internalTrafficPolicy() != null && !s.spec().internalTrafficPolicy().isEmpty()) {
            field(sb, "Internal Traffic Policy", s.spec().internalTrafficPolicy());
        }
        if (s.spec().healthCheckNodePort() != null && s.spec().healthCheckNodePort() != 0) {
            field(sb, "HealthCheck NodePort", s.spec().healthCheckNodePort().toString());
        }
        if (!s.spec().loadBalancerSourceRanges().isEmpty()) {
            field(sb, "LoadBalancer Source Ranges", String.join(",", s.spec().loadBalancerSourceRanges()));
        }
        field(sb, "Events", "<none>");
        return sb.toString();
    }

    private static List<String> sorted(java.util.Map<String, String> m) {
        return new java.util.TreeMap<>(m).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
    }

    private static void field(StringBuilder sb, String key, String value) {
        sb.append(pad(key + ":")).append(value).append('\n');
    }

    private static void multi(StringBuilder sb, String key, List<String> values) {
        for (int i = 0; i < values.size(); i++) {
            sb.append(pad(i == 0 ? key + ":" : "")).append(values.get(i)).append('\n');
        }
    }

    /** kubectl aligns values at column 26 for services. */
    private static String pad(String label) {
        return label + " ".repeat(Math.max(1, 26 - label.length()));
    }
}
