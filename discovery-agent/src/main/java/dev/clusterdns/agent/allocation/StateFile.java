package dev.clusterdns.agent.allocation;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * `allocations.json` in the state directory. Writes go to a temp file in the same directory,
 * are fsynced and renamed over the target, so a crash leaves either the old or the new file,
 * never a torn one.
 */
final class StateFile {
    static final String FILE_NAME = "allocations.json";
    private static final String TEMP_PREFIX = ".allocations-";
    private static final String TEMP_SUFFIX = ".tmp";
    private static final Logger log = LoggerFactory.getLogger(StateFile.class);

    private final Path dir;
    private final Path file;
    private final ObjectMapper json = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    StateFile(Path dir) {
        this.dir = dir;
        this.file = dir.resolve(FILE_NAME);
    }

    Path path() {
        return file;
    }

    /**
     * The persisted state, or an empty one when there is none. A file that cannot be read as
     * state is logged, moved aside to `allocations.json.corrupt` and treated as absent.
     */
    AllocationState load() {
        removeStaleTempFiles();
        if (!Files.exists(file)) {
            return AllocationState.empty();
        }
        try {
            AllocationState state = json.readValue(file.toFile(), AllocationState.class);
            if (state == null || state.version() != AllocationState.VERSION || state.nextSequence() < 1) {
                throw new IOException("unsupported or incomplete state (version "
                        + (state == null ? "missing" : state.version()) + ", expected " + AllocationState.VERSION + ")");
            }
            long next = state.nextSequence();
            for (var e : state.services().entrySet()) {
                if (e.getValue() == null) {
                    throw new IOException("no allocation for " + e.getKey());
                }
                next = Math.max(next, e.getValue().sequence() + 1);
            }
            // A hand-edited file may have lost nextSequence: never hand out a sequence twice.
            return next == state.nextSequence() ? state : new AllocationState(state.version(), next, state.services());
        } catch (IOException | RuntimeException e) {
            Path aside = dir.resolve(FILE_NAME + ".corrupt");
            log.error("allocation state {} is unreadable ({}); moved it to {} and starting with no allocations",
                    file, e.getMessage(), aside);
            try {
                Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException moveError) {
                log.error("could not move {} aside: {}", file, moveError.getMessage());
            }
            return AllocationState.empty();
        }
    }

    /** Writes {@code state} atomically (temp file, fsync, rename, fsync of the directory). */
    void save(AllocationState state) throws IOException {
        Files.createDirectories(dir);
        byte[] bytes = json.writeValueAsBytes(state);
        Path tmp = Files.createTempFile(dir, TEMP_PREFIX, TEMP_SUFFIX);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        syncDirectory();
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
