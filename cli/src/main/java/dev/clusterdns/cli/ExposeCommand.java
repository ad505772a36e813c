package dev.clusterdns.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.clusterdns.agent.model.Container;
import dev.clusterdns.agent.model.ContainerPort;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.PodSpec;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.Workload;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.cli.kubectl.Yaml;
import dev.clusterdns.cli.serve.AgentOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "expose", mixinStandardHelpOptions = true,
        description = "Write the Service manifest `kubectl expose` would create into the first manifests directory.")
final class ExposeCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "TYPE/NAME", description = "deployment/NAME, replicaset/NAME, pod/NAME or service/NAME.")
    String target;

    @Option(names = "--port", paramLabel = "P", description = "The Service port (default: the container port, if there is exactly one).")
    Integer port;

    @Option(names = "--target-port", paramLabel = "T", description = "Container port number or name (default: --port).")
    String targetPort;

    @Option(names = "--type", paramLabel = "T", defaultValue = "ClusterIP", description = "ClusterIP, NodePort, LoadBalancer (default ${DEFAULT-VALUE}).")
    String type;

    @Option(names = "--name", paramLabel = "N", description = "Service name (default: the exposed object's name).")
    String name;

    @Option(names = "--protocol", paramLabel = "P", defaultValue = "TCP")
    String protocol;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NS", defaultValue = "default")
    String namespace;

    @Option(names = "--dry-run", description = "Print the manifest instead of writing it.")
    boolean dryRun;

    @Mixin AgentOptions agentOptions;
    @Mixin ClusterSource source;

    @Override
    public Integer call() throws IOException {
        String[] parts = target.split("/", 2);
        if (parts.length != 2 || parts[1].isEmpty()) {
            throw new IllegalArgumentException("expected TYPE/NAME, e.g. deployment/my-nginx (got \"" + target + "\")");
        }
        String kind = parts[0].toLowerCase(Locale.ROOT);
        String objectName = parts[1];
        if (!List.of("ClusterIP", "NodePort", "LoadBalancer").contains(type)) {
            throw new IllegalArgumentException("--type: Unsupported value: \"" + type + "\": supported values: \"ClusterIP\", \"LoadBalancer\", \"NodePort\"");
        }
        ClusterSource.State state = source.load(agentOptions, "expose");
        ClusterSnapshot snap = state.snapshot();
        Map<String, String> selector;
        Map<String, String> labels;
        PodSpec podSpec;
        switch (kind) {
            case "deployment", "deploy", "deployments", "replicaset", "rs", "replicasets" -> {
                String want = kind.startsWith("d") ? "Deployment" : "ReplicaSet";
                Workload w = snap.workloads().stream()
                        .filter(x -> want.equals(x.kind()) && namespace.equals(x.namespace()) && objectName.equals(x.name()))
                        .findFirst().orElseThrow(() -> new IllegalArgumentException(
                                want.toLowerCase(Locale.ROOT) + "s.apps \"" + objectName + "\" not found in namespace " + namespace));
                if (w.spec() == null || w.spec().selector() == null || w.spec().selector().matchLabels().isEmpty()) {
                    throw new IllegalArgumentException("couldn't retrieve selectors via --selector flag or introspection: the "
                            + want + " has no spec.selector.matchLabels");
                }
                selector = w.spec().selector().matchLabels();
                labels = w.metadata().labels().isEmpty() && w.spec().template() != null && w.spec().template().metadata() != null
                        ? w.spec().template().metadata().labels() : w.metadata().labels();
                podSpec = w.spec().template() == null ? null : w.spec().template().spec();
            }
            case "pod", "po", "pods" -> {
                Pod p = snap.pod(namespace, objectName).orElseThrow(() ->
                        new IllegalArgumentException("pods \"" + objectName + "\" not found in namespace " + namespace));
                selector = p.metadata().labels();
                labels = p.metadata().labels();
                podSpec = p.spec();
            }
            case "service", "svc", "services" -> {
                Service s = snap.service(namespace, objectName).orElseThrow(() ->
                        new IllegalArgumentException("services \"" + objectName + "\" not found in namespace " + namespace));
                selector = s.spec().selector();
                labels = s.metadata().labels();
                podSpec = null;
                if (port == null && !s.spec().ports().isEmpty()) {
                    port = s.spec().ports().get(0).port();
                }
            }
            default -> throw new IllegalArgumentException("cannot expose a " + parts[0] + " (supported: deployment, replicaset, pod, service)");
        }
        if (selector == null || selector.isEmpty()) {
            throw new IllegalArgumentException("couldn't find a selector for " + target);
        }
        String serviceName = name == null ? objectName : name;
        if (snap.service(namespace, serviceName).isPresent()) {
            System.err.println("Error from server (AlreadyExists): services \"" + serviceName + "\" already exists");
            return 1;
        }
        String yaml = manifest(serviceName, selector, labels, ports(podSpec));
        if (dryRun) {
            System.out.print(yaml);
            return 0;
        }
        Path dir = firstDirectory(state);
        Path file = dir.resolve(serviceName + "-service.yaml");
        if (Files.exists(file)) {
            System.err.println("error: " + file + " already exists");
            return 1;
        }
        Path tmp = Files.createTempFile(dir, "." + serviceName, ".tmp");
        Files.writeString(tmp, yaml);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        System.out.println("service/" + serviceName + " exposed (" + file + ")");
        return 0;
    }

    private List<Map<String, Object>> ports(PodSpec podSpec) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (port != null) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("port", port);
            p.put("protocol", protocol);
            p.put("targetPort", targetPort == null ? port : targetPort.matches("\\d+") ? Integer.parseInt(targetPort) : targetPort);
            out.add(p);
            return out;
        }
        List<ContainerPort> declared = new ArrayList<>();
        if (podSpec != null) {
            for (Container c : podSpec.containers()) {
                declared.addAll(c.ports());
            }
        }
        if (declared.isEmpty()) {
            throw new IllegalArgumentException("couldn't find port via --port flag or introspection");
        }
        for (int i = 0; i < declared.size(); i++) {
            ContainerPort cp = declared.get(i);
            Map<String, Object> p = new LinkedHashMap<>();
            if (declared.size() > 1) {
                p.put("name", "port-" + (i + 1));
            }
            p.put("port", cp.containerPort());
            p.put("protocol", cp.protocolOrTcp());
            p.put("targetPort", targetPort == null ? cp.containerPort() : targetPort);
            out.add(p);
        }
        return out;
    }

    private String manifest(String serviceName, Map<String, String> selector, Map<String, String> labels,
                            List<Map<String, Object>> ports) throws IOException {
        YAMLMapper yaml = Yaml.mapper();
        ObjectNode root = yaml.createObjectNode();
        root.put("apiVersion", "v1");
        root.put("kind", "Service");
        ObjectNode meta = root.putObject("metadata");
        if (labels != null && !labels.isEmpty()) {
            meta.set("labels", yaml.valueToTree(labels));
        }
        meta.put("name", serviceName);
        meta.put("namespace", namespace);
        ObjectNode spec = root.putObject("spec");
        ArrayNode arr = spec.putArray("ports");
        ports.forEach(p -> arr.add(yaml.valueToTree(p)));
        spec.set("selector", yaml.valueToTree(selector));
        spec.put("type", type);
        return yaml.writeValueAsString(root);
    }

    private static Path firstDirectory(ClusterSource.State state) {
        for (Path p : state.manifests()) {
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        throw new IllegalArgumentException("no manifests directory to write into: give one with --manifests DIR");
    }
}
