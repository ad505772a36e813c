package dev.clusterdns.proxy.iface;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Linux interface (iproute2) that holds the Service addresses outside loopback, so the kernel
 * delivers traffic for them (e.g. routed in from containers) to our listeners: a dummy interface,
 * as kube-proxy's IPVS mode uses, or {@code lo} when the kernel has no dummy driver. Addresses this
 * object added are removed on {@link #close()}, and the interface too when we created it. Needs root
 * (CAP_NET_ADMIN). Not thread-safe: drive it from one thread.
 */
public final class ServiceInterface implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceInterface.class);

    private final String name;
    private final boolean created;
    private final Set<InetAddress> added = new LinkedHashSet<>();

    private ServiceInterface(String name, boolean created) {
        this.name = name;
        this.created = created;
    }

    /** Creates (or reuses) the dummy interface {@code name} and brings it up; falls back to {@code lo}. */
    public static ServiceInterface open(String name) throws IOException {
        boolean exists = run("ip", "link", "show", "dev", name).ok();
        if (!exists) {
            Result r = run("ip", "link", "add", name, "type", "dummy");
            if (!r.ok()) {
                if (!r.output().contains("Unknown device type")) {
                    throw new IOException("--proxy-mode interface: cannot create dummy interface " + name + ": "
                            + r.output() + " (needs root or CAP_NET_ADMIN, and iproute2)");
                }
                LOG.warn("proxy: cannot create dummy interface {} ({}); putting Service addresses on lo instead",
                        name, r.output());
                return new ServiceInterface("lo", false);
            }
        }
        run("ip", "link", "set", "dev", name, "up").orThrow("cannot bring up " + name);
        return new ServiceInterface(name, !exists);
    }

    public String name() {
        return name;
    }

    /**
     * Makes the addresses this object added equal {@code wanted}.
     *
     * @return one message per address that could not be added or removed
     */
    public List<String> sync(Set<InetAddress> wanted) {
        List<String> errors = new ArrayList<>();
        for (InetAddress a : new ArrayList<>(added)) {
            if (!wanted.contains(a)) {
                Result r = run("ip", "addr", "del", prefix(a), "dev", name);
                added.remove(a);
                if (!r.ok()) {
                    errors.add("cannot remove " + a.getHostAddress() + " from " + name + ": " + r.output());
                }
            }
        }
        for (InetAddress a : wanted) {
            if (added.contains(a)) {
                continue;
            }
            List<String> cmd = new ArrayList<>(List.of("ip", "addr", "add", prefix(a), "dev", name));
            if (a instanceof Inet6Address) {
                cmd.add("nodad"); // usable at once, no duplicate address detection delay
            }
            Result r = run(cmd.toArray(new String[0]));
            if (r.ok()) {
                added.add(a);
            } else if (!r.output().contains("File exists")) {
                errors.add("cannot add " + a.getHostAddress() + " to " + name + ": " + r.output());
            }
            // "File exists": someone else owns the address; it is usable, and not ours to remove.
        }
        return errors;
    }

    @Override
    public void close() {
        sync(Set.of());
        if (created) {
            run("ip", "link", "del", "dev", name);
        }
    }

    private static String prefix(InetAddress a) {
        return a.getHostAddress() + (a instanceof Inet6Address ? "/128" : "/32");
    }

    private record Result(int exit, String output) {
        boolean ok() {
            return exit == 0;
        }

        void orThrow(String what) throws IOException {
            if (!ok()) {
                throw new IOException(what + ": " + output);
            }
        }
    }

    private static Result run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, String.join(" ", cmd) + ": timed out");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8).trim());
        } catch (IOException e) {
            return new Result(-1, String.join(" ", cmd) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }
}
