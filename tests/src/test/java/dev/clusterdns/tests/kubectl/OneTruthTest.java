package dev.clusterdns.tests.kubectl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clusterdns.tests.CommandResult;
import dev.clusterdns.tests.ServeProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** `env`, `resolvconf` and `expose` agree with a running server started with non-default flags. */
class OneTruthTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void commandsReadTheRunningServer() throws Exception {
        Path manifests = Files.createTempDirectory("one-truth");
        try (Stream<Path> files = Files.list(ServeProcess.root().resolve("examples/manifests"))) {
            for (Path f : files.toList()) {
                Files.copy(f, manifests.resolve(f.getFileName()));
            }
        }
        try (ServeProcess serve = ServeProcess.start("--manifests", manifests.toString(), "--no-proxy",
                "--service-cidr", "127.50.0.0/16", "--cluster-domain", "corp.internal")) {
            String server = "127.0.0.1:" + serve.httpPort();
            String ip = JSON.readTree(serve.http("/api/v1/namespaces/default/services/my-nginx")).at("/spec/clusterIP").asText();
            assertTrue(ip.startsWith("127.50."), ip);

            CommandResult env = ServeProcess.run("env", "-n", "default", "--server", server);
            assertEquals(0, env.exitCode(), env.stderr());
            assertTrue(env.stdout().contains("MY_NGINX_SERVICE_HOST=" + ip + "\n")
                    || env.stdout().contains("MY_NGINX_SERVICE_HOST='" + ip + "'"), env.stdout());

            Path host = Files.createTempFile("host", ".resolv.conf");
            Files.writeString(host, "nameserver 192.0.2.1\n");
            CommandResult resolv = ServeProcess.run("resolvconf", "-n", "default", "--server", server,
                    "--host-resolv-conf", host.toString());
            assertEquals(0, resolv.exitCode(), resolv.stderr());
            assertTrue(resolv.stdout().contains("search default.svc.corp.internal svc.corp.internal corp.internal"), resolv.stdout());

            CommandResult exists = ServeProcess.run("expose", "deployment/my-nginx", "--port", "80", "--server", server);
            assertTrue(exists.stderr().contains("AlreadyExists"), exists.stderr());
            CommandResult exposed = ServeProcess.run("expose", "deployment/nginx-deployment", "--name", "web2", "--port", "80",
                    "--server", server);
            assertEquals(0, exposed.exitCode(), exposed.stderr());
            assertTrue(Files.exists(manifests.resolve("web2-service.yaml")), "expose writes into the server's manifests");

            // Agent flags mean: compute it here, as serve would with them (default CIDR: other addresses).
            CommandResult local = ServeProcess.run("env", "-n", "default", "--server", server,
                    "--manifests", manifests.toString());
            assertEquals(0, local.exitCode(), local.stderr());
            assertTrue(!local.stdout().contains(ip), local.stdout());
        }
    }

    @Test
    void withoutAServerTheStateIsComputedAndSaidSo() {
        CommandResult r = ServeProcess.run("env", "-n", "default", "--server", "127.0.0.1:" + ServeProcess.freePort());
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("no server answers at"), r.stderr());
        assertTrue(r.stdout().contains("MY_NGINX_SERVICE_HOST"), r.stdout());
    }

    @Test
    void theLauncherKeepsRelativePathsRelativeToTheCaller() throws Exception {
        Path cwd = Files.createTempDirectory("caller");
        Files.createDirectories(cwd.resolve("mine"));
        Files.writeString(cwd.resolve("mine/svc.yaml"), """
                apiVersion: v1
                kind: Service
                metadata: {name: relative-svc}
                spec: {ports: [{port: 81}], selector: {app: x}}
                """);
        List<String> cmd = new ArrayList<>(List.of(ServeProcess.root().resolve("clusterdns").toString(),
                "env", "-n", "default", "--manifests", "mine"));
        CommandResult r = CommandResult.run(cmd, cwd);
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stdout().contains("RELATIVE_SVC_SERVICE_PORT"), r.stdout());
    }
}
