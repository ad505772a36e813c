package dev.clusterdns.tests.resolver;

import dev.clusterdns.tests.CommandResult;
import dev.clusterdns.tests.ServeProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * NSD (the reference authoritative server) as a child process on a free 127.0.0.1 port, with its own
 * config, pidfile, zonesdir and no database, chroot or user switch.
 */
final class Nsd implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path dir;

    private Nsd(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    static boolean installed() {
        return Files.isExecutable(Path.of("/usr/sbin/nsd")) || CommandResult.onPath("nsd");
    }

    /** Serves each zone (origin → master file) and waits until the first answers SOA. */
    static Nsd start(Map<String, Path> zones) {
        try {
            Path dir = Files.createTempDirectory("nsd-ref");
            int port = ServeProcess.freePort();
            StringBuilder conf = new StringBuilder()
                    .append("server:\n  ip-address: 127.0.0.1@").append(port).append('\n')
                    .append("  username: \"\"\n  chroot: \"\"\n  database: \"\"\n")
                    .append("  zonesdir: \"").append(dir).append("\"\n")
                    .append("  pidfile: \"").append(dir.resolve("nsd.pid")).append("\"\n")
                    .append("  xfrdfile: \"").append(dir.resolve("xfrd.state")).append("\"\n")
                    .append("  zonelistfile: \"").append(dir.resolve("zone.list")).append("\"\n")
                    .append("  xfrdir: \"").append(dir).append("\"\n")
                    .append("  logfile: \"").append(dir.resolve("nsd.log")).append("\"\n")
                    .append("  server-count: 1\n  verbosity: 1\n  minimal-responses: yes\n")
                    .append("remote-control:\n  control-enable: no\n");
            int i = 0;
            String first = null;
            for (Map.Entry<String, Path> z : zones.entrySet()) {
                Path copy = dir.resolve("zone" + i++);
                Files.copy(z.getValue(), copy);
                conf.append("zone:\n  name: \"").append(z.getKey()).append("\"\n  zonefile: \"").append(copy)
                        .append("\"\n  provide-xfr: 127.0.0.1 NOKEY\n");
                first = first == null ? z.getKey() : first;
            }
            Path confFile = dir.resolve("nsd.conf");
            Files.writeString(confFile, conf.toString());
            String binary = Files.isExecutable(Path.of("/usr/sbin/nsd")) ? "/usr/sbin/nsd" : "nsd";
            Process p = new ProcessBuilder(binary, "-d", "-c", confFile.toString()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("stdout.log").toFile()).start();
            Nsd nsd = new Nsd(p, port, dir);
            nsd.awaitSoa(first);
            return nsd;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitSoa(String zone) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("nsd exited: " + Files.readString(dir.resolve("stdout.log")));
            }
            if (Dig.query(port, zone, "SOA").answer().size() == 1) {
                return;
            }
            sleep(100);
        }
        throw new IllegalStateException("nsd did not answer in time");
    }

    int port() {
        return port;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
