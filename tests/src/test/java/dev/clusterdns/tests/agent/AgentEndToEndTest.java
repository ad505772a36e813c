package dev.clusterdns.tests.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clusterdns.tests.CommandResult;
import dev.clusterdns.tests.ServeProcess;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** Drives `clusterdns serve` and `clusterdns get` as a user would: files in, kubectl-style views out. */
class AgentEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    static String service(String name, int port) {
        return "apiVersion: v1\nkind: Service\nmetadata: {name: " + name + "}\nspec:\n  selector: {app: " + name
                + "}\n  ports: [{port: " + port + "}]\n";
    }

    private static CommandResult get(ServeProcess serve, String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "get";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--server";
        all[args.length + 2] = "http://127.0.0.1:" + serve.httpPort();
        return ServeProcess.run(all);
    }

    /** Polls the read API until the condition holds (bounded so a regression fails instead of hanging). */
    private static JsonNode awaitApi(ServeProcess serve, String path, Predicate<JsonNode> cond) throws Exception {
        JsonNode last = null;
        for (int i = 0; i < 150; i++) {
            last = JSON.readTree(serve.http(path));
            if (cond.test(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("condition never held for " + path + "; last:\n" + last + "\nserver output:\n" + serve.output());
    }

    private static boolean hasService(JsonNode list, String name) {
        for (JsonNode item : list.path("items")) {
            if (item.path("metadata").path("name").asText().equals(name)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void hotReloadAndBrokenFilesNeverTakeDownWhatServes() throws Exception {
        Files.writeString(dir.resolve("web.yaml"), service("web", 80));
        try (ServeProcess serve = ServeProcess.start("--manifests", dir.toString())) {
            CommandResult table = get(serve, "svc");
            assertEquals(0, table.exitCode(), table.stderr());
            assertTrue(table.stdout().startsWith("NAME "), table.stdout());
            assertTrue(table.stdout().lines().anyMatch(l -> l.startsWith("web ") && l.contains("80/TCP")), table.stdout());

            // A new file appears: picked up without a restart.
            Files.writeString(dir.resolve("api.yaml"), service("api", 8080));
            awaitApi(serve, "/api/v1/namespaces/default/services", l -> hasService(l, "api"));

            // The file stops parsing: its last good objects stay, the error names the file.
            Files.writeString(dir.resolve("api.yaml"), "apiVersion: v1\nkind: Service\nmetadata: {name: [oops\n");
            JsonNode problems = awaitApi(serve, "/api/clusterdns/problems",
                    p -> p.toString().contains("api.yaml") && p.toString().contains("cannot parse"));
            assertTrue(hasService(JSON.readTree(serve.http("/api/v1/namespaces/default/services")), "api"), problems.toString());

            // An invalid object is left out with kubectl's message; the rest keep serving.
            Files.writeString(dir.resolve("bad.yaml"), service("bad", 0));
            problems = awaitApi(serve, "/api/clusterdns/problems", p -> p.toString().contains("bad.yaml"));
            // Port 0 also defaults targetPort to 0, so the API server reports both, in kubectl's several-cause form.
            String message = "";
            for (JsonNode p : problems) {
                if (p.path("source").asText().endsWith("bad.yaml")) {
                    message = p.path("message").asText();
                }
            }
            assertEquals("The Service \"bad\" is invalid: \n* spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive"
                    + "\n* spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive", message);
            JsonNode services = JSON.readTree(serve.http("/api/v1/namespaces/default/services"));
            assertTrue(hasService(services, "web") && !hasService(services, "bad"), services.toString());

            // An edit that makes a served object invalid is refused, as an API server refuses the update:
            // the last valid version keeps serving (the API and DNS), and the problem says so.
            String webIp = JSON.readTree(serve.http("/api/v1/namespaces/default/services/web")).path("spec").path("clusterIP").asText();
            Files.writeString(dir.resolve("web.yaml"), service("web", 0));
            awaitApi(serve, "/api/clusterdns/problems", p -> p.toString().contains("web.yaml")
                    && p.toString().contains("is invalid") && p.toString().contains("keeping its last valid version"));
            JsonNode web = JSON.readTree(serve.http("/api/v1/namespaces/default/services/web"));
            assertEquals(80, web.path("spec").path("ports").get(0).path("port").asInt(), web.toString());
            assertEquals(List.of(webIp), addresses(serve, "web.default.svc.cluster.local."));
            // The fix is served and the problem goes.
            Files.writeString(dir.resolve("web.yaml"), service("web", 81));
            awaitApi(serve, "/api/v1/namespaces/default/services/web",
                    w -> w.path("spec").path("ports").get(0).path("port").asInt() == 81);
            String left = serve.http("/api/clusterdns/problems");
            assertTrue(!left.contains("keeping its last valid version"), left);

            // Deleting a file removes its objects.
            Files.delete(dir.resolve("web.yaml"));
            awaitApi(serve, "/api/v1/namespaces/default/services", l -> !hasService(l, "web"));
            assertEquals(200, serve.httpStatus("/health"));
        }
    }

    @Test
    void allocationsSurviveARestart() throws Exception {
        Files.writeString(dir.resolve("np.yaml"), service("web", 80).replace("spec:\n", "spec:\n  type: NodePort\n"));
        Path state = Files.createDirectories(dir.resolve("state"));
        Path manifests = dir;
        String ip;
        int nodePort;
        try (ServeProcess serve = ServeProcess.start(List.of("--manifests", manifests.toString()), state)) {
            JsonNode svc = JSON.readTree(serve.http("/api/v1/namespaces/default/services/web"));
            ip = svc.path("spec").path("clusterIP").asText();
            nodePort = svc.path("spec").path("ports").get(0).path("nodePort").asInt();
            assertTrue(ip.startsWith("127."), svc.toString());
            assertTrue(nodePort >= 30000 && nodePort <= 32767, svc.toString());
        }
        try (ServeProcess serve = ServeProcess.start(List.of("--manifests", manifests.toString()), state)) {
            JsonNode svc = JSON.readTree(serve.http("/api/v1/namespaces/default/services/web"));
            assertEquals(ip, svc.path("spec").path("clusterIP").asText());
            assertEquals(nodePort, svc.path("spec").path("ports").get(0).path("nodePort").asInt());
            CommandResult table = get(serve, "svc", "web");
            assertTrue(table.stdout().contains("80:" + nodePort + "/TCP"), table.stdout());
            assertTrue(table.stdout().contains(ip), table.stdout());
        }
    }

    @Test
    void examplesServeAsTheTutorialsShowThem() throws Exception {
        try (ServeProcess serve = ServeProcess.start()) {
            CommandResult svc = get(serve, "svc", "-A", "-o", "wide");
            assertEquals(0, svc.exitCode(), svc.stderr());
            String out = svc.stdout();
            assertTrue(out.lines().findFirst().orElseThrow().matches(
                    "NAMESPACE +NAME +TYPE +CLUSTER-IP +EXTERNAL-IP +PORT\\(S\\) +AGE +SELECTOR"), out);
            assertTrue(out.lines().anyMatch(l -> l.matches("default +kubernetes-bootcamp +NodePort +127\\.\\S+ +<none> +8080:3\\d{4}/TCP .*app=kubernetes-bootcamp")), out);
            assertTrue(out.lines().anyMatch(l -> l.matches("prod +my-service +ExternalName +<none> +my\\.database\\.example\\.com .*")), out);
            assertTrue(out.lines().anyMatch(l -> l.matches("default +busybox-subdomain +ClusterIP +None .*")), out);

            // The Deployments make their Pods (the examples hold none): 2 for my-nginx, 3 for nginx-deployment.
            java.util.Map<String, String> myNginx = serve.podIps("default", "run=my-nginx");
            assertEquals(2, myNginx.size(), myNginx.toString());
            CommandResult ep = get(serve, "endpoints", "my-nginx");
            for (String ip : myNginx.values()) {
                assertTrue(ip.startsWith("127.244.") && ep.stdout().contains(ip + ":80"), ep.stdout() + ep.stderr());
            }
            CommandResult echo = get(serve, "ep", "echo");
            assertTrue(echo.stdout().contains("127.244.2.11:8080,127.244.2.12:8080") && !echo.stdout().contains("127.244.2.10"),
                    "only the summer pods back the echo Service:\n" + echo.stdout());
            CommandResult named = get(serve, "ep", "nginx-service");
            java.util.Map<String, String> nginx = serve.podIps("default", "app=nginx");
            assertEquals(3, nginx.size(), nginx.toString());
            assertTrue(named.stdout().contains(nginx.values().iterator().next() + ":80"), "named targetPort resolves:\n" + named.stdout());

            CommandResult pods = get(serve, "pods", "-l", "run=my-nginx", "-o", "wide");
            assertEquals(3, pods.stdout().lines().count(), pods.stdout());
            assertTrue(pods.stdout().contains(myNginx.values().iterator().next()) && pods.stdout().contains("Running"), pods.stdout());
            assertTrue(pods.stdout().lines().skip(1).allMatch(l -> l.matches("my-nginx-[b-z2-9]+-[b-z2-9]{5} +1/1 +Running .*")), pods.stdout());

            CommandResult deploy = get(serve, "deployments");
            assertTrue(deploy.stdout().lines().findFirst().orElseThrow().matches("NAME +READY +UP-TO-DATE +AVAILABLE +AGE"), deploy.stdout());
            assertTrue(deploy.stdout().lines().anyMatch(l -> l.matches("my-nginx +2/2 +2 +2 +\\S+")), deploy.stdout());
            assertTrue(deploy.stdout().lines().anyMatch(l -> l.matches("nginx-deployment +3/3 +3 +3 +\\S+")), deploy.stdout());
            CommandResult rs = get(serve, "rs");
            assertTrue(rs.stdout().lines().anyMatch(l -> l.matches("summer +2 +2 +2 +\\S+")), rs.stdout());
            assertTrue(rs.stdout().lines().anyMatch(l -> l.matches("my-nginx-[b-z2-9]+ +2 +2 +2 +\\S+")), rs.stdout());

            CommandResult dns = get(serve, "svc", "kube-dns", "-n", "kube-system");
            assertTrue(dns.stdout().lines().anyMatch(l -> l.matches("kube-dns +ClusterIP +127\\.96\\.0\\.10 +<none> +53/UDP,53/TCP,9153/TCP .*")),
                    dns.stdout());

            CommandResult yaml = get(serve, "svc", "my-nginx", "-o", "yaml");
            assertTrue(yaml.stdout().startsWith("apiVersion: v1\nkind: Service\n"), yaml.stdout());

            CommandResult describe = ServeProcess.run("describe", "service", "kubernetes-bootcamp",
                    "--server", "http://127.0.0.1:" + serve.httpPort());
            assertTrue(describe.stdout().contains("Type:                     NodePort"), describe.stdout());
            String bootcamp = serve.podIps("default", "app=kubernetes-bootcamp").values().iterator().next();
            assertTrue(describe.stdout().contains("Endpoints:                " + bootcamp + ":8080"), describe.stdout());
            assertTrue(describe.stdout().matches("(?s).*NodePort:                 <unset>  3\\d{4}/TCP.*"), describe.stdout());

            CommandResult missing = get(serve, "svc", "nope");
            assertNotEquals(0, missing.exitCode());
            assertTrue(missing.stderr().contains("services \"nope\" not found"), missing.stderr());
        }
    }

    @Test
    void exposeWritesTheServiceKubectlWouldCreate() throws Exception {
        Files.writeString(dir.resolve("deploy.yaml"), """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: hello, labels: {app: hello}}
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: hello}}
                  template:
                    metadata: {labels: {app: hello}}
                    spec: {containers: [{name: hello, image: hello, ports: [{containerPort: 8080}]}]}
                """);
        CommandResult r = ServeProcess.run("expose", "deployment/hello", "--port", "80", "--target-port", "8080",
                "--type", "NodePort", "--manifests", dir.toString());
        assertEquals(0, r.exitCode(), r.stderr());
        String yaml = Files.readString(dir.resolve("hello-service.yaml"));
        assertTrue(yaml.contains("kind: Service") && yaml.contains("type: NodePort") && yaml.contains("targetPort: 8080")
                && yaml.contains("app: hello"), yaml);
        CommandResult again = ServeProcess.run("expose", "deployment/hello", "--port", "80", "--manifests", dir.toString());
        assertNotEquals(0, again.exitCode());
        assertTrue(again.stderr().contains("services \"hello\" already exists"), again.stderr());
        CommandResult none = ServeProcess.run("expose", "deployment/nope", "--port", "80", "--manifests", dir.toString());
        assertTrue(none.stderr().contains("deployments.apps \"nope\" not found"), none.stderr());
    }

    /** The A records DNS answers for {@code name}. */
    private static List<String> addresses(ServeProcess serve, String name) throws Exception {
        SimpleResolver r = new SimpleResolver(InetAddress.getLoopbackAddress());
        r.setPort(serve.dnsPort());
        Message reply = r.send(Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN)));
        return reply.getSection(Section.ANSWER).stream().filter(x -> x instanceof ARecord)
                .map(x -> ((ARecord) x).getAddress().getHostAddress()).toList();
    }
}
