package dev.clusterdns.tests.proxy;

import dev.clusterdns.tests.CommandResult;
import dev.clusterdns.tests.ServeProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A network namespace joined to the host by a veth pair, routing one prefix to the host: a stand-in
 * for a container whose Service traffic goes through this node. Needs root.
 */
final class Netns implements AutoCloseable {
    final String name;
    private final String hostIf;

    private Netns(String name, String hostIf) {
        this.name = name;
        this.hostIf = hostIf;
    }

    static boolean supported() {
        return CommandResult.onPath("ip") && "0".equals(sh("id", "-u").stdout().trim())
                && sh("ip", "netns", "list").exitCode() == 0;
    }

    static Netns create(String routedPrefix) {
        int x = ThreadLocalRandom.current().nextInt(1, 250);
        String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
        Netns n = new Netns("cde" + tag, "cdeh" + tag);
        String peer = "cden" + tag;
        String hostIp = "10.251." + x + ".1";
        try {
            must("ip", "netns", "add", n.name);
            must("ip", "link", "add", n.hostIf, "type", "veth", "peer", "name", peer);
            must("ip", "link", "set", peer, "netns", n.name);
            must("ip", "addr", "add", hostIp + "/30", "dev", n.hostIf);
            must("ip", "link", "set", n.hostIf, "up");
            must("ip", "netns", "exec", n.name, "ip", "addr", "add", "10.251." + x + ".2/30", "dev", peer);
            must("ip", "netns", "exec", n.name, "ip", "link", "set", peer, "up");
            must("ip", "netns", "exec", n.name, "ip", "route", "add", routedPrefix, "via", hostIp);
        } catch (RuntimeException e) {
            n.close();
            throw e;
        }
        return n;
    }

    CommandResult exec(String... cmd) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(cmd));
        return CommandResult.run(full, ServeProcess.root());
    }

    static CommandResult sh(String... cmd) {
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
    }
}
