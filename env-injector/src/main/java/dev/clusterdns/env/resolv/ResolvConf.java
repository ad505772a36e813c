package dev.clusterdns.env.resolv;

import java.util.ArrayList;
import java.util.List;

/**
 * The three things kubelet keeps from a resolv.conf, and the file as container runtimes write it:
 * `search` (one line, if any), one `nameserver` line each, `options` (one line, if any).
 */
public record ResolvConf(List<String> searches, List<String> nameservers, List<String> options) {

    public ResolvConf {
        searches = List.copyOf(searches);
        nameservers = List.copyOf(nameservers);
        options = List.copyOf(options);
    }

    public static ResolvConf empty() {
        return new ResolvConf(List.of(), List.of(), List.of());
    }

    /**
     * Parses a host resolv.conf as kubelet does: `#` lines skipped, `nameserver` lines accumulate
     * (second field only), the last `search` and the last `options` line win, one trailing dot is
     * dropped from each search entry, everything else (`domain`, `sortlist`, `;` lines) is ignored.
     *
     * @throws IllegalArgumentException on a bare `nameserver` line ("nameserver list is empty")
     */
    public static ResolvConf parse(String text) {
        List<String> nameservers = new ArrayList<>();
        List<String> searches = new ArrayList<>();
        List<String> options = new ArrayList<>();
        for (String raw : text.split("\n", -1)) {
            String line = raw.trim();
            if (line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\\s+");
            if (line.isEmpty() || fields.length == 0) {
                continue;
            }
            switch (fields[0]) {
                case "nameserver" -> {
                    if (fields.length < 2) {
                        throw new IllegalArgumentException("nameserver list is empty");
                    }
                    nameservers.add(fields[1]);
                }
                case "search" -> {
                    searches = new ArrayList<>();
                    for (int i = 1; i < fields.length; i++) {
                        String s = fields[i];
                        searches.add(s.length() > 1 && s.endsWith(".") ? s.substring(0, s.length() - 1) : s);
                    }
                }
                case "options" -> options = new ArrayList<>(List.of(fields).subList(1, fields.length));
                default -> {
                    // domain, sortlist and comments are not kubelet's business
                }
            }
        }
        return new ResolvConf(searches, nameservers, options);
    }

    /** The file: search, then nameservers, then options (the order containerd and CRI-O write). */
    public String render() {
        StringBuilder sb = new StringBuilder();
        if (!searches.isEmpty()) {
            sb.append("search ").append(String.join(" ", searches)).append('\n');
        }
        for (String ns : nameservers) {
            sb.append("nameserver ").append(ns).append('\n');
        }
        if (!options.isEmpty()) {
            sb.append("options ").append(String.join(" ", options)).append('\n');
        }
        return sb.toString();
    }
}
