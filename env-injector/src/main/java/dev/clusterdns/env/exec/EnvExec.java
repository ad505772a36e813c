package dev.clusterdns.env.exec;

import dev.clusterdns.env.format.EnvFormat;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sun.misc.Signal;

/**
 * Runs a command with extra environment variables, as `clusterdns env exec` does: the child shares
 * our stdin/stdout/stderr, SIGTERM, SIGINT and SIGHUP sent to us are passed on to it, and its exit
 * status becomes ours (128 + N when a signal N killed it, as shells report).
 *
 * <p>Java has no execve, so the JVM stays as a parent that forwards signals. The JVM encodes the
 * environment it hands a child in the locale's charset; under a non-UTF-8 locale (e.g. `LANG`
 * unset) that would turn non-ASCII values into `?`, so such values travel through a private
 * UTF-8 file that `/bin/sh` sources before it `exec`s the command (same process, same pid).
 */
public final class EnvExec {
    /** Exit status when the command cannot be found, as shells and env(1) report it. */
    public static final int NOT_FOUND = 127;
    /** Exit status when the command exists but cannot be run. */
    public static final int NOT_EXECUTABLE = 126;
    private static final List<String> FORWARDED = List.of("TERM", "INT", "HUP");
    private static final java.util.regex.Pattern SHELL_NAME = java.util.regex.Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private EnvExec() {}

    /**
     * Runs {@code command} with our environment plus {@code variables} and waits for it.
     *
     * @throws IOException when the command cannot be started (message says why; see {@link #statusFor})
     */
    public static int run(List<String> command, Map<String, String> variables) throws IOException, InterruptedException {
        Map<String, String> direct = new LinkedHashMap<>();
        Map<String, String> sourced = new LinkedHashMap<>();
        boolean utf8 = jnuIsUtf8();
        // Names a shell cannot assign stay direct (they are ASCII by validation; only their value may suffer).
        variables.forEach((k, v) -> (utf8 || isAscii(v) || !SHELL_NAME.matcher(k).matches() ? direct : sourced).put(k, v));

        List<String> argv = new ArrayList<>();
        Path file = null;
        if (!sourced.isEmpty()) {
            file = Files.createTempFile("clusterdns-env", ".sh",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(file, EnvFormat.SHELL.render(sourced, w -> { }).getBytes(StandardCharsets.UTF_8));
            argv.addAll(List.of("/bin/sh", "-c", ". \"$0\" && rm -f \"$0\" && exec \"$@\"", file.toString()));
        }
        argv.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(argv).inheritIO();
        pb.environment().putAll(direct);
        // Handlers go in before the child starts: a signal that arrives while it starts is held and
        // delivered right after, never left to the JVM (which would exit and orphan the child).
        SignalRelay relay = new SignalRelay();
        List<Signal> installed = new ArrayList<>();
        List<sun.misc.SignalHandler> previous = new ArrayList<>();
        try {
            for (String name : FORWARDED) {
                Signal sig = new Signal(name);
                previous.add(Signal.handle(sig, s -> relay.signal(name)));
                installed.add(sig);
            }
            Process child = pb.start();
            relay.started(child);
            return child.waitFor();
        } finally {
            for (int i = 0; i < installed.size(); i++) {
                Signal.handle(installed.get(i), previous.get(i));
            }
            if (file != null) {
                Files.deleteIfExists(file);
            }
        }
    }

    /** Passes signals to the child once it exists; holds those that come before. */
    private static final class SignalRelay {
        private Process child;
        private final List<String> early = new ArrayList<>();

        synchronized void signal(String name) {
            if (child == null) {
                early.add(name);
            } else {
                forward(child, name);
            }
        }

        synchronized void started(Process process) {
            child = process;
            early.forEach(name -> forward(process, name));
            early.clear();
        }
    }

    /** The exit status for a command that could not be started: 127 not found, 126 otherwise. */
    public static int statusFor(IOException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("error=2,") || m.contains("No such file") ? NOT_FOUND : NOT_EXECUTABLE;
    }

    private static void forward(Process child, String signal) {
        if (!child.isAlive()) {
            return;
        }
        if ("TERM".equals(signal)) {
            child.destroy(); // SIGTERM on every Unix JDK
            return;
        }
        // Java can only send SIGTERM and SIGKILL itself; kill(1) sends the rest.
        try {
            new ProcessBuilder("kill", "-s", signal, Long.toString(child.pid())).inheritIO().start().waitFor();
        } catch (IOException e) {
            System.err.println("clusterdns env exec: cannot forward SIG" + signal + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean jnuIsUtf8() {
        String enc = System.getProperty("sun.jnu.encoding");
        try {
            return enc != null && Charset.forName(enc).equals(StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x7f) {
                return false;
            }
        }
        return true;
    }
}
