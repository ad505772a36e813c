package dev.clusterdns.agent.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.manifest.ManifestReader;
import dev.clusterdns.agent.manifest.ParseCache;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parse cache through the manifest tree: a restart with it sees exactly what a parse sees. */
class ParseCacheTest {
    @TempDir
    Path dir;
    @TempDir
    Path state;

    /** Files with the cases the reader words specially: problems, Lists, duplicates, quoted scalars. */
    @BeforeEach
    void files() throws IOException {
        Path examples = Path.of(System.getProperty("user.dir")).resolveSibling("examples/manifests");
        try (Stream<Path> files = Files.list(examples)) {
            for (Path f : files.filter(ManifestReader::isManifest).toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        Files.writeString(dir.resolve("mixed.yaml"), """
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop, labels: {tier: "1", on: "true"}}
                spec:
                  selector: {app: web}
                  ports: [{name: http, port: 80, targetPort: 8080}, {name: alt, port: 8443, targetPort: https}]
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: web-0, namespace: shop, labels: {app: web}}
                spec: {containers: [{name: c, image: x, ports: [{containerPort: 8080}]}]}
                status: {phase: Running, podIP: 10.128.0.7, conditions: [{type: Ready, status: "True"}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop}
                spec: {ports: [{port: 81}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: typo, namespace: shop}
                spec: {prots: [{port: 81}]}
                ---
                apiVersion: example.com/v1
                kind: Widget
                metadata: {name: w}
                ---
                apiVersion: v1
                kind: List
                items:
                - {apiVersion: v1, kind: ConfigMap, metadata: {name: conf, namespace: shop}, data: {a: "1", b: "2.50"}}
                - {apiVersion: v1, kind: Service, metadata: {name: bad}, spec: {ports: [{port: eighty}]}}
                """);
        Files.writeString(dir.resolve("broken.yaml"), "apiVersion: v1\nkind: Service\nmetadata: {name: [\n");
    }

    private ManifestTreeTest.Tracked load(ParseCache cache) {
        ManifestTreeTest.Tracked t = new ManifestTreeTest.Tracked(new ManifestTree(List.of(dir), new ManifestReader(),
                ManifestTree.DEFAULT_MAX_FILE_BYTES, cache));
        t.rescan();
        return t;
    }

    private static void assertSame(ManifestTreeTest.Tracked expected, ManifestTreeTest.Tracked actual) {
        assertEquals(expected.objects, actual.objects);
        assertEquals(expected.last.changes(), actual.last.changes(), "the same changes, in the same order");
        assertEquals(expected.problems(), actual.problems());
    }

    private long fileCount() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(ManifestReader::isManifest).count();
        }
    }

    @Test
    void aRestartWithTheCacheSeesWhatAParseSees() throws IOException {
        ManifestTreeTest.Tracked parsed = load(null);
        assertTrue(parsed.objects.size() > 10, "the examples load");
        assertFalse(parsed.problems().isEmpty(), "the problems are part of what is compared");

        ParseCache first = new ParseCache(state, new ManifestReader());
        assertSame(parsed, load(first));
        assertEquals(0, first.hits(), "nothing cached yet");

        ParseCache restart = new ParseCache(state, new ManifestReader());
        ManifestTreeTest.Tracked cached = load(restart);
        assertSame(parsed, cached);
        // Every file but the one that does not parse (it is never cached) came from the cache.
        assertEquals(fileCount() - 1, restart.hits());
    }

    @Test
    void aFileThatBreaksAfterItsFirstDocumentsIsNeverCached() throws IOException {
        // Its first documents are bound (and encoded for the entry) before the parser meets the
        // error: the whole file is still unreadable, and no entry holds those documents.
        Files.writeString(dir.resolve("late-break.yaml"), """
                apiVersion: v1
                kind: Service
                metadata: {name: early, namespace: shop}
                spec: {ports: [{port: 80}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: [
                """);
        ManifestTreeTest.Tracked parsed = load(null);
        assertTrue(parsed.objects.values().stream().noneMatch(m -> m.object().name().equals("early")));
        assertTrue(parsed.problems().stream().anyMatch(p -> p.source().endsWith("late-break.yaml")
                && p.message().startsWith("cannot parse")), parsed.problems().toString());

        assertSame(parsed, load(new ParseCache(state, new ManifestReader())));
        ParseCache restart = new ParseCache(state, new ManifestReader());
        assertSame(parsed, load(restart));
        assertEquals(fileCount() - 2, restart.hits(), "neither file that does not parse came from the cache");
    }

    @Test
    void aFileEditedWhileStoppedIsParsedAgain() throws IOException {
        load(new ParseCache(state, new ManifestReader()));
        // Same size and the same modification time: only the content digest tells.
        Path file = dir.resolve("mixed.yaml");
        FileTime modified = Files.getLastModifiedTime(file);
        Files.writeString(file, Files.readString(file).replace("name: web-0", "name: web-9"));
        Files.setLastModifiedTime(file, modified);

        ParseCache restart = new ParseCache(state, new ManifestReader());
        ManifestTreeTest.Tracked cached = load(restart);
        assertEquals(fileCount() - 2, restart.hits(), "the edited file and the broken one parsed");
        assertSame(load(null), cached);
        assertTrue(cached.objects.values().stream().anyMatch(m -> m.object().name().equals("web-9")));

        // A file changed after the last parse while running is re-read on the next start too.
        Files.writeString(dir.resolve("echo.yaml"), Files.readString(dir.resolve("echo.yaml")) + "\n# a comment\n");
        ParseCache again = new ParseCache(state, new ManifestReader());
        assertSame(load(null), load(again));
        assertEquals(fileCount() - 2, again.hits());
    }

    @Test
    void aCorruptEntryIsIgnoredWithALogLineAndRewritten() throws IOException {
        load(new ParseCache(state, new ManifestReader()));
        Path entries = state.resolve(ParseCache.DIRECTORY);
        List<Path> all;
        try (Stream<Path> s = Files.list(entries)) {
            all = s.sorted().toList();
        }
        assertEquals(fileCount() - 1, all.size());
        byte[] cut = Files.readAllBytes(all.get(0));
        Files.write(all.get(0), java.util.Arrays.copyOf(cut, cut.length / 2)); // cut short
        byte[] garbled = Files.readAllBytes(all.get(1));
        for (int i = garbled.length / 3; i < garbled.length; i += 7) {
            garbled[i] ^= 0x5a;
        }
        Files.write(all.get(1), garbled);
        Files.copy(all.get(3), all.get(2), java.nio.file.StandardCopyOption.REPLACE_EXISTING); // another file's entry

        ParseCache restart = new ParseCache(state, new ManifestReader());
        String log = stderrOf(() -> assertSame(load(null), load(restart)));
        assertTrue(log.contains("parse cache: ignoring the unreadable entry " + all.get(0)), log);
        assertTrue(log.contains("parse cache: ignoring the unreadable entry " + all.get(1) + " (checksum mismatch)"), log);
        assertEquals(fileCount() - 1 - 3, restart.hits(), "the three bad entries were not used");

        ParseCache rewritten = new ParseCache(state, new ManifestReader());
        assertSame(load(null), load(rewritten));
        assertEquals(fileCount() - 1, rewritten.hits(), "the bad entries were written again");
    }

    @Test
    void entriesOfDeletedFilesAreDropped() throws IOException {
        ManifestTreeTest.Tracked running = load(new ParseCache(state, new ManifestReader()));
        Path entries = state.resolve(ParseCache.DIRECTORY);
        long before = count(entries);
        Files.delete(dir.resolve("echo.yaml"));
        running.rescan();
        assertEquals(before - 1, count(entries), "deleted while running");
        Files.delete(dir.resolve("headless.yaml"));
        load(new ParseCache(state, new ManifestReader()));
        assertEquals(before - 2, count(entries), "deleted while stopped");
    }

    private static long count(Path entries) throws IOException {
        try (Stream<Path> s = Files.list(entries)) {
            return s.count();
        }
    }

    private interface Body {
        void run() throws IOException;
    }

    /** What slf4j-simple (the tests' binding, which writes to the current System.err) printed meanwhile. */
    private static String stderrOf(Body body) throws IOException {
        PrintStream old = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setErr(old);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
