package dev.clusterdns.tests.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clusterdns.tests.CommandResult;
import dev.clusterdns.tests.ServeProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** Shared pieces of the env end-to-end tests: the test manifests, running the CLI, real shells. */
final class EnvFixtures {
    /** What a shell sets by itself; not part of what a sourced file defines. */
    private static final List<String> SHELL_OWN = List.of("PWD", "OLDPWD", "SHLVL", "_", "PATH");

    private EnvFixtures() {}

    static Path resource(String name) {
        return ServeProcess.root().resolve("tests/src/test/resources/env").resolve(name);
    }

    static Path manifests() {
        return resource("cluster.yaml");
    }

    /** `clusterdns ARGS…` with `--manifests` pointing at the test cluster. */
    static CommandResult clusterdns(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        int insert = all.indexOf("--") >= 0 ? all.indexOf("--") : all.size();
        all.addAll(insert, List.of("--manifests", manifests().toString()));
        return ServeProcess.run(all.toArray(String[]::new));
    }

    static CommandResult ok(CommandResult r) {
        assertEquals(0, r.exitCode(), "stderr: " + r.stderr() + "\nstdout: " + r.stdout());
        return r;
    }

    static Map<String, String> json(String text) {
        try {
            return new ObjectMapper().readValue(text, new TypeReference<LinkedHashMap<String, String>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What a real shell has in its environment after sourcing {@code file}, minus what the shell
     * sets by itself. Starts from an empty environment so nothing leaks in from the test runner.
     */
    static Map<String, String> sourcedIn(String shell, Path file) {
        Map<String, String> env = run(List.of("env", "-i", "PATH=/usr/local/bin:/usr/bin:/bin", shell, "-c",
                "set -a; . \"$1\"; set +a; env -0", shell, file.toString()));
        SHELL_OWN.forEach(env::remove);
        return env;
    }

    /** Runs a command and parses its `env -0` style stdout. */
    static Map<String, String> run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "did not finish: " + command);
            assertEquals(0, p.exitValue(), command + ": " + err);
            return parseEnv0(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Map<String, String> parseEnv0(byte[] out) {
        Map<String, String> env = new TreeMap<>();
        for (String entry : new String(out, StandardCharsets.UTF_8).split("\0")) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                env.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        return env;
    }

    static Path write(String content) {
        try {
            Path f = Files.createTempFile("clusterdns-env", ".txt");
            Files.writeString(f, content, StandardCharsets.UTF_8);
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean hasShells() {
        return Arrays.stream(new String[] {"bash", "sh", "env"}).allMatch(CommandResult::onPath);
    }
}
