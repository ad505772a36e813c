package dev.clusterdns.agent.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Who holds a local port, for a bind error worth reading ("address already in use (another process
 * holds it: pid 812 dnsmasq)"). Linux only: the kernel's socket tables in {@code /proc/net} give the
 * sockets on the port (inode and owner uid), {@code /proc/<pid>/fd} the processes that have them
 * open. Processes of other users are only visible to root; then the owner uid is named instead.
 */
public final class PortHolders {
    private static final String LISTEN = "0A";

    private PortHolders() {}

    /**
     * Names who holds {@code at} (its port on its address or the wildcard) for {@code protocol}
     * ("udp" or "tcp"): "another process holds
     * it: pid 812 dnsmasq", "this process holds it (pid 42)", "a socket of uid 101 holds it", or
     * "another process holds it" when nothing more can be found out.
     */
    public static String describe(String protocol, InetSocketAddress at) {
        Path proc = Path.of("/proc");
        Set<Long> inodes = new LinkedHashSet<>();
        Set<Integer> uids = new LinkedHashSet<>();
        for (String table : List.of(protocol, protocol + "6")) {
            collect(proc.resolve("net").resolve(table), protocol.equals("tcp"), at, inodes, uids);
        }
        if (inodes.isEmpty()) {
            return "another process holds it";
        }
        long self = ProcessHandle.current().pid();
        List<String> holders = new ArrayList<>();
        boolean mine = false;
        for (long pid : pidsWith(proc, inodes)) {
            if (pid == self) {
                mine = true;
            } else {
                holders.add("pid " + pid + " " + command(proc, pid));
            }
        }
        if (!holders.isEmpty()) {
            return "another process holds it: " + String.join(", ", holders);
        }
        if (mine) {
            return "this process holds it (pid " + self + ")";
        }
        return uids.size() == 1 ? "a socket of uid " + uids.iterator().next() + " holds it" : "another process holds it";
    }

    /** Inodes and owner uids of the sockets on {@code at} in one /proc/net table (TCP: listeners and bound ones). */
    private static void collect(Path table, boolean tcp, InetSocketAddress at, Set<Long> inodes, Set<Integer> uids) {
        List<String> lines;
        try {
            lines = Files.readAllLines(table);
        } catch (IOException | SecurityException e) {
            return;
        }
        String suffix = String.format(Locale.ROOT, ":%04X", at.getPort());
        byte[] want = at.getAddress() == null ? null : v4Mapped(at.getAddress().getAddress());
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
            String[] f = line.trim().split("\\s+");
            if (f.length < 10 || !f[1].endsWith(suffix) || !overlaps(want, f[1].substring(0, f[1].indexOf(':')))) {
                continue;
            }
            // A TCP connection from this port (a client's ephemeral port) holds no listen address.
            if (tcp && !f[3].equals(LISTEN) && !f[2].endsWith(":0000")) {
                continue;
            }
            try {
                long inode = Long.parseLong(f[9]);
                if (inode != 0) {
                    inodes.add(inode);
                    uids.add(Integer.parseInt(f[7]));
                }
            } catch (NumberFormatException e) {
                // not a socket line
            }
        }
    }

    /**
     * Whether a socket bound to {@code hex} (the kernel's notation: 32-bit words in host order, so
     * little-endian here) would collide with one on {@code want}: the same address, or a wildcard.
     */
    private static boolean overlaps(byte[] want, String hex) {
        byte[] held = new byte[hex.length() / 2];
        for (int w = 0; w < held.length; w += 4) {
            for (int b = 0; b < 4; b++) {
                int at = (w + 3 - b) * 2;
                held[w + b] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
            }
        }
        held = v4Mapped(held);
        return want == null || java.util.Arrays.equals(held, want) || wildcard(held) || wildcard(want);
    }

    /** IPv4 as IPv4-mapped IPv6 (a dual-stack socket on ::ffff:127.0.0.1 holds 127.0.0.1). */
    private static byte[] v4Mapped(byte[] a) {
        if (a.length != 4) {
            return a;
        }
        byte[] m = new byte[16];
        m[10] = (byte) 0xff;
        m[11] = (byte) 0xff;
        System.arraycopy(a, 0, m, 12, 4);
        return m;
    }

    private static boolean wildcard(byte[] a) {
        byte[] v4Any = v4Mapped(new byte[4]);
        return java.util.Arrays.equals(a, new byte[16]) || java.util.Arrays.equals(a, v4Any);
    }

    /** The processes with one of {@code inodes} open (those whose fds this process may read). */
    private static Set<Long> pidsWith(Path proc, Set<Long> inodes) {
        Set<String> links = new HashSet<>();
        for (long inode : inodes) {
            links.add("socket:[" + inode + "]");
        }
        Set<Long> pids = new LinkedHashSet<>();
        try (DirectoryStream<Path> all = Files.newDirectoryStream(proc, p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path dir : all) {
                if (holdsAny(dir.resolve("fd"), links)) {
                    pids.add(Long.parseLong(dir.getFileName().toString()));
                }
            }
        } catch (IOException | SecurityException | java.io.UncheckedIOException e) {
            // what was found so far
        }
        return pids;
    }

    private static boolean holdsAny(Path fds, Set<String> links) {
        try (Stream<Path> s = Files.list(fds)) {
            return s.anyMatch(fd -> {
                try {
                    return links.contains(Files.readSymbolicLink(fd).toString());
                } catch (IOException | SecurityException e) {
                    return false;
                }
            });
        } catch (IOException | SecurityException | java.io.UncheckedIOException e) {
            return false; // another user's process, or it exited
        }
    }

    private static String command(Path proc, long pid) {
        try {
            return Files.readString(proc.resolve(Long.toString(pid)).resolve("comm")).trim();
        } catch (IOException | SecurityException e) {
            return "";
        }
    }

    /** "127.0.0.1:53/udp" ({@code [::1]:53/udp} for IPv6). */
    public static String socketName(InetSocketAddress at, String protocol) {
        String host = at.getAddress() == null ? at.getHostString() : IpAddresses.format(at.getAddress());
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + at.getPort() + "/" + protocol;
    }

    /** Whether {@code e} (or a cause) is the kernel's EADDRINUSE, as the JDK or Netty's native transport word it. */
    public static boolean addressInUse(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && m.toLowerCase(Locale.ROOT).contains("address already in use")) {
                return true;
            }
        }
        return false;
    }
}
