package dev.clusterdns.agent.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The format checks accept exactly what apimachinery's regexes and length limits accept (the checks
 * take a hand-written path for valid names; the regexes only word the errors). Compared on random
 * strings near the boundaries: short, from an alphabet of the characters the formats treat apart.
 */
class FormatsTest {
    private static final String ALPHABET = "ab9Z-_./ é";
    private static final String LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private static final String SUBDOMAIN = LABEL + "(\\." + LABEL + ")*";
    private static final String NAME = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";

    private static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static boolean subdomain(String s) {
        return bytes(s) <= 253 && s.matches(SUBDOMAIN);
    }

    private static boolean qualifiedName(String s) {
        String[] parts = s.split("/", -1);
        String name = parts[parts.length - 1];
        boolean prefixOk = parts.length == 1 || (parts.length == 2 && subdomain(parts[0]));
        return prefixOk && bytes(name) <= 63 && name.matches(NAME);
    }

    private static boolean portName(String s) {
        return bytes(s) <= 15 && s.matches("[-a-z0-9]+") && s.matches(".*[a-z].*") && !s.contains("--")
                && !s.startsWith("-") && !s.endsWith("-");
    }

    @Test
    void acceptExactlyWhatTheRegexesAndLimitsAccept() {
        check(Formats::dns1123Label, s -> bytes(s) <= 63 && s.matches(LABEL));
        check(Formats::dns1123Subdomain, FormatsTest::subdomain);
        check(Formats::dns1035Label, s -> bytes(s) <= 63 && s.matches("[a-z]([-a-z0-9]*[a-z0-9])?"));
        check(Formats::qualifiedName, FormatsTest::qualifiedName);
        check(Formats::labelValue, s -> bytes(s) <= 63 && (s.isEmpty() || s.matches(NAME)));
        check(Formats::portName, FormatsTest::portName);
    }

    @Test
    void lengthLimitsAtTheirEdges() {
        assertEquals(List.of(), Formats.dns1123Label("a".repeat(63)));
        assertEquals(List.of("must be no more than 63 characters"), Formats.dns1123Label("a".repeat(64)));
        assertEquals(List.of(), Formats.dns1123Subdomain(("a".repeat(62) + ".").repeat(4) + "a"));
        assertEquals(List.of("must be no more than 253 characters"),
                Formats.dns1123Subdomain(("a".repeat(62) + ".").repeat(4) + "ab"));
        assertEquals(List.of(), Formats.qualifiedName("a".repeat(253) + "/" + "B".repeat(63)));
        assertEquals(List.of("prefix part must be no more than 253 characters"),
                Formats.qualifiedName("a".repeat(254) + "/b"));
        assertEquals(List.of(), Formats.portName("a".repeat(15)));
        assertEquals(List.of("must be no more than 15 characters"), Formats.portName("a".repeat(16)));
    }

    private static void check(Function<String, List<String>> format, Predicate<String> accepts) {
        Random random = new Random(9);
        for (int i = 0; i < 50_000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = random.nextInt(8);
            for (int k = 0; k < n; k++) {
                sb.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
            String s = sb.toString();
            assertEquals(accepts.test(s), format.apply(s).isEmpty(), () -> "\"" + s + "\": " + format.apply(s));
        }
    }
}
