package dev.clusterdns.agent.allocation;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.clusterdns.agent.allocation.AllocationState.Holder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * `allocations.json` in the state directory, with the generation before it kept as
 * `allocations.json.prev`. Writes go to a temp file in the same directory and are fsynced; then the
 * current file is renamed to `.prev` and the temp file to the current name, so a crash leaves the
 * new file, or the old one (as current or as `.prev`), never a torn one.
 *
 * <p>Between rewrites, changes are appended to a {@link StateJournal} (`allocations.json.journal`):
 * the file is rewritten on the first change after start-up and when the journal has grown past the
 * file's size, so a change costs what it changed, not every Service's allocation.
 *
 * <p>Loading falls back to `.prev` (and the journal kept back with it) when the current file is missing, empty, truncated or not state
 * (the bad file is kept as `.corrupt` and the fallback logged), so a damaged file costs at most the
 * last change instead of every address. Conflicting claims in a readable file (two Services on one
 * address or port) are logged naming both Services; the older keeps it. Every later save logs each
 * address or port a Service held in the loaded state and holds no longer, so nothing moves silently.
 */
final class StateFile {
    static final String FILE_NAME = "allocations.json";
    static final String PREVIOUS = FILE_NAME + ".prev";
    static final String CORRUPT_SUFFIX = ".corrupt";
    private static final String TEMP_PREFIX = ".allocations-";
    private static final String TEMP_SUFFIX = ".tmp";
    private static final Logger log = LoggerFactory.getLogger(StateFile.class);

    private final Path dir;
    private final Path file;
    private final Path previous;
    private final ObjectMapper json = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    /**
     * The state last read or written. What it holds for a Service not in {@link #unrecorded} is
     * what the file (with its journal) holds: a save names every Service that differs from the
     * state before. For a state given as a view of a map its owner changes later, only
     * {@link #save(AllocationState, Map)} may follow.
     */
    private AllocationState last = AllocationState.empty();
    private long knownNextSequence = AllocationState.empty().nextSequence();
    /**
     * Services whose holding may differ between the file (with its journal) and the next state
     * saved besides those that save names: the ones a failed save named, and the ones the load's
     * conflict resolution changed.
     */
    private Set<String> unrecorded = new HashSet<>();
    /**
     * What the file holds for each Service in {@link #unrecorded} (none when absent): moves are
     * logged against it, the journal records changes from it. Only these, not every Service's, as
     * the rest is in {@link #last}.
     */
    private Map<String, Holder> recorded = new HashMap<>();
    private final StateJournal journal;
    /** The digest of the file this process last wrote; null until it wrote one (the next save rewrites it). */
    private String written;
    private long writtenBytes;
    /** A journal smaller than this never triggers a rewrite (small clusters would rewrite on every change). */
    private static final long MIN_JOURNAL_BYTES = 64 * 1024;

    /** The last load did not come from the current file (it was missing or damaged): write it again. */
    private boolean fellBack;

    /** A generation as read: its state and the digest of its bytes (where its journal starts). */
    private record Generation(AllocationState state, String digest) {}

    StateFile(Path dir) {
        this.dir = dir;
        this.file = dir.resolve(FILE_NAME);
        this.previous = dir.resolve(PREVIOUS);
        this.journal = new StateJournal(dir);
    }

    Path path() {
        return file;
    }

    /** True when the last load fell back from a missing or damaged current file, which should be written again. */
    boolean fellBack() {
        return fellBack;
    }

    /**
     * The persisted state: the current file, else the previous generation, else an empty state.
     * A file that cannot be read as state is logged and moved aside (`allocations.json.corrupt`,
     * `allocations.json.prev.corrupt`).
     */
    AllocationState load() {
        removeStaleTempFiles();
        boolean any = Files.exists(file) || Files.exists(previous);
        Generation g = read(file);
        fellBack = g == null && any;
        if (g == null) {
            g = read(previous);
            if (g != null) {
                log.warn("allocation state: using the previous generation {} ({} Services); "
                        + "a Service allocated after it was written gets a new address", previous, g.state().services().size());
            }
        }
        if (g == null) {
            if (any) {
                log.error("allocation state: no readable generation in {}; starting with no allocations", dir);
            }
            return AllocationState.empty();
        }
        AllocationState state = journal.replay(g.state(), g.digest()).withSharedFirstSeen();
        last = state;
        knownNextSequence = state.nextSequence();
        List<String> conflicts = new ArrayList<>();
        AllocationState resolved = state.withoutConflicts(conflicts);
        for (String c : conflicts) {
            log.error("allocation state {}: conflicting claims: {}", file, c);
        }
        if (resolved != state) {
            resolved.services().forEach((key, h) -> {
                if (!h.equals(state.services().get(key))) {
                    unrecorded.add(key);
                }
            });
        }
        recorded = new HashMap<>();
        for (String key : unrecorded) {
            Holder h = state.services().get(key);
            if (h != null) {
                recorded.put(key, h);
            }
        }
        return resolved;
    }

    /**
     * Makes {@code view} (a view of its owner's map, equal to the state {@link #load} returned) the
     * state last given, so that the state as loaded is not kept beside its owner's copy; only
     * {@link #save(AllocationState, Map)} may follow.
     */
    void handOver(AllocationState view) {
        last = view;
    }

    /** {@code path} as checked state; null when absent or unreadable (then moved aside). */
    private Generation read(Path path) {
        if (!Files.exists(path)) {
            return null;
        }
        try {
            byte[] bytes = Files.readAllBytes(path);
            AllocationState state = json.readValue(bytes, AllocationState.class);
            if (state == null) {
                throw new IOException("empty file");
            }
            state.checkWellFormed();
            long next = state.nextSequence();
            for (Holder h : state.services().values()) {
                next = Math.max(next, h.sequence() + 1);
            }
            // A hand-edited file may have lost nextSequence: never hand out a sequence twice.
            return new Generation(next == state.nextSequence() ? state : new AllocationState(state.version(), next,
                    state.services()), StateJournal.digest(bytes));
        } catch (IOException | RuntimeException e) {
            Path aside = path.resolveSibling(path.getFileName() + CORRUPT_SUFFIX);
            log.error("allocation state {} is unreadable ({}); moved it to {}", path, firstLine(e), aside);
            try {
                Files.move(path, aside, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException moveError) {
                log.error("could not move {} aside: {}", path, moveError.getMessage());
            }
            return null;
        }
    }

    private static String firstLine(Exception e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /**
     * Makes {@code state} durable: as a journal line when the journal is still small, else by
     * rewriting the file; logs every address or port a Service lost or changed.
     *
     * @param changed every Service whose holding may differ from the state last given (set,
     *     changed or dropped); only these are compared, so a save costs what changed
     */
    void save(AllocationState state, Collection<String> changed) throws IOException {
        Map<String, Holder> before = new HashMap<>();
        for (String key : changed) {
            before.put(key, last.services().get(key));
        }
        save(state, before);
    }

    /**
     * {@link #save(AllocationState, Collection)} for a state whose map its owner changes after the
     * save (the allocator's own), which therefore says what each changed Service held before.
     *
     * @param changedFrom every Service whose holding may differ from the state last given, with its
     *     holding in that state (null for none)
     */
    void save(AllocationState state, Map<String, Holder> changedFrom) throws IOException {
        changedFrom.forEach((key, was) -> {
            // One already unrecorded keeps what the file holds; the state last given may not have reached it.
            if (unrecorded.add(key) && was != null) {
                recorded.put(key, was);
            }
        });
        AllocationState was = new AllocationState(AllocationState.VERSION, knownNextSequence, recorded); // a view
        if (written == null || !journal.current() || journal.bytes() > Math.max(writtenBytes, MIN_JOURNAL_BYTES)) {
            rewrite(was, state);
        } else {
            journal.append(was, state, unrecorded);
        }
        for (AllocationState.Change change : state.changesSince(was, unrecorded)) {
            if (change.moved()) {
                log.warn("allocation moved: {}", change.text());
            } else {
                log.info("allocation released: {}", change.text());
            }
        }
        last = state;
        knownNextSequence = state.nextSequence();
        unrecorded = new HashSet<>(); // not clear(): a set once grown to every Service would stay that costly to walk
        recorded = new HashMap<>();
    }

    /**
     * Writes {@code state} (temp file, fsync, current to `.prev`, temp to current, fsync of the
     * directory), then starts a new journal at it.
     *
     * @param was the state last read or written
     */
    private void rewrite(AllocationState was, AllocationState state) throws IOException {
        written = null; // until the new journal has started, nothing may be appended
        if (journal.current()) {
            // The journal then leads from the old file to exactly the new one.
            journal.append(was, state, unrecorded);
        }
        Files.createDirectories(dir);
        byte[] bytes = json.writeValueAsBytes(state);
        Path tmp = tempFileWith(bytes);
        try {
            if (Files.exists(file)) {
                // Between these two renames only `.prev` exists, which load() then uses.
                Files.move(file, previous, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        if (!Files.exists(previous)) {
            // The first file: a copy is kept back too, so that it plus the journal survives damage
            // to the file before the next rewrite makes a real previous generation.
            Path copy = tempFileWith(bytes);
            try {
                Files.move(copy, previous, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(copy);
            }
        }
        syncDirectory();
        String digest = StateJournal.digest(bytes);
        journal.restart(digest);
        syncDirectory();
        written = digest;
        writtenBytes = bytes.length;
    }

    /** A temp file in the state directory holding {@code bytes}, fsynced. */
    private Path tempFileWith(byte[] bytes) throws IOException {
        Path tmp = Files.createTempFile(dir, TEMP_PREFIX, TEMP_SUFFIX);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        return tmp;
    }

    /** Makes the rename itself durable; not every file system allows opening a directory. */
    private void syncDirectory() {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            log.debug("cannot fsync directory {}: {}", dir, e.getMessage());
        }
    }

    /** Temp files left by a crash between create and rename. */
    private void removeStaleTempFiles() {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> stale = Files.newDirectoryStream(dir, TEMP_PREFIX + "*" + TEMP_SUFFIX)) {
            for (Path p : stale) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            log.warn("cannot clean temp files in {}: {}", dir, e.getMessage());
        }
    }
}
