package dev.clusterdns.dns.file;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;
import org.xbill.DNS.Tokenizer;

/**
 * Checks a master file and every file it pulls in with `$INCLUDE` (RFC 1035 section 5.1) before
 * the zone parser opens any of them: each must be a regular file. Opening a FIFO blocks until a
 * writer comes and a device may never end, either of which would stall every later reload; an
 * include cycle would recurse without end. Paths resolve as the parser resolves them: absolute, or
 * relative to the directory of the file that names them.
 */
final class IncludedFiles {
    /** Deeper `$INCLUDE` nesting than this is refused (a cycle would never end). */
    static final int MAX_DEPTH = 8;

    private IncludedFiles() {}

    /**
     * Throws when {@code file} or anything it includes is not a regular file; the message names the
     * `$INCLUDE` line (`line N` of {@code file}, `path:N` deeper) and the offending file, not
     * {@code file} itself (the caller prefixes it).
     */
    static void check(Path file) throws IOException {
        check(file, "", 0);
    }

    private static void check(Path file, String where, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new IOException(where + "$INCLUDE nested deeper than " + MAX_DEPTH + " files (a cycle?); not loaded");
        }
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            throw new IOException(where + "cannot read (" + e + ")", e);
        }
        if (!attrs.isRegularFile()) {
            throw new IOException(where + "not a regular file (" + kind(file, attrs)
                    + "); only regular files are read as zone files, so that a reload cannot block on it");
        }
        int lineNumber = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            for (String line; (line = in.readLine()) != null; ) {
                lineNumber++;
                // A directive starts its line; the parser reads the name as one (possibly quoted) string.
                if (line.regionMatches(true, 0, "$INCLUDE", 0, 8)) {
                    Tokenizer t = new Tokenizer(line);
                    if (!t.getString().toUpperCase(Locale.ROOT).equals("$INCLUDE")) {
                        continue;
                    }
                    Tokenizer.Token name = t.get();
                    if (!name.isString()) {
                        continue; // the parser reports the missing name
                    }
                    Path included = Path.of(name.value());
                    if (!included.isAbsolute()) {
                        Path dir = file.getParent();
                        included = dir == null ? included : dir.resolve(included);
                    }
                    String at = (depth == 0 ? "line " + lineNumber : file + ":" + lineNumber) + ": $INCLUDE " + included + ": ";
                    check(included, where + at, depth + 1);
                }
            }
        }
    }

    private static String kind(Path file, BasicFileAttributes attrs) {
        if (attrs.isDirectory()) {
            return "a directory";
        }
        try {
            // The file type bits of st_mode, where the platform has the "unix" view (Linux, macOS).
            int type = (Integer) Files.getAttribute(file, "unix:mode") & 0170000;
            switch (type) {
                case 0010000: return "a FIFO (named pipe)";
                case 0140000: return "a socket";
                case 0020000: return "a character device";
                case 0060000: return "a block device";
                default: break;
            }
        } catch (IOException | RuntimeException e) {
            // no "unix" view: say less
        }
        return "a FIFO, socket or device";
    }
}
