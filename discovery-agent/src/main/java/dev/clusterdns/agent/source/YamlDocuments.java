package dev.clusterdns.agent.source;

import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The documents of a YAML stream, found by their `---` lines without parsing, so that an edit to one
 * document of a large file re-parses only that document. A line that is `---` at column 0 (with
 * nothing after it but spaces or a comment) always separates documents (YAML 1.2, section 9.1: the
 * marker may not occur inside content); anything the split does not model exactly (directives, `...`
 * end markers, `---` with content on its line, a byte-order mark) makes it decline, and the file is
 * parsed whole.
 *
 * <p>Documents are numbered as the parser numbers them: text before the first `---` is a document
 * only when it holds more than blanks and comments; every `---` starts one, even an empty one.
 */
final class YamlDocuments {
    private YamlDocuments() {}

    /**
     * The [start, end) byte offsets of each document, as pairs, or null when the split cannot be
     * trusted for this text.
     */
    static int[] split(byte[] text) {
        return split(text, text.length);
    }

    /** As {@link #split(byte[])} for the first {@code length} bytes of {@code buffer}. */
    static int[] split(byte[] buffer, int length) {
        byte[] text = buffer;
        if (length >= 3 && (text[0] & 0xff) == 0xef && (text[1] & 0xff) == 0xbb && (text[2] & 0xff) == 0xbf) {
            return null;
        }
        int[] out = new int[16];
        int n = 0;
        int start = 0;
        boolean leading = true;
        for (int line = 0; line < length; ) {
            int end = line;
            while (end < length && text[end] != '\n') {
                end++;
            }
            byte first = text[line];
            if (first == '%' || startsWith(text, line, end, "...")) {
                return null;
            }
            if (startsWith(text, line, end, "---")) {
                if (!onlySpaceOrComment(text, line + 3, end)) {
                    return null;
                }
                if (!leading || !blank(text, start, line)) {
                    out = grow(out, n);
                    out[n++] = start;
                    out[n++] = line;
                }
                leading = false;
                start = Math.min(end + 1, length);
            }
            line = end + 1;
        }
        if (!leading || !blank(text, start, length) || n == 0) {
            out = grow(out, n);
            out[n++] = start;
            out[n++] = length;
        }
        return Arrays.copyOf(out, n);
    }

    /** A 64-bit digest of one document: CRC-32C and a polynomial hash of its bytes. */
    static long digest(byte[] text, int start, int end) {
        CRC32C crc = new CRC32C();
        crc.update(text, start, end - start);
        int h = end - start;
        for (int i = start; i < end; i++) {
            h = 31 * h + text[i];
        }
        return crc.getValue() << 32 | (h & 0xffffffffL);
    }

    private static int[] grow(int[] a, int n) {
        return n + 2 <= a.length ? a : Arrays.copyOf(a, a.length * 2);
    }

    private static boolean startsWith(byte[] text, int from, int end, String prefix) {
        if (end - from < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (text[from + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean onlySpaceOrComment(byte[] text, int from, int end) {
        if (from < end && text[from] != ' ' && text[from] != '\t' && text[from] != '\r') {
            return false; // `---x` is content, not a marker
        }
        for (int i = from; i < end; i++) {
            byte b = text[i];
            if (b == '#') {
                return true;
            }
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    /** Only blank lines and comments. */
    private static boolean blank(byte[] text, int start, int end) {
        boolean comment = false;
        for (int i = start; i < end; i++) {
            byte b = text[i];
            if (b == '\n') {
                comment = false;
            } else if (b == '#') {
                comment = true;
            } else if (!comment && b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }
}
