package dev.clusterdns.env.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class EnvFormatTest {

    /** Values a naive writer gets wrong. */
    static Map<String, String> tricky() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("PLAIN", "10.96.0.1");
        m.put("SINGLE", "it's 'quoted'");
        m.put("DOUBLE", "say \"hi\"");
        m.put("DOLLAR", "$HOME ${HOME} $(id) $$ $");
        m.put("BACKTICK", "`id`");
        m.put("BACKSLASH", "C:\\path\\n\\\\ end\\");
        m.put("NEWLINE", "line1\nline2\n");
        m.put("CRLF", "a\r\nb");
        m.put("TAB", "a\tb");
        m.put("UNICODE", "héllo ✓ 𝄞 日本");
        m.put("EMPTY", "");
        m.put("SPACES", "  lead and trail  ");
        m.put("GLOB", "* ? [a] ~ !x #not-a-comment ;&|<>");
        m.put("ESCAPED_QUOTE", "'\\''");
        return m;
    }

    @Test
    void shellFileSourcesToTheSameValuesInBash() throws Exception {
        assertSourcedEquals("bash", tricky());
    }

    @Test
    void shellFileSourcesToTheSameValuesInSh() throws Exception {
        assertSourcedEquals("sh", tricky());
    }

    private void assertSourcedEquals(String shell, Map<String, String> expected) throws Exception {
        Assumptions.assumeTrue(onPath(shell), shell + " is not installed");
        Path f = Files.createTempFile("env", ".sh");
        try {
            Files.writeString(f, EnvFormat.SHELL.render(expected, w -> { }), StandardCharsets.UTF_8);
            // No `set -a`: the file exports by itself, so a plain `. file` is enough.
            Map<String, String> got = run(List.of(shell, "-c", ". \"$1\"; env -0", shell, f.toString()));
            for (Map.Entry<String, String> e : expected.entrySet()) {
                assertEquals(e.getValue(), got.get(e.getKey()), shell + ": " + e.getKey());
            }
        } finally {
            Files.deleteIfExists(f);
        }
    }

    static Map<String, String> run(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/local/bin:/usr/bin:/bin");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "shell did not finish");
        assertEquals(0, p.exitValue(), err);
        Map<String, String> env = new HashMap<>();
        for (String entry : new String(out, StandardCharsets.UTF_8).split("\0")) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                env.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        return env;
    }

    static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void shellLinesAreExportsInSingleQuotes() {
        assertEquals("export A='x'\\''y'\nexport B=''\n",
                EnvFormat.SHELL.render(map("A", "x'y", "B", ""), w -> { }));
    }

    @Test
    void shellSkipsNamesAShellCannotAssignWithAWarning() {
        List<String> warnings = new ArrayList<>();
        String out = EnvFormat.SHELL.render(map("ok.key", "1", "OK", "2"), warnings::add);
        assertEquals("export OK='2'\n", out);
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("ok.key"), warnings.toString());
    }

    @Test
    void jsonIsOneObjectOfNameToValue() throws Exception {
        String json = EnvFormat.JSON.render(tricky(), w -> { });
        Map<String, String> back = new ObjectMapper().readValue(json, new TypeReference<LinkedHashMap<String, String>>() { });
        assertEquals(tricky(), back);
        assertEquals(new ArrayList<>(tricky().keySet()), new ArrayList<>(back.keySet()));
    }

    @Test
    void dockerWritesRawLinesAndRefusesLineBreaks() {
        assertEquals("A=it's \"x\" $HOME \\n\nB=\n", EnvFormat.DOCKER.render(map("A", "it's \"x\" $HOME \\n", "B", ""), w -> { }));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EnvFormat.DOCKER.render(map("OK", "1", "MULTI", "a\nb"), w -> { }));
        assertTrue(e.getMessage().contains("MULTI") && e.getMessage().contains("line break"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EnvFormat.DOCKER.render(map("CR", "a\rb"), w -> { }));
    }

    @Test
    void dotenvQuotesSinglyUnlessItCannot() {
        assertEquals("A='plain $HOME \\ \"x\"'\n", EnvFormat.DOTENV.render(map("A", "plain $HOME \\ \"x\""), w -> { }));
        assertEquals("B=\"it's a \\\"b\\\"\\\\c\\nd\\te\"\n", EnvFormat.DOTENV.render(map("B", "it's a \"b\"\\c\nd\te"), w -> { }));
        assertEquals("C=''\n", EnvFormat.DOTENV.render(map("C", ""), w -> { }));
    }

    @Test
    void nulCannotBeInAnEnvironment() {
        for (EnvFormat f : List.of(EnvFormat.SHELL, EnvFormat.DOTENV, EnvFormat.DOCKER)) {
            assertThrows(IllegalArgumentException.class, () -> f.render(map("N", "a\0b"), w -> { }), f.name());
        }
    }

    @Test
    void formatsParseByName() {
        assertEquals(EnvFormat.DOTENV, EnvFormat.parse("dotenv"));
        assertEquals(EnvFormat.SHELL, EnvFormat.parse("SHELL"));
        assertThrows(IllegalArgumentException.class, () -> EnvFormat.parse("yaml"));
    }

    private static Map<String, String> map(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }
}
