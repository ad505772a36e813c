package dev.clusterdns.env.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes what Service names, ConfigMaps and pod specs put into env files: any names and values
 * through every format. A shell file sourced by bash gives back exactly the values and defines
 * nothing else; a dotenv or docker file has one line per variable (no value can start another); JSON
 * parses back to the same map; what a format cannot carry is refused with an
 * IllegalArgumentException, never written wrong.
 *
 * <p>`mvn verify` replays the seeds in `EnvFormatFuzzTestInputs/`; `JAZZER_FUZZ=1` fuzzes (see the
 * root README).
 */
class EnvFormatFuzzTest {
    private static final Pattern SHELL_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final boolean BASH = Files.isExecutable(Path.of("/bin/bash"));

    /** Found by this target: a name with a line break (or `=`) started another variable in dotenv and docker files. */
    @Test
    void aNameThatWouldStartAnotherLineIsLeftOutWithAWarning() {
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("OK", "1");
        vars.put("X\nINJECTED", "2");
        vars.put("A=B", "3");
        vars.put("#C", "4");
        for (EnvFormat f : List.of(EnvFormat.DOTENV, EnvFormat.DOCKER)) {
            List<String> warnings = new ArrayList<>();
            String out = f.render(vars, warnings::add);
            assertEquals(f == EnvFormat.DOTENV ? "OK='1'\n" : "OK=1\n", out);
            assertEquals(3, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).startsWith("skipped X?INJECTED: not a name"), warnings.toString());
        }
    }

    @FuzzTest(maxDuration = "10m")
    void render(FuzzedDataProvider data) throws Exception {
        Map<String, String> vars = new LinkedHashMap<>();
        int n = data.consumeInt(0, 6);
        for (int i = 0; i < n; i++) {
            // A common prefix keeps fuzzed names off bash's own (PATH, IFS, readonly UID...).
            String name = "CDNS_" + data.consumeString(12);
            String value = data.consumeString(200);
            if (!StandardCharsets.UTF_8.newEncoder().canEncode(name + value)) {
                return; // no process environment carries a lone surrogate
            }
            vars.put(name, value);
        }
        boolean nul = vars.values().stream().anyMatch(v -> v.indexOf('\0') >= 0);

        String json = EnvFormat.JSON.render(vars, w -> {});
        assertEquals(vars, JSON.readValue(json, new TypeReference<Map<String, String>>() {}));

        for (EnvFormat f : List.of(EnvFormat.DOTENV, EnvFormat.DOCKER, EnvFormat.SHELL)) {
            List<String> warnings = new ArrayList<>();
            String out;
            try {
                out = f.render(vars, warnings::add);
            } catch (IllegalArgumentException refused) {
                boolean lineBreak = vars.values().stream().anyMatch(v -> v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0);
                assertTrue(nul || f == EnvFormat.DOCKER && lineBreak, f + " refused " + vars + ": " + refused.getMessage());
                continue;
            }
            if (f != EnvFormat.SHELL) {
                // Each variable is one NAME=value line, in order, or one warning; nothing else.
                assertEquals(-1, out.indexOf('\r'), f + ": no carriage return can end a line: " + out);
                List<String> lines = out.isEmpty() ? List.of() : Arrays.asList(out.substring(0, out.length() - 1).split("\n", -1));
                assertEquals(vars.size() - warnings.size(), lines.size(), f + ": one line per variable written: " + out);
                List<String> names = new ArrayList<>(vars.keySet());
                int next = 0;
                for (String line : lines) {
                    String name = line.substring(0, Math.max(0, line.indexOf('=')));
                    while (next < names.size() && !names.get(next).equals(name)) {
                        next++;
                    }
                    assertTrue(next < names.size(), f + ": line " + line + " names a variable given, in order");
                    next++;
                }
            } else if (BASH) {
                long written = vars.keySet().stream().filter(k -> SHELL_NAME.matcher(k).matches()).count();
                assertEquals(vars.size() - written, warnings.size(), "every variable left out is warned about");
                assertSourcedValues(vars, out);
            }
        }
    }

    /** Sources {@code file} in bash and checks every shell-named variable reads back exactly, and nothing more is exported. */
    private static void assertSourcedValues(Map<String, String> vars, String file) throws IOException, InterruptedException {
        List<String> names = vars.keySet().stream().filter(k -> SHELL_NAME.matcher(k).matches()).toList();
        Path f = Files.createTempFile("envfuzz", ".sh");
        try {
            Files.writeString(f, file, StandardCharsets.UTF_8);
            List<String> cmd = new ArrayList<>(List.of("/bin/bash", "--noprofile", "--norc", "-c",
                    "source \"$1\" || exit 3; shift; for n in \"$@\"; do printf '%s\\0' \"${!n}\"; done;"
                            + " printf '\\1'; compgen -A export CDNS_ | sort | tr '\\n' ' '",
                    "bash", f.toString()));
            cmd.addAll(names);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "bash finished");
            assertEquals(0, p.exitValue(), "bash sourced the file: " + err + "\n" + file);
            String text = new String(out, StandardCharsets.UTF_8);
            int sep = text.lastIndexOf('\1');
            String[] values = text.substring(0, sep).split("\0", -1);
            assertEquals(names.size(), values.length - 1, text);
            for (int i = 0; i < names.size(); i++) {
                assertEquals(vars.get(names.get(i)), values[i], names.get(i) + " read back from\n" + file);
            }
            List<String> exported = Arrays.stream(text.substring(sep + 1).trim().split(" ")).filter(s -> !s.isEmpty()).toList();
            assertEquals(names.stream().sorted().toList(), exported, "nothing else is exported by\n" + file);
        } finally {
            Files.deleteIfExists(f);
        }
    }
}
