package dev.clusterdns.tests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A network namespace joined to the host by a veth pair, routing one prefix to the host: a stand-in
 * for a container whose Service traffic goes through this node. Needs root.
 */
public final class Netns implements AutoCloseable {
    public final String name;
    private final String hostIf;
    private final String hostIp;
    private final String podIp;

    private Netns(String name, String hostIf, String hostIp, String podIp) {
        this.name = name;
        this.hostIf = hostIf;
        this.hostIp = hostIp;
        this.podIp = podIp;
    }

    public static boolean supported() {
        return CommandResult.onPath("ip") && "0".equals(sh("id", "-u").stdout().trim())
                && sh("ip", "netns", "list").exitCode() == 0;
    }

    /** A namespace with a route for {@code routedPrefix} (may be null) through the host's end. */
    public static Netns create(String routedPrefix) {
        int x = ThreadLocalRandom.current().nextInt(1, 250);
        String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
        String hostIp = "10.251." + x + ".1";
        Netns n = new Netns("cde" + tag, "cdeh" + tag, hostIp, "10.251." + x + ".2");
        String peer = "cden" + tag;
        try {
            must("ip", "netns", "add", n.name);
            must("ip", "link", "add", n.hostIf, "type", "veth", "peer", "name", peer);
            must("ip", "link", "set", peer, "netns", n.name);
            must("ip", "addr", "add", hostIp + "/30", "dev", n.hostIf);
            must("ip", "link", "set", n.hostIf, "up");
            must("ip", "netns", "exec", n.name, "ip", "addr", "add", n.podIp + "/30", "dev", peer);
            must("ip", "netns", "exec", n.name, "ip", "link", "set", peer, "up");
            must("ip", "netns", "exec", n.name, "ip", "link", "set", "lo", "up");
            if (routedPrefix != null) {
                must("ip", "netns", "exec", n.name, "ip", "route", "add", routedPrefix, "via", hostIp);
            }
        } catch (RuntimeException e) {
            n.close();
            throw e;
        }
        return n;
    }

    /** The host's address on the veth pair (where a server for the namespace can listen). */
    public String hostIp() {
        return hostIp;
    }

    /**
     * Gives the namespace its own resolv.conf: `ip netns exec` bind-mounts /etc/netns/NAME/resolv.conf
     * over /etc/resolv.conf for the commands it runs.
     */
    public void resolvConf(String content) {
        try {
            Path etc = Files.createDirectories(Path.of("/etc/netns", name));
            Files.writeString(etc.resolve("resolv.conf"), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public CommandResult exec(String... cmd) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(cmd));
        return CommandResult.run(full, ServeProcess.root());
    }

    public static CommandResult sh(String... cmd) {
        return CommandResult.run(List.of(cmd), ServeProcess.root());
    }

    private static void must(String... cmd) {
        CommandResult r = sh(cmd);
        if (r.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + ": " + r.stderr() + r.stdout());
        }
    }

    @Override
    public void close() {
        sh("ip", "link", "del", hostIf);
        sh("ip", "netns", "del", name);
        Path etc = Path.of("/etc/netns", name);
        try {
            Files.deleteIfExists(etc.resolve("resolv.conf"));
            Files.deleteIfExists(etc);
        } catch (IOException e) {
            // best effort: a leftover directory only costs a few bytes
        }
    }
}
