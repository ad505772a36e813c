package dev.clusterdns.agent.allocation;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clusterdns.agent.allocation.AllocationState.Holder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The changes made since a snapshot of the allocation state, one fsynced line each, so that a
 * change costs what it changed and not a rewrite of every Service's allocation. The first line names
 * the snapshot the changes apply to (a digest of its bytes); when the snapshot is rewritten the
 * journal gets a last line naming the new snapshot and is kept back as `allocations.json.journal.prev`,
 * so the previous snapshot plus that journal (plus the current one) rebuilds the state when the
 * current snapshot is damaged. A line cut short by a crash is ignored.
 */
final class StateJournal {
    static final String FILE_NAME = StateFile.FILE_NAME + ".journal";
    static final String PREVIOUS = FILE_NAME + ".prev";
    private static final Logger log = LoggerFactory.getLogger(StateJournal.class);

    /**
     * One line: the header ({@code snapshot}), the footer ({@code next}), or a change
     * ({@code nextSequence}, Services {@code set} to a holding, Services {@code drop}ped).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Line(String snapshot, String next, Long nextSequence, Map<String, Holder> set, List<String> drop) {}

    private final Path file;
    private final Path previous;
    private final ObjectMapper json = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    /** Bytes in the current journal (0 when none was started by this process). */
    private long bytes;
    /** The current journal ends at the state last replayed or written (so a change may follow it). */
    private boolean current;

    StateJournal(Path dir) {
        this.file = dir.resolve(FILE_NAME);
        this.previous = dir.resolve(PREVIOUS);
    }

    long bytes() {
        return bytes;
    }

    /** True when the current journal leads up to the state last replayed or saved, so changes may be appended. */
    boolean current() {
        return current;
    }

    static String digest(byte[] snapshot) {
        CRC32C crc = new CRC32C();
        crc.update(snapshot);
        return snapshot.length + "-" + Long.toHexString(crc.getValue());
    }

    /**
     * {@code state} (read from the snapshot with {@code digest}) with the journals that follow it
     * applied: the kept-back journal when it starts at that snapshot, then the current one when it
     * starts where the applied one ended.
     */
    AllocationState replay(AllocationState state, String digest) {
        String base = digest;
        current = false;
        for (Path p : List.of(previous, file)) {
            if (base == null || !Files.exists(p)) {
                continue;
            }
            List<Line> lines = read(p);
            if (lines.isEmpty() || !base.equals(lines.get(0).snapshot())) {
                continue; // written for another snapshot: that one holds these changes already, or never will
            }
            AllocationState before = state;
            base = null;
            for (Line l : lines.subList(1, lines.size())) {
                if (l.next() != null) {
                    base = l.next();
                } else {
                    state = apply(state, l);
                }
            }
            try {
                state.checkWellFormed();
                current = p.equals(file) && base == null;
                log.info("allocation state: applied {} change(s) from {}", lines.size() - 1, p);
            } catch (IllegalArgumentException e) {
                log.error("allocation state: {} does not apply ({}); ignoring it", p, e.getMessage());
                return before;
            }
        }
        return state;
    }

    private static AllocationState apply(AllocationState state, Line l) {
        Map<String, Holder> services = new HashMap<>(state.services());
        if (l.drop() != null) {
            l.drop().forEach(services::remove);
        }
        if (l.set() != null) {
            services.putAll(l.set());
        }
        long next = l.nextSequence() == null ? state.nextSequence() : l.nextSequence();
        return new AllocationState(state.version(), next, services);
    }

    /** The lines up to the first one that does not parse (a crash cut it short: logged, ignored). */
    private List<Line> read(Path p) {
        List<Line> out = new ArrayList<>();
        try {
            List<String> text = Files.readAllLines(p, StandardCharsets.UTF_8);
            for (int i = 0; i < text.size(); i++) {
                String t = text.get(i);
                if (t.isBlank()) {
                    continue;
                }
                try {
                    out.add(json.readValue(t, Line.class));
                } catch (IOException e) {
                    log.warn("allocation state: {} line {} is cut short or damaged; ignoring it{}", p, i + 1,
                            i == text.size() - 1 ? "" : " and the " + (text.size() - 1 - i) + " line(s) after it");
                    break;
                }
            }
        } catch (IOException e) {
            log.error("allocation state: cannot read {}: {}", p, e.getMessage());
        }
        return out;
    }

    /**
     * Appends the changes from {@code was} to {@code now}, fsynced; false when there are none.
     *
     * @param keys every Service whose holding may differ between the two (others are not looked
     *     at, so a change costs what it changed)
     */
    boolean append(AllocationState was, AllocationState now, Collection<String> keys) throws IOException {
        Map<String, Holder> set = new TreeMap<>();
        List<String> drop = new ArrayList<>();
        for (String k : new TreeSet<>(keys)) {
            Holder h = now.services().get(k);
            if (h == null) {
                if (was.services().containsKey(k)) {
                    drop.add(k);
                }
            } else if (!h.equals(was.services().get(k))) {
                set.put(k, h);
            }
        }
        if (set.isEmpty() && drop.isEmpty() && was.nextSequence() == now.nextSequence()) {
            return false;
        }
        try {
            write(file, new Line(null, null, now.nextSequence(), set.isEmpty() ? null : set, drop.isEmpty() ? null : drop),
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            current = false; // a line may be cut short: nothing may follow it
            throw e;
        }
        return true;
    }

    /**
     * After the snapshot with {@code digest} was written: the current journal ends by naming it and is
     * kept back, and a new one starts at it.
     */
    void restart(String digest) throws IOException {
        if (current) {
            // The old file plus this journal is the new file: kept back for when the new one is damaged.
            write(file, new Line(null, digest, null, null, null), StandardOpenOption.APPEND);
            Files.move(file, previous, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        current = false;
        bytes = 0;
        write(file, new Line(digest, null, null, null, null), StandardOpenOption.TRUNCATE_EXISTING);
        current = true;
    }

    private void write(Path p, Line line, StandardOpenOption mode) throws IOException {
        byte[] b = (json.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE, Objects.requireNonNull(mode))) {
            ByteBuffer buf = ByteBuffer.wrap(b);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(false);
        }
        bytes += b.length;
    }
}
