package dev.clusterdns.tests.resolver;

import dev.clusterdns.tests.CommandResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A `dig` run and its parsed output: status, header flags and the answer, authority and additional
 * sections as whitespace-normalised lines.
 */
record Dig(String status, List<String> flags, List<String> answer, List<String> authority, List<String> additional, String raw) {

    static boolean installed() {
        return CommandResult.onPath("dig");
    }

    /**
     * Skips the calling test when `serve` does not answer DNS at all (a build without the DNS
     * transport); any reply, even REFUSED, means the transport works and the test runs.
     */
    static void assumeAnswering(int port) {
        Dig probe = query(port, "example.net", "SOA", "+time=2", "+tries=2");
        org.junit.jupiter.api.Assumptions.assumeTrue(!probe.status().isEmpty(),
                "clusterdns serve does not answer DNS on port " + port + " (no DNS transport in this build): " + probe.raw());
    }

    static Dig query(int port, String name, String type, String... options) {
        List<String> cmd = new ArrayList<>(List.of("dig", "@127.0.0.1", "-p", String.valueOf(port), name, type,
                "+tries=1", "+time=5"));
        cmd.addAll(List.of(options));
        CommandResult r = CommandResult.run(cmd, Path.of("."));
        return parse(r.stdout());
    }

    static Dig parse(String out) {
        String status = "";
        List<String> flags = List.of();
        List<String> answer = new ArrayList<>();
        List<String> authority = new ArrayList<>();
        List<String> additional = new ArrayList<>();
        List<String> current = null;
        for (String line : out.split("\n")) {
            if (line.contains("->>HEADER<<-")) {
                int s = line.indexOf("status: ");
                status = line.substring(s + 8, line.indexOf(',', s));
            } else if (line.startsWith(";; flags:")) {
                flags = List.of(line.substring(9, line.indexOf(';', 9)).trim().split(" "));
            } else if (line.startsWith(";; ANSWER SECTION:")) {
                current = answer;
            } else if (line.startsWith(";; AUTHORITY SECTION:")) {
                current = authority;
            } else if (line.startsWith(";; ADDITIONAL SECTION:")) {
                current = additional;
            } else if (line.isBlank() || line.startsWith(";")) {
                current = line.isBlank() ? null : current;
            } else if (current != null) {
                current.add(String.join(" ", line.trim().split("\\s+")).toLowerCase());
            }
        }
        return new Dig(status, flags, answer, authority, additional, out);
    }

    boolean aa() {
        return flags.contains("aa");
    }

    /** Answer lines without the TTL field (for comparing answers seen through a cache). */
    List<String> answerWithoutTtl() {
        List<String> out = new ArrayList<>();
        for (String l : answer) {
            String[] f = l.split(" ", 3);
            out.add(f[0] + " " + (f.length > 2 ? f[2] : ""));
        }
        return out;
    }

    /** TTL of the first answer record. */
    long firstTtl() {
        return Long.parseLong(answer.get(0).split(" ")[1]);
    }
}
