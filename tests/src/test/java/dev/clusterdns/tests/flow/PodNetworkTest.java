package dev.clusterdns.tests.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.tests.CommandResult;
import dev.clusterdns.tests.Netns;
import dev.clusterdns.tests.ServeProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Connecting Applications with Services" as the tutorial runs it, against `serve --pod-network`:
 * the tutorial's Deployment and Service (no Pod objects), its two nginx Pods stood in for by busybox
 * httpd in a network namespace holding both pod IPs, and a client — a network namespace on the
 * bridge, and a podman container on podman's own bridge — that runs `nslookup my-nginx`, `wget`
 * through the ClusterIP and `printenv | grep SERVICE` with the resolv.conf and env file clusterdns
 * prints. Needs root; the container test also podman with runc and busybox-static.
 */
class PodNetworkTest {
    private static final String BUSYBOX = "/bin/busybox";
    /** The tutorial's manifests, verbatim (run-my-nginx.yaml and nginx-svc.yaml). */
    private static final String TUTORIAL = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: my-nginx
            spec:
              selector:
                matchLabels:
                  run: my-nginx
              replicas: 2
              template:
                metadata:
                  labels:
                    run: my-nginx
                spec:
                  containers:
                  - name: my-nginx
                    image: nginx
                    ports:
                    - containerPort: 80
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: my-nginx
              labels:
                run: my-nginx
            spec:
              ports:
              - port: 80
                protocol: TCP
              selector:
                run: my-nginx
            """;

    @TempDir
    Path dir;
    private final List<Runnable> cleanup = new ArrayList<>();
    private String tag;
    private String serviceCidr;
    private String podPrefix;
    private ServeProcess serve;
    private List<String> agentFlags;
    private String clusterIp;

    @BeforeEach
    void serveTheTutorial() throws Exception {
        Assumptions.assumeTrue(Netns.supported(), "needs root, iproute2 and network namespaces: skipped");
        Assumptions.assumeTrue(Files.isExecutable(Path.of(BUSYBOX)), "needs busybox-static (" + BUSYBOX + "): skipped");
        int[] octets = unusedTenSlash16s();
        int a = octets[0];
        int b = octets[1];
        tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
        serviceCidr = "10." + a + ".0.0/16";
        podPrefix = "10." + b + ".";
        Path manifests = Files.createDirectories(dir.resolve("manifests"));
        Files.writeString(manifests.resolve("my-nginx.yaml"), TUTORIAL);
        serve = ServeProcess.start("--manifests", manifests.toString(), "--pod-network", "cdb" + tag,
                "--service-cidr", serviceCidr, "--pod-cidr", podPrefix + "0.0/16", "--proxy-interface", "cdi" + tag);
        cleanup.add(serve::close);
        agentFlags = List.of("--manifests", manifests.toString(), "--service-cidr", serviceCidr,
                "--pod-cidr", podPrefix + "0.0/16", "--state-dir", serve.stateDir().toString());

        // The Deployment made two Pods with IPs on the bridge: be them, with busybox httpd on port 80.
        Map<String, String> pods = serve.podIps("default", "run=my-nginx");
        assertEquals(2, pods.size(), pods + "\n" + serve.output());
        Path www = Files.createDirectories(dir.resolve("www"));
        Files.writeString(www.resolve("index.html"), "Welcome to nginx!\n");
        String backends = bridged("cdp" + tag, new ArrayList<>(pods.values()));
        Process httpd = new ProcessBuilder("ip", "netns", "exec", backends, BUSYBOX, "httpd", "-f", "-p", "80",
                "-h", www.toString()).redirectErrorStream(true).start();
        cleanup.add(0, httpd::destroy);

        clusterIp = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(serve.http("/api/v1/namespaces/default/services/my-nginx")).path("spec").path("clusterIP").asText();
        assertTrue(clusterIp.startsWith("10." + a + "."), clusterIp);
    }

    /**
     * Two distinct second octets of 10.x.0.0/16 networks that no route on this host touches, nor podman's
     * default network 10.88.0.0/16 (routed only while a container runs): a pod network sharing podman's
     * prefix sends the container's replies to the wrong bridge.
     */
    private static int[] unusedTenSlash16s() {
        Set<Integer> taken = new HashSet<>(List.of(88, 251, 252));
        Matcher m = Pattern.compile("(?m)^(?:\\S+ )?10\\.(\\d+)\\.")
                .matcher(Netns.sh("ip", "-4", "route", "show", "table", "all").stdout());
        while (m.find()) {
            taken.add(Integer.parseInt(m.group(1)));
        }
        int a;
        int b;
        do {
            a = ThreadLocalRandom.current().nextInt(16, 250);
            b = ThreadLocalRandom.current().nextInt(16, 250);
        } while (a == b || taken.contains(a) || taken.contains(b));
        return new int[] {a, b};
    }

    @AfterEach
    void tearDown() {
        cleanup.forEach(Runnable::run);
    }

    /** A namespace with {@code ips} on a veth joined to the bridge, default route via the gateway. */
    private String bridged(String name, List<String> ips) {
        String host = name + "h";
        String peer = name + "n";
        must("ip", "netns", "add", name);
        cleanup.add(() -> Netns.sh("ip", "netns", "del", name));
        must("ip", "link", "add", host, "type", "veth", "peer", "name", peer);
        cleanup.add(() -> Netns.sh("ip", "link", "del", host));
        must("ip", "link", "set", peer, "netns", name);
        must("ip", "link", "set", host, "master", "cdb" + tag);
        must("ip", "link", "set", host, "up");
        for (String ip : ips) {
            must("ip", "netns", "exec", name, "ip", "addr", "add", ip + "/16", "dev", peer);
        }
        must("ip", "netns", "exec", name, "ip", "link", "set", peer, "up");
        must("ip", "netns", "exec", name, "ip", "link", "set", "lo", "up");
        must("ip", "netns", "exec", name, "ip", "route", "add", "default", "via", podPrefix + "0.1");
        return name;
    }

    private static void must(String... cmd) {
        CommandResult r = Netns.sh(cmd);
        if (r.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + ": " + r.stderr() + r.stdout());
        }
    }

    private CommandResult cli(String command, String... args) {
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(agentFlags);
        all.addAll(List.of(args));
        return ServeProcess.run(all.toArray(String[]::new));
    }

    /** What the tutorial's three commands print, checked the same way for a namespace and a container. */
    private void assertTutorialOutput(CommandResult r) {
        String out = r.stdout();
        assertEquals(0, r.exitCode(), out + r.stderr() + "\n" + serve.output());
        assertTrue(out.contains("Name:\tmy-nginx.default.svc.cluster.local") || out.contains("Name:   my-nginx.default.svc.cluster.local")
                || out.matches("(?s).*Name:\\s+my-nginx\\.default\\.svc\\.cluster\\.local.*"), out);
        assertTrue(out.matches("(?s).*Address:?\\s+" + clusterIp.replace(".", "\\.") + "\\b.*"), out);
        assertTrue(out.contains("Welcome to nginx!"), "wget through the ClusterIP reaches a Pod:\n" + out);
        assertTrue(out.contains("MY_NGINX_SERVICE_HOST=" + clusterIp), out);
        assertTrue(out.contains("MY_NGINX_SERVICE_PORT=80"), out);
        assertTrue(out.contains("KUBERNETES_SERVICE_PORT=443"), out);
    }

    @Test
    void fromANetworkNamespace() throws Exception {
        String client = bridged("cdc" + tag, List.of(podPrefix + "255.250"));
        CommandResult resolv = cli("resolvconf", "-n", "default");
        assertEquals(0, resolv.exitCode(), resolv.stderr());
        String kubeDns = serviceCidr.replace("0.0/16", "0.10");
        assertTrue(resolv.stdout().contains("nameserver " + kubeDns + "\n"), "kube-dns is the nameserver:\n" + resolv.stdout());
        Path etc = Files.createDirectories(Path.of("/etc/netns", client));
        cleanup.add(() -> deleteQuietly(etc));
        Files.writeString(etc.resolve("resolv.conf"), resolv.stdout());
        CommandResult env = cli("env", "-n", "default", "--format", "shell");
        assertEquals(0, env.exitCode(), env.stderr());
        Path envFile = dir.resolve("pod.env");
        Files.writeString(envFile, env.stdout());

        // wget to the variable's ClusterIP (busybox-static's wget crashes with -T, and cannot look names up
        // through glibc's NSS); getent shows the system resolver finds the short name through the search path.
        CommandResult inside = Netns.sh("ip", "netns", "exec", client, "bash", "-c", String.join("; ",
                BUSYBOX + " nslookup my-nginx",
                "set -a; . " + envFile + "; set +a",
                "timeout 10 " + BUSYBOX + " wget -q -O - http://$MY_NGINX_SERVICE_HOST/",
                "getent hosts my-nginx",
                "printenv | grep SERVICE"));
        assertTrue(inside.stdout().contains(clusterIp + "     my-nginx.default.svc.cluster.local")
                || inside.stdout().matches("(?s).*" + clusterIp.replace(".", "\\.") + "\\s+my-nginx\\.default\\.svc\\.cluster\\.local.*"),
                inside.stdout());
        assertTutorialOutput(inside);
    }

    @Test
    void fromAPodmanContainer() throws Exception {
        Assumptions.assumeTrue(CommandResult.onPath("podman") && CommandResult.onPath("runc"),
                "needs podman and runc (Debian packages podman, runc): skipped");
        // A busybox root file system: no image registry needed.
        Path rootfs = Files.createDirectories(dir.resolve("rootfs"));
        for (String d : List.of("bin", "etc", "proc", "sys", "dev", "tmp")) {
            Files.createDirectories(rootfs.resolve(d));
        }
        Files.copy(Path.of(BUSYBOX), rootfs.resolve("bin/busybox"));
        for (String applet : List.of("sh", "nslookup", "wget", "env", "grep", "cat", "timeout")) {
            Files.createSymbolicLink(rootfs.resolve("bin/" + applet), Path.of("busybox"));
        }
        // Debian's busybox has no printenv applet; without arguments it is env.
        Path printenv = rootfs.resolve("bin/printenv");
        Files.writeString(printenv, "#!/bin/sh\nexec env\n");
        printenv.toFile().setExecutable(true);
        // crun cannot set rlimits here; runc with no default ulimits can.
        Path conf = dir.resolve("containers.conf");
        Files.writeString(conf, "[containers]\ndefault_ulimits = []\n");
        CommandResult resolv = cli("resolvconf", "-n", "default", "--host-resolv-conf", "");
        assertEquals(0, resolv.exitCode(), resolv.stderr());
        Path resolvFile = dir.resolve("resolv.conf");
        Files.writeString(resolvFile, resolv.stdout());
        CommandResult env = cli("env", "-n", "default", "--format", "docker");
        assertEquals(0, env.exitCode(), env.stderr());
        Path envFile = dir.resolve("pod.env");
        Files.writeString(envFile, env.stdout());

        List<String> podman = List.of("env", "CONTAINERS_CONF=" + conf, "podman", "run", "--rm", "--runtime", "runc",
                "--network", "bridge", "--env-file", envFile.toString(),
                "-v", resolvFile + ":/etc/resolv.conf:ro", "--rootfs", rootfs.toString());
        List<String> probe = new ArrayList<>(podman);
        probe.addAll(List.of("/bin/sh", "-c", "true"));
        CommandResult canRun = CommandResult.run(probe, dir);
        Assumptions.assumeTrue(canRun.exitCode() == 0, "podman cannot run a container here: " + canRun.stderr() + ": skipped");

        List<String> run = new ArrayList<>(podman);
        run.addAll(List.of("/bin/sh", "-c", "nslookup my-nginx; timeout 10 wget -q -O - http://$MY_NGINX_SERVICE_HOST/; printenv | grep SERVICE"));
        assertTutorialOutput(CommandResult.run(run, dir));
    }

    private static void deleteQuietly(Path etc) {
        try {
            Files.deleteIfExists(etc.resolve("resolv.conf"));
            Files.deleteIfExists(etc);
        } catch (IOException e) {
            // best effort
        }
    }
}
