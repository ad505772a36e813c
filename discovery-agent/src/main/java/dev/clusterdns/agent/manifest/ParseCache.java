package dev.clusterdns.agent.manifest;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.smile.SmileFactory;
import com.fasterxml.jackson.dataformat.smile.SmileGenerator;
import dev.clusterdns.agent.snapshot.Problem;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What each manifest file yielded the last time it was parsed, kept in the state dir so that a
 * restart does not run the YAML parser again for files that did not change: per file, its objects'
 * documents (already checked by strict decoding) and its problems, in Smile (Jackson's binary JSON).
 * A hit binds the stored documents to the model exactly as a parse binds them.
 *
 * <p>An entry is used only when its format, the build of clusterdns that wrote it, the file's path,
 * size, modification time and content digest all match; otherwise (and when it cannot be read: cut
 * short, corrupt; each entry ends with a CRC-32C of its bytes) the file is parsed and the entry
 * written again. Entries are written to a temporary
 * file and renamed, so a reader never sees half of one. Thread-safe: one file per entry.
 */
public final class ParseCache {
    private static final Logger LOG = LoggerFactory.getLogger(ParseCache.class);

    /** The directory under the state dir. */
    public static final String DIRECTORY = "parse-cache";
    /** Bumped when the entry layout changes (2: the objects before the problems). */
    private static final int FORMAT = 2;
    private static final String SUFFIX = ".smile";

    private final Path dir;
    private final ManifestReader reader;
    private final String build;
    private final SmileFactory smile;
    private final AtomicBoolean writeFailureLogged = new AtomicBoolean();
    private final java.util.concurrent.atomic.LongAdder hits = new java.util.concurrent.atomic.LongAdder();

    /** A cache in {@code stateDir}/parse-cache (created on the first write). */
    public ParseCache(Path stateDir, ManifestReader reader) {
        this.dir = stateDir.resolve(DIRECTORY);
        this.reader = reader;
        this.build = buildStamp();
        // Shared names and values: every Pod repeats the same keys and most of the same values.
        this.smile = SmileFactory.builder().enable(SmileGenerator.Feature.CHECK_SHARED_STRING_VALUES).build();
    }

    /**
     * The file's objects and problems: from its entry when the entry matches, else parsed from
     * {@code bytes} (and the entry written).
     *
     * @param digest a digest of {@code bytes} (the caller has one; collisions also need size and mtime to match)
     */
    public ManifestFile read(Path file, byte[] bytes, long modified, long digest) {
        Path entry = entryOf(file);
        ManifestFile cached = load(entry, file, bytes.length, modified, digest);
        if (cached != null) {
            hits.increment();
            return cached;
        }
        // The entry is encoded while the file parses, each object as it is bound, so that no
        // document's tree outlives its own parse.
        EntryWriter writer = new EntryWriter(file, bytes.length, modified, digest);
        ManifestFile parsed = reader.read(new ByteArrayInputStream(bytes), file.toString(), false, writer);
        if (!parsed.unreadable()) {
            try {
                store(entry, writer.finish(parsed.problems()));
            } catch (IOException e) {
                writeFailed(e);
            }
        }
        return parsed;
    }

    /** How many files were answered from their entries (not parsed). */
    public long hits() {
        return hits.sum();
    }

    /** Drops the entries of files that are not in {@code files} (deleted, or no longer under a root). */
    public void retain(Collection<Path> files) {
        Set<String> keep = new HashSet<>();
        files.forEach(f -> keep.add(entryOf(f).getFileName().toString()));
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path e : entries) {
                String name = e.getFileName().toString();
                if (!keep.contains(name)) {
                    Files.deleteIfExists(e);
                }
            }
        } catch (IOException e) {
            LOG.debug("parse cache: cannot prune {}: {}", dir, e.toString());
        }
    }

    /** Drops one file's entry. */
    public void forget(Path file) {
        try {
            Files.deleteIfExists(entryOf(file));
        } catch (IOException e) {
            LOG.debug("parse cache: cannot delete the entry of {}: {}", file, e.toString());
        }
    }

    Path entryOf(Path file) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(file.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8));
            return dir.resolve(HexFormat.of().formatHex(h, 0, 16) + SUFFIX);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }

    private ManifestFile load(Path entry, Path file, long size, long modified, long digest) {
        byte[] data;
        try {
            data = Files.readAllBytes(entry);
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            LOG.warn("parse cache: cannot read {} ({}); parsing {}", entry, e.toString(), file);
            return null;
        }
        int body = data.length - Integer.BYTES;
        try (JsonParser p = smile.createParser(data, 0, Math.max(body, 0))) {
            if (body < 0 || checksum(data, body) != ByteBuffer.wrap(data, body, Integer.BYTES).getInt()) {
                throw new IOException("checksum mismatch");
            }
            expect(p, JsonToken.START_OBJECT);
            if (intField(p, "format") != FORMAT || !textField(p, "build").equals(build)
                    || !textField(p, "path").equals(file.toString()) || longField(p, "size") != size
                    || longField(p, "modified") != modified || longField(p, "digest") != digest) {
                return null; // stale or written by another build: parsed again, and overwritten
            }
            field(p, "objects");
            expect(p, JsonToken.START_ARRAY);
            List<Manifest> manifests = new ArrayList<>();
            while (p.nextToken() == JsonToken.START_OBJECT) {
                String type = textField(p, "type");
                String origin = textField(p, "origin");
                field(p, "document");
                expect(p, JsonToken.START_OBJECT);
                manifests.add(new Manifest(reader.bind(p, type), origin));
                expectNext(p, JsonToken.END_OBJECT);
            }
            field(p, "problems");
            expect(p, JsonToken.START_ARRAY);
            List<Problem> problems = new ArrayList<>();
            while (p.nextToken() == JsonToken.START_OBJECT) {
                problems.add(new Problem(nullableText(p, "source"), nullableText(p, "object"), nullableText(p, "message")));
                expectNext(p, JsonToken.END_OBJECT);
            }
            expectNext(p, JsonToken.END_OBJECT);
            if (p.nextToken() != null) {
                throw new IOException("data after the entry");
            }
            return new ManifestFile(manifests, problems, false);
        } catch (IOException | RuntimeException e) {
            LOG.warn("parse cache: ignoring the unreadable entry {} ({}); parsing {}", entry, oneLine(e), file);
            return null;
        }
    }

    /**
     * An entry being encoded: the header when made, each object as the reader binds it, the problems
     * last. A failure to encode (never expected: the generator writes to memory) is kept until
     * {@link #finish}, and reported as a failed write.
     */
    private final class EntryWriter implements ManifestReader.BoundSink {
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(64 * 1024);
        private JsonGenerator g;
        private IOException failure;

        EntryWriter(Path file, long size, long modified, long digest) {
            try {
                g = smile.createGenerator(buffer);
                g.writeStartObject();
                g.writeNumberField("format", FORMAT);
                g.writeStringField("build", build);
                g.writeStringField("path", file.toString());
                g.writeNumberField("size", size);
                g.writeNumberField("modified", modified);
                g.writeNumberField("digest", digest);
                g.writeArrayFieldStart("objects");
            } catch (IOException | RuntimeException e) {
                failure = asIo(e);
            }
        }

        @Override
        public void bound(String typeKey, String origin, JsonNode document) {
            if (failure != null) {
                return;
            }
            try {
                g.writeStartObject();
                g.writeStringField("type", typeKey);
                g.writeStringField("origin", origin);
                g.writeFieldName("document");
                reader.write(g, document);
                g.writeEndObject();
            } catch (IOException | RuntimeException e) {
                failure = asIo(e);
            }
        }

        /** The entry's bytes, without the checksum. */
        byte[] finish(List<Problem> problems) throws IOException {
            if (failure != null) {
                throw failure;
            }
            try (JsonGenerator done = g) {
                done.writeEndArray();
                done.writeArrayFieldStart("problems");
                for (Problem pr : problems) {
                    done.writeStartObject();
                    done.writeStringField("source", pr.source());
                    done.writeStringField("object", pr.object());
                    done.writeStringField("message", pr.message());
                    done.writeEndObject();
                }
                done.writeEndArray();
                done.writeEndObject();
            } catch (RuntimeException e) {
                throw asIo(e);
            }
            return buffer.toByteArray();
        }
    }

    private static IOException asIo(Exception e) {
        return e instanceof IOException io ? io : new IOException(e.toString(), e);
    }

    /** Writes an entry's bytes, with their checksum, to a temporary file renamed over the entry. */
    private void store(Path entry, byte[] data) {
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, ".entry", ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                out.write(data);
                out.write(ByteBuffer.allocate(Integer.BYTES).putInt(checksum(data, data.length)).array());
            }
            try {
                Files.move(tmp, entry, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, entry, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException | RuntimeException e) {
            writeFailed(e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a stray temporary file: pruned with the next retain()
                }
            }
        }
    }

    private void writeFailed(Exception e) {
        if (writeFailureLogged.compareAndSet(false, true)) {
            LOG.warn("parse cache: cannot write to {} ({}); restarts parse every file", dir, oneLine(e));
        }
    }

    /** CRC-32C of the entry's Smile bytes, appended to them: a damaged entry is noticed, never bound. */
    private static int checksum(byte[] data, int length) {
        CRC32C crc = new CRC32C();
        crc.update(data, 0, length);
        return (int) crc.getValue();
    }

    /**
     * Which build of clusterdns this is: the jar's size and modification time, or for classes in a
     * directory (tests, an IDE) the newest class file's. An entry from another build is not trusted:
     * the model or the reader may bind differently.
     */
    private static String buildStamp() {
        try {
            Path code = Path.of(ParseCache.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isRegularFile(code)) {
                return "jar " + Files.size(code) + " " + Files.getLastModifiedTime(code).toMillis();
            }
            try (Stream<Path> classes = Files.walk(code)) {
                long newest = classes.filter(f -> f.toString().endsWith(".class"))
                        .mapToLong(f -> f.toFile().lastModified()).max().orElse(0);
                return "classes " + code + " " + newest;
            }
        } catch (IOException | URISyntaxException | RuntimeException e) {
            // Unknown build: a stamp no entry can match, so nothing is trusted.
            return "unknown " + System.nanoTime();
        }
    }

    private static void field(JsonParser p, String name) throws IOException {
        if (p.nextToken() != JsonToken.FIELD_NAME || !name.equals(p.currentName())) {
            throw new IOException("expected field " + name + " at " + p.currentToken());
        }
    }

    private static void expect(JsonParser p, JsonToken t) throws IOException {
        JsonToken at = p.currentToken() == null || p.currentToken() == JsonToken.FIELD_NAME ? p.nextToken() : p.currentToken();
        if (at != t) {
            throw new IOException("expected " + t + ", found " + at);
        }
    }

    private static void expectNext(JsonParser p, JsonToken t) throws IOException {
        JsonToken at = p.nextToken();
        if (at != t) {
            throw new IOException("expected " + t + ", found " + at);
        }
    }

    private static int intField(JsonParser p, String name) throws IOException {
        field(p, name);
        expectNext(p, JsonToken.VALUE_NUMBER_INT);
        return p.getIntValue();
    }

    private static long longField(JsonParser p, String name) throws IOException {
        field(p, name);
        expectNext(p, JsonToken.VALUE_NUMBER_INT);
        return p.getLongValue();
    }

    private static String textField(JsonParser p, String name) throws IOException {
        field(p, name);
        expectNext(p, JsonToken.VALUE_STRING);
        return p.getText();
    }

    private static String nullableText(JsonParser p, String name) throws IOException {
        field(p, name);
        JsonToken t = p.nextToken();
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.VALUE_STRING) {
            throw new IOException("expected a string for " + name + ", found " + t);
        }
        return p.getText();
    }

    private static String oneLine(Exception e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        return m.replace('\n', ' ').replaceAll("\\s+", " ").trim();
    }
}
