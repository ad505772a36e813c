package dev.clusterdns.dns.forward;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The parts of a resolv.conf the server uses: nameservers (default upstreams) and search domains (autopath). */
public record HostResolvConf(List<String> nameservers, List<String> search) {

    public HostResolvConf {
        nameservers = List.copyOf(nameservers);
        search = List.copyOf(search);
    }

    /** Reads the file; a missing or unreadable file gives an empty configuration. */
    public static HostResolvConf read(Path file) {
        try {
            return parse(Files.readAllLines(file));
        } catch (IOException e) {
            return new HostResolvConf(List.of(), List.of());
        }
    }

    public static HostResolvConf parse(List<String> lines) {
        List<String> servers = new ArrayList<>();
        List<String> search = new ArrayList<>();
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            String[] f = line.split("\\s+");
            if (f[0].equals("nameserver") && f.length > 1) {
                // Drop an IPv6 zone index (fe80::1%eth0): not routable from here.
                servers.add(f[1].contains("%") ? f[1].substring(0, f[1].indexOf('%')) : f[1]);
            } else if ((f[0].equals("search") || f[0].equals("domain")) && f.length > 1) {
                // The last search/domain line wins (glibc).
                search.clear();
                for (int i = 1; i < f.length; i++) {
                    search.add(f[i]);
                }
            }
        }
        return new HostResolvConf(servers, search);
    }
}
