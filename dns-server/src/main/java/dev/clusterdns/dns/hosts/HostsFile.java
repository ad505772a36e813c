package dev.clusterdns.dns.hosts;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.xbill.DNS.Name;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.TextParseException;

/**
 * A parsed /etc/hosts-format file: `ADDRESS NAME [ALIAS...]` lines, `#` comments. Immutable.
 *
 * @param forward name → addresses in file order
 * @param reverse reverse name (in-addr.arpa/ip6.arpa) → names in file order
 */
public record HostsFile(Map<Name, List<InetAddress>> forward, Map<Name, List<Name>> reverse) {

    public static final HostsFile EMPTY = new HostsFile(Map.of(), Map.of());

    public static HostsFile read(Path file) throws IOException {
        return parse(Files.readAllLines(file), file.toString());
    }

    /** Parses the lines; a bad line fails with `file:line: reason`. */
    public static HostsFile parse(List<String> lines, String source) {
        Map<Name, List<InetAddress>> fwd = new LinkedHashMap<>();
        Map<Name, List<Name>> rev = new LinkedHashMap<>();
        int n = 0;
        for (String raw : lines) {
            n++;
            int hash = raw.indexOf('#');
            String line = (hash >= 0 ? raw.substring(0, hash) : raw).strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\\s+");
            if (f.length < 2) {
                throw new IllegalArgumentException(source + ":" + n + ": expected 'ADDRESS NAME [ALIAS...]', got '" + raw.strip() + "'");
            }
            InetAddress addr = address(f[0], source, n);
            Name reverseName = ReverseMap.fromAddress(addr);
            for (int i = 1; i < f.length; i++) {
                Name name;
                try {
                    name = Name.fromString(f[i].endsWith(".") ? f[i] : f[i] + ".");
                } catch (TextParseException e) {
                    throw new IllegalArgumentException(source + ":" + n + ": bad host name '" + f[i] + "': " + e.getMessage());
                }
                List<InetAddress> addrs = fwd.computeIfAbsent(name, k -> new ArrayList<>());
                if (!addrs.contains(addr)) {
                    addrs.add(addr);
                }
                List<Name> names = rev.computeIfAbsent(reverseName, k -> new ArrayList<>());
                if (!names.contains(name)) {
                    names.add(name);
                }
            }
        }
        Map<Name, List<InetAddress>> f = new HashMap<>();
        fwd.forEach((k, v) -> f.put(k, List.copyOf(v)));
        Map<Name, List<Name>> r = new HashMap<>();
        rev.forEach((k, v) -> r.put(k, List.copyOf(v)));
        return new HostsFile(Map.copyOf(f), Map.copyOf(r));
    }

    private static InetAddress address(String text, String source, int line) {
        String t = text.contains("%") ? text.substring(0, text.indexOf('%')) : text;
        if (!t.matches("[0-9a-fA-F:.]+")) {
            throw new IllegalArgumentException(source + ":" + line + ": '" + text + "' is not an IP address");
        }
        try {
            return InetAddress.getByName(t);
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ":" + line + ": '" + text + "' is not an IP address");
        }
    }
}
