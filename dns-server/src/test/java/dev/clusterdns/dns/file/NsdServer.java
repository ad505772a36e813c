package dev.clusterdns.dns.file;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** NSD as a child process on a free loopback port, serving given zone files (the reference server). */
final class NsdServer implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path dir;

    private NsdServer(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    static boolean available() {
        return Files.isExecutable(Path.of("/usr/sbin/nsd")) || Files.isExecutable(Path.of("/usr/bin/nsd"));
    }

    /** Starts NSD with each zone (origin → file) and waits until it answers SOA for the first. */
    static NsdServer start(List<Name> origins, List<Path> files) throws Exception {
        Path dir = Files.createTempDirectory("nsd-ref");
        int port = freePort();
        StringBuilder conf = new StringBuilder();
        conf.append("server:\n  ip-address: 127.0.0.1@").append(port).append('\n')
                .append("  username: \"\"\n  chroot: \"\"\n  zonesdir: \"").append(dir).append("\"\n")
                .append("  pidfile: \"").append(dir.resolve("nsd.pid")).append("\"\n")
                .append("  database: \"\"\n")
                .append("  minimal-responses: yes\n")
                .append("  xfrdfile: \"").append(dir.resolve("xfrd.state")).append("\"\n")
                .append("  zonelistfile: \"").append(dir.resolve("zone.list")).append("\"\n")
                .append("  xfrdir: \"").append(dir).append("\"\n")
                .append("  logfile: \"").append(dir.resolve("nsd.log")).append("\"\n")
                .append("  server-count: 1\n  verbosity: 1\n")
                .append("remote-control:\n  control-enable: no\n");
        for (int i = 0; i < origins.size(); i++) {
            Path copy = dir.resolve("zone" + i);
            Files.copy(files.get(i), copy);
            conf.append("zone:\n  name: \"").append(origins.get(i)).append("\"\n  zonefile: \"").append(copy).append("\"\n");
        }
        Path confFile = dir.resolve("nsd.conf");
        Files.writeString(confFile, conf.toString());
        Process p = new ProcessBuilder(nsdBinary(), "-d", "-c", confFile.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        NsdServer nsd = new NsdServer(p, port, dir);
        nsd.awaitAnswer(origins.get(0));
        return nsd;
    }

    private static String nsdBinary() {
        return Files.isExecutable(Path.of("/usr/sbin/nsd")) ? "/usr/sbin/nsd" : "/usr/bin/nsd";
    }

    private void awaitAnswer(Name origin) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("nsd exited: " + Files.readString(dir.resolve("stdout.log")));
            }
            try {
                Message m = query(origin, Type.SOA);
                if (m.getSectionArray(1).length > 0) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("nsd did not answer in time");
    }

    int port() {
        return port;
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    Message query(Name name, int type) throws IOException {
        SimpleResolver r = new SimpleResolver(address());
        r.setTimeout(Duration.ofSeconds(2));
        r.setTCP(true);
        Message q = Message.newQuery(Record.newRecord(name, type, 1));
        q.getHeader().unsetFlag(org.xbill.DNS.Flags.RD);
        return r.send(q);
    }

    static int freePort() throws IOException {
        for (int i = 0; i < 50; i++) {
            try (ServerSocket tcp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = tcp.getLocalPort();
                try (DatagramSocket udp = new DatagramSocket(port, InetAddress.getLoopbackAddress())) {
                    return port;
                } catch (IOException busy) {
                    // try another
                }
            }
        }
        throw new IOException("no free port");
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
