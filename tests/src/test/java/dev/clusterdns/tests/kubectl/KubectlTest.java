package dev.clusterdns.tests.kubectl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clusterdns.tests.CommandResult;
import dev.clusterdns.tests.ServeProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real, unmodified kubectl against `clusterdns serve` through the kubeconfig `clusterdns
 * kubeconfig` prints: discovery, get in every output, selectors, describe, watch, a refused write.
 * The expected columns are kubectl's own against a Kubernetes API server.
 */
class KubectlTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ServeProcess serve;
    private static Path manifests;
    private static Path kubeconfig;
    private static Path cache;

    @BeforeAll
    static void start() throws IOException {
        assumeTrue(CommandResult.onPath("kubectl"), "kubectl is not installed (apt-get install kubectl; .ci/run does)");
        manifests = Files.createTempDirectory("kubectl-manifests");
        try (Stream<Path> files = Files.list(ServeProcess.root().resolve("examples/manifests"))) {
            for (Path f : files.toList()) {
                Files.copy(f, manifests.resolve(f.getFileName()));
            }
        }
        serve = ServeProcess.start("--manifests", manifests.toString(), "--no-proxy");
        CommandResult kc = ServeProcess.run("kubeconfig", "--server", "127.0.0.1:" + serve.httpPort());
        assertEquals(0, kc.exitCode(), kc.stderr());
        kubeconfig = Files.createTempFile("clusterdns", ".kubeconfig");
        Files.writeString(kubeconfig, kc.stdout());
        cache = Files.createTempDirectory("kubectl-cache");
    }

    @AfterAll
    static void stop() {
        if (serve != null) {
            serve.close();
        }
    }

    private static List<String> kubectlCommand(String... args) {
        List<String> cmd = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString(), "--cache-dir", cache.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static CommandResult kubectl(String... args) {
        return CommandResult.run(kubectlCommand(args), ServeProcess.root());
    }

    private static CommandResult ok(String... args) {
        CommandResult r = kubectl(args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + ":\n" + r.stdout() + r.stderr());
        return r;
    }

    private static JsonNode api(String path) throws IOException {
        return JSON.readTree(serve.http(path));
    }

    private static String firstLine(String s) {
        return s.lines().findFirst().orElse("");
    }

    @Test
    void versionAndApiResources() {
        assertTrue(ok("version").stdout().contains("Server Version: v1.32.0+clusterdns"));
        String resources = ok("api-resources").stdout();
        assertTrue(resources.lines().anyMatch(l -> l.matches("services +svc +v1 +true +Service")), resources);
        assertTrue(resources.lines().anyMatch(l -> l.matches("deployments +deploy +apps/v1 +true +Deployment")), resources);
        assertTrue(resources.lines().anyMatch(l -> l.matches("endpointslices +discovery.k8s.io/v1 +true +EndpointSlice")), resources);
    }

    @Test
    void getServicesEndpointsAndPodsWithKubectlsColumns() throws IOException {
        String svc = ok("get", "svc", "-A").stdout();
        assertTrue(firstLine(svc).matches("NAMESPACE +NAME +TYPE +CLUSTER-IP +EXTERNAL-IP +PORT\\(S\\) +AGE"), svc);
        String ip = api("/api/v1/namespaces/default/services/my-nginx").at("/spec/clusterIP").asText();
        assertTrue(svc.lines().anyMatch(l -> l.matches("default +my-nginx +ClusterIP +" + ip.replace(".", "\\.") + " +<none> +80/TCP +\\S+")), svc);
        assertTrue(svc.lines().anyMatch(l -> l.matches("prod +my-service +ExternalName +<none> +my\\.database\\.example\\.com +<none> +\\S+")), svc);

        String ep = ok("get", "ep").stdout();
        assertTrue(firstLine(ep).matches("NAME +ENDPOINTS +AGE"), ep);
        // The Deployment's two Pods, with IPs from the pod CIDR.
        assertTrue(ep.lines().anyMatch(l -> l.matches("my-nginx +127\\.244\\.\\d+\\.\\d+:80,127\\.244\\.\\d+\\.\\d+:80 +\\S+")), ep);

        String pods = ok("get", "pods", "-o", "wide").stdout();
        assertTrue(firstLine(pods).matches("NAME +READY +STATUS +RESTARTS +AGE +IP +NODE +NOMINATED NODE +READINESS GATES"), pods);
        assertTrue(pods.lines().anyMatch(l -> l.matches("busybox1 +1/1 +Running +0 +\\S+ +127\\.244\\.4\\.1 +node-1 +<none> +<none>")), pods);

        String deploy = ok("get", "deploy", "my-nginx").stdout();
        assertTrue(deploy.lines().anyMatch(l -> l.matches("my-nginx +2/2 +2 +2 +\\S+")), deploy);
    }

    @Test
    void outputFormatsAndSelectors() throws IOException {
        String ip = api("/api/v1/namespaces/default/services/my-nginx").at("/spec/clusterIP").asText();
        assertEquals(ip, ok("get", "svc", "my-nginx", "-o", "jsonpath={.spec.clusterIP}").stdout());
        assertTrue(ok("get", "svc", "my-nginx", "-o", "yaml").stdout().contains("kind: Service\n"));
        assertEquals("my-nginx", JSON.readTree(ok("get", "svc", "my-nginx", "-o", "json").stdout()).at("/metadata/name").asText());
        assertTrue(ok("get", "svc", "-o", "name").stdout().lines().anyMatch(l -> l.equals("service/my-nginx")));
        String labelled = ok("get", "pods", "-l", "run=my-nginx", "-o", "name").stdout();
        List<String> made = labelled.lines().sorted().toList();
        assertEquals(2, made.size(), labelled);
        assertTrue(made.stream().allMatch(n -> n.matches("pod/my-nginx-[a-z0-9]+-[a-z0-9]{5}")), labelled);
        String byIp = ok("get", "pods", "--field-selector", "status.podIP=127.244.4.1", "-o", "name").stdout();
        assertEquals("pod/busybox1\n", byIp);
        CommandResult badField = kubectl("get", "pods", "--field-selector", "spec.nope=x");
        assertNotEquals(0, badField.exitCode());
        assertTrue(badField.stderr().contains("field label not supported: spec.nope"), badField.stderr());
        // kubectl pages with limit/continue: a small chunk size still lists everything.
        assertEquals(ok("get", "pods", "-A", "-o", "name").stdout(), ok("get", "pods", "-A", "-o", "name", "--chunk-size", "2").stdout());
    }

    @Test
    void describeServicePodAndDeployment() {
        String svc = ok("describe", "svc", "my-nginx").stdout();
        assertTrue(svc.lines().anyMatch(l -> l.matches("Endpoints: +127\\.244\\.\\d+\\.\\d+:80,127\\.244\\.\\d+\\.\\d+:80")), svc);
        assertTrue(svc.lines().anyMatch(l -> l.matches("Selector: +run=my-nginx")), svc);
        String pod = ok("describe", "pod", "busybox1").stdout();
        assertTrue(pod.lines().anyMatch(l -> l.matches("IP: +127\\.244\\.4\\.1")), pod);
        String deploy = ok("describe", "deployment", "my-nginx").stdout();
        assertTrue(deploy.lines().anyMatch(l -> l.matches("Selector: +run=my-nginx")), deploy);
        CommandResult ours = ServeProcess.run("describe", "deploy/my-nginx", "--server", "127.0.0.1:" + serve.httpPort());
        assertEquals(0, ours.exitCode(), ours.stderr());
        assertTrue(ours.stdout().startsWith("Name:         my-nginx\nNamespace:    default\n"), ours.stdout());
        assertTrue(ours.stdout().contains("  Ready Replicas:  2\n"), ours.stdout());
    }

    @Test
    void watchSeesAServiceAddedToTheManifests() throws Exception {
        Path out = Files.createTempFile("kubectl-watch", ".txt");
        Process watch = new ProcessBuilder(kubectlCommand("get", "svc", "-w"))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        Path ours = Files.createTempFile("clusterdns-watch", ".txt");
        List<String> ourCommand = new ArrayList<>(ServeProcess.command());
        ourCommand.addAll(List.of("get", "svc", "-w", "--server", "127.0.0.1:" + serve.httpPort()));
        Process ourWatch = new ProcessBuilder(ourCommand).redirectErrorStream(true).redirectOutput(ours.toFile()).start();
        try {
            awaitContains(out, "my-nginx");
            awaitContains(ours, "my-nginx");
            Files.writeString(manifests.resolve("watched.yaml"), """
                    apiVersion: v1
                    kind: Service
                    metadata:
                      name: watched
                    spec:
                      selector: {app: watched}
                      ports:
                      - port: 8081
                    """);
            String seen = awaitContains(out, "watched");
            assertTrue(seen.lines().anyMatch(l -> l.matches("watched +ClusterIP +\\S+ +<none> +8081/TCP +\\S+")), seen);
            String oursSeen = awaitContains(ours, "watched");
            assertTrue(oursSeen.lines().anyMatch(l -> l.matches("watched +ClusterIP +\\S+ +<none> +8081/TCP +\\S+")), oursSeen);
        } finally {
            watch.destroy();
            ourWatch.destroy();
            Files.deleteIfExists(manifests.resolve("watched.yaml"));
        }
    }

    @Test
    void writesAreRefusedNamingTheManifest() {
        CommandResult delete = kubectl("delete", "svc", "my-nginx");
        assertNotEquals(0, delete.exitCode());
        assertTrue(delete.stderr().contains("Error from server (MethodNotAllowed)")
                && delete.stderr().contains("my-nginx.yaml"), delete.stderr());
        CommandResult apply = kubectl("apply", "-f", manifests.resolve("my-nginx.yaml").toString());
        assertNotEquals(0, apply.exitCode());
        assertTrue(apply.stderr().contains("read-only"), apply.stderr());
        CommandResult create = kubectl("create", "configmap", "x", "--from-literal=a=b");
        assertNotEquals(0, create.exitCode());
        assertTrue(create.stderr().contains("read-only"), create.stderr());
        assertTrue(ok("explain", "service").stdout().contains("KIND:       Service"));
    }

    @Test
    void ourGetPrintsWhatKubectlPrints() {
        for (List<String> args : List.of(List.of("get", "svc", "-A"), List.of("get", "pods", "-o", "wide"),
                List.of("get", "ep"), List.of("get", "svc,ep"), List.of("get", "deploy", "-o", "wide"))) {
            List<String> ours = new ArrayList<>(args);
            ours.addAll(List.of("--server", "http://127.0.0.1:" + serve.httpPort()));
            CommandResult mine = ServeProcess.run(ours.toArray(String[]::new));
            CommandResult theirs = kubectl(args.toArray(String[]::new));
            assertEquals(0, mine.exitCode(), mine.stderr());
            // AGE may tick between the two runs; compare everything else.
            assertEquals(withoutAge(theirs.stdout()), withoutAge(mine.stdout()), String.join(" ", args));
        }
    }

    /** Ages, and the padding after them: an age that ticks from 9s to 10s between the runs shortens it by one. */
    private static String withoutAge(String table) {
        return table.replaceAll("\\b\\d+[smhd](\\d+[smh])?\\b *", "AGE ");
    }

    private static String awaitContains(Path file, String text) throws Exception {
        String content = "";
        for (int i = 0; i < 300; i++) {
            content = Files.readString(file);
            if (content.contains(text)) {
                return content;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no \"" + text + "\" in:\n" + content);
    }
}
