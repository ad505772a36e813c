package dev.clusterdns.tests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the built `clusterdns` jar as a user would (`clusterdns serve ...`) on free loopback ports,
 * waits until `/ready` answers 200, and stops it with SIGTERM on close.
 */
public final class ServeProcess implements AutoCloseable {
    private final Process process;
    private final int dnsPort;
    private final int httpPort;
    private final Path log;
    private final Path stateDir;

    private ServeProcess(Process process, int dnsPort, int httpPort, Path log, Path stateDir) {
        this.process = process;
        this.dnsPort = dnsPort;
        this.httpPort = httpPort;
        this.log = log;
        this.stateDir = stateDir;
    }

    /** Repository root (where `./clusterdns`, `examples/` and `zonefiles/` are). */
    public static Path root() {
        return Path.of(System.getProperty("clusterdns.root", "..")).toAbsolutePath().normalize();
    }

    public static Path jar() {
        return Path.of(System.getProperty("clusterdns.jar", root().resolve("cli/target/clusterdns.jar").toString()));
    }

    /** `clusterdns serve` with the examples, a fresh state dir, free DNS/HTTP ports, and {@code args}. */
    public static ServeProcess start(String... args) {
        return start(List.of(args));
    }

    public static ServeProcess start(List<String> args) {
        try {
            Path state = Files.createTempDirectory("clusterdns-state");
            return start(args, state);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** As {@link #start(List)} with a given state dir (to test persistence across restarts). */
    public static ServeProcess start(List<String> args, Path stateDir) {
        ServeProcess sp = launch(args, stateDir);
        sp.awaitReady(Duration.ofSeconds(60));
        return sp;
    }

    /** As {@link #start(List)} without waiting for `/ready` (to watch what happens before it). */
    public static ServeProcess launch(List<String> args) {
        try {
            return launch(args, Files.createTempDirectory("clusterdns-state"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ServeProcess launch(List<String> args, Path stateDir) {
        return launch(command(), args, stateDir);
    }

    /** As {@link #launch(List)} with another way to run clusterdns (the `./clusterdns` launcher of a copy). */
    public static ServeProcess launch(List<String> command, List<String> args, Path stateDir) {
        // Not a port the test gave in its own arguments (an ingress or upstream port it picked).
        java.util.Set<Integer> given = new java.util.HashSet<>();
        for (String a : args) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(":(\\d{1,5})$").matcher(a);
            if (m.find()) {
                given.add(Integer.parseInt(m.group(1)));
            }
        }
        List<Integer> ports = freePorts(2, given);
        int dns = ports.get(0);
        int http = ports.get(1);
        List<String> cmd = new ArrayList<>(command);
        cmd.add("serve");
        cmd.addAll(List.of("--dns-listen", "127.0.0.1:" + dns, "--http-listen", "127.0.0.1:" + http,
                "--state-dir", stateDir.toString()));
        if (args.stream().noneMatch(a -> a.startsWith("--ingress-http") || a.equals("--no-ingress"))) {
            // Ingress listeners on free ports: tests run side by side, and 8080/8443 may be taken.
            cmd.addAll(List.of("--ingress-http", "127.0.0.1:0", "--ingress-https", "127.0.0.1:0"));
        }
        if (!args.contains("--upstream")) {
            // Never forward to the host's resolvers from a test: they are not on this machine.
            cmd.addAll(List.of("--upstream", "none"));
        }
        cmd.addAll(args);
        try {
            Path log = Files.createTempFile("clusterdns-serve", ".log");
            Process p = new ProcessBuilder(cmd).directory(root().toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return new ServeProcess(p, dns, http, log, stateDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** `java -jar clusterdns.jar` (the jar `./clusterdns` runs), for one-shot commands too. */
    public static List<String> command() {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar().toString());
    }

    /** Runs a one-shot `clusterdns ARGS...` in the repository root and returns its result. */
    public static CommandResult run(String... args) {
        List<String> cmd = new ArrayList<>(command());
        cmd.addAll(List.of(args));
        return CommandResult.run(cmd, root());
    }

    public void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("clusterdns serve exited with " + process.exitValue() + ":\n" + output());
            }
            try {
                if (httpStatus("/ready") == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            sleep(100);
        }
        throw new IllegalStateException("clusterdns serve not ready after " + timeout + ":\n" + output());
    }

    public int dnsPort() {
        return dnsPort;
    }

    public int httpPort() {
        return httpPort;
    }

    public Path stateDir() {
        return stateDir;
    }

    public Process process() {
        return process;
    }

    /** Everything the server printed so far. */
    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    public int httpStatus(String path) throws IOException {
        return request(path).statusCode();
    }

    /** GET a path on the HTTP endpoint and return the body (any status). */
    public String http(String path) {
        try {
            return request(path).body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private HttpResponse<String> request(String path) throws IOException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(Duration.ofSeconds(5)).build();
        try {
            return client.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** `name=ip` of the Pods in {@code namespace} matching {@code selector}, sorted by name (from the read API). */
    public java.util.Map<String, String> podIps(String namespace, String selector) {
        try {
            var list = new com.fasterxml.jackson.databind.ObjectMapper().readTree(http("/api/v1/namespaces/" + namespace
                    + "/pods?labelSelector=" + java.net.URLEncoder.encode(selector, java.nio.charset.StandardCharsets.UTF_8)));
            java.util.Map<String, String> out = new java.util.TreeMap<>();
            list.path("items").forEach(p -> out.put(p.path("metadata").path("name").asText(), p.path("status").path("podIP").asText()));
            return out;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A port free for both TCP and UDP on 127.0.0.1; see {@link #freePorts(int, java.util.Set)}. */
    public static int freePort() {
        return freePorts(1, java.util.Set.of()).get(0);
    }

    /**
     * {@code n} different ports free for both TCP and UDP on 127.0.0.1, from 20000-29999 outside the
     * kernel's ephemeral range (ip_local_port_range, 32768-60999 by default) and below NodePorts
     * (30000-32767). A port from the ephemeral range (what binding port 0 gives) can be handed to any
     * process's client socket between this check and the server's bind, and while the server runs
     * to a UDP client that sets SO_REUSEPORT (dig does) when the server's sockets share the port.
     *
     * @param avoid ports not to return (ones the caller already uses)
     */
    public static List<Integer> freePorts(int n, java.util.Set<Integer> avoid) {
        int[] ephemeral = ephemeralRange();
        java.util.Random random = java.util.concurrent.ThreadLocalRandom.current();
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < 1000 && ports.size() < n; i++) {
            int port = 20000 + random.nextInt(10000);
            if ((port >= ephemeral[0] && port <= ephemeral[1]) || ports.contains(port) || avoid.contains(port)) {
                continue;
            }
            if (freeForTcpAndUdp(port)) {
                ports.add(port);
            }
        }
        if (ports.size() < n) {
            throw new IllegalStateException("no " + n + " free ports in 20000-29999 outside the ephemeral range "
                    + ephemeral[0] + "-" + ephemeral[1]);
        }
        return ports;
    }

    private static boolean freeForTcpAndUdp(int port) {
        try (ServerSocket tcp = new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
             DatagramSocket udp = new DatagramSocket(port, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    private static int[] ephemeralRange() {
        try {
            // Read line-wise: Files.readString stops after the first byte of this /proc file.
            String[] f = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+");
            return new int[] {Integer.parseInt(f[0]), Integer.parseInt(f[1])};
        } catch (IOException | RuntimeException e) {
            return new int[] {32768, 60999};
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGTERM, then wait; returns the exit code. */
    public int stop() {
        process.destroy();
        try {
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            stop();
        }
    }
}
