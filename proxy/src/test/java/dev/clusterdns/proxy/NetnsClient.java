package dev.clusterdns.proxy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace joined to the host by a veth pair, with the given prefix routed to the host:
 * a stand-in for a container whose Service traffic goes through this node. Needs root.
 */
final class NetnsClient implements AutoCloseable {
    final String ns;
    final String hostIf;
    final String hostIp;
    final String nsIp;

    private NetnsClient(String ns, String hostIf, String hostIp, String nsIp) {
        this.ns = ns;
        this.hostIf = hostIf;
        this.hostIp = hostIp;
        this.nsIp = nsIp;
    }

    /** True when we are root and can create namespaces and veth pairs here. */
    static boolean supported() {
        try {
            String id = run(List.of("id", "-u")).output.trim();
            return "0".equals(id) && run(List.of("ip", "netns", "list")).exit == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** A namespace routing {@code routedPrefix} to the host; returns the third octet used in 10.251.X.0/30. */
    static NetnsClient create(String routedPrefix) throws IOException {
        int x = ThreadLocalRandom.current().nextInt(1, 250);
        String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
        String ns = "cdp" + tag;
        String h = "cdph" + tag;
        String n = "cdpn" + tag;
        String hostIp = "10.251." + x + ".1";
        String nsIp = "10.251." + x + ".2";
        NetnsClient c = new NetnsClient(ns, h, hostIp, nsIp);
        try {
            must("ip", "netns", "add", ns);
            must("ip", "link", "add", h, "type", "veth", "peer", "name", n);
            must("ip", "link", "set", n, "netns", ns);
            must("ip", "addr", "add", hostIp + "/30", "dev", h);
            must("ip", "link", "set", h, "up");
            must("ip", "netns", "exec", ns, "ip", "addr", "add", nsIp + "/30", "dev", n);
            must("ip", "netns", "exec", ns, "ip", "link", "set", n, "up");
            must("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
            must("ip", "netns", "exec", ns, "ip", "route", "add", routedPrefix, "via", hostIp);
        } catch (IOException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Runs a command inside the namespace. */
    Result exec(String... cmd) throws IOException {
        List<String> full = new java.util.ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(List.of(cmd));
        return run(full);
    }

    record Result(int exit, String output) {}

    static Result run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(cmd + " timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return new Result(p.exitValue(), out);
    }

    private static void must(String... cmd) throws IOException {
        Result r = run(List.of(cmd));
        if (r.exit != 0) {
            throw new IOException(String.join(" ", cmd) + ": " + r.output);
        }
    }

    @Override
    public void close() throws IOException {
        run(List.of("ip", "link", "del", hostIf));
        run(List.of("ip", "netns", "del", ns));
    }
}
