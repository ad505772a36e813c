package dev.clusterdns.tests.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.tests.CommandResult;
import dev.clusterdns.tests.ServeProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** A manifest edit reaches DNS answers without a restart, and the SOA serial moves forward. */
class DnsReloadTest {

    private static String dig(ServeProcess serve, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of("dig", "@127.0.0.1", "-p", String.valueOf(serve.dnsPort()),
                "+time=2", "+tries=1", "+short"));
        cmd.addAll(List.of(args));
        return CommandResult.run(cmd, ServeProcess.root()).stdout().trim();
    }

    private static String service(String name, String ip) {
        return "apiVersion: v1\nkind: Service\nmetadata: {name: " + name + ", namespace: default}\n"
                + "spec: {clusterIP: " + ip + ", ports: [{name: http, port: 80}]}\n";
    }

    private static long serial(ServeProcess serve) {
        return Long.parseLong(dig(serve, "cluster.local", "SOA").split("\\s+")[2]);
    }

    @Test
    void addingAServiceMakesItResolvable() throws Exception {
        Assumptions.assumeTrue(CommandResult.onPath("dig"), "needs dig");
        Path dir = Files.createTempDirectory("clusterdns-dns-reload");
        Path file = dir.resolve("services.yaml");
        Files.writeString(file, service("first", "127.96.0.21"));
        try (ServeProcess serve = ServeProcess.start("--manifests", dir.toString())) {
            assertEquals("127.96.0.21", dig(serve, "first.default.svc.cluster.local"));
            assertEquals("", dig(serve, "second.default.svc.cluster.local"));
            long before = serial(serve);
            Path tmp = dir.resolve(".services.yaml.tmp");
            Files.writeString(tmp, service("first", "127.96.0.21") + "---\n" + service("second", "127.96.0.22"));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            String answer = "";
            for (int i = 0; i < 100 && answer.isEmpty(); i++) {
                Thread.sleep(100);
                answer = dig(serve, "second.default.svc.cluster.local");
            }
            assertEquals("127.96.0.22", answer, serve.output());
            assertTrue(serial(serve) > before, "SOA serial moves after a change");
        }
    }
}
