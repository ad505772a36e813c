package dev.clusterdns.agent.source;

import dev.clusterdns.agent.manifest.Manifest;
import dev.clusterdns.agent.manifest.ManifestFile;
import dev.clusterdns.agent.manifest.ManifestReader;
import dev.clusterdns.agent.manifest.ParseCache;
import dev.clusterdns.agent.snapshot.Problem;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ForkJoinTask;

/**
 * The manifests under a set of files and directories (recursively), as changes: each
 * {@link #rescan()} re-reads only the files whose (mtime, size, inode) changed, in parallel, and
 * reports the objects they added, changed or dropped.
 *
 * <p>A file that stops parsing (or grows over the size limit) keeps its last good objects, with the
 * reason reported. The same kind, namespace and name in two places: the first (path order, then
 * document order) wins and the others are reported; when the winner goes, the next one takes over.
 * Symbolic-link loops and unreadable directories are reported and skipped; files that could not be
 * listed are never taken as deleted.
 *
 * <p>Only a fingerprint of each object is kept here (the agent holds the objects), so the tree
 * costs little memory; a file is read again only when a duplicate in it has to take over.
 */
public final class ManifestTree {

    /** Files over this size are refused unread: a manifest is never that large. */
    public static final long DEFAULT_MAX_FILE_BYTES = 16L << 20;

    private record Stamp(long modified, long size, Object fileKey) {}

    /**
     * What one file defines: the keys of its objects and, at the same positions, each one's
     * fingerprint and place (see {@link Definition}; {@code absolute} marks the places that are whole
     * origins, null when none is); its documents when it was split into them (null otherwise).
     * {@code id} names the file in {@link #first} for as long as the file is in the tree.
     */
    private record FileState(Path path, int id, Stamp stamp, ObjectKey[] keys, int[] fingerprints, String[] places,
                             BitSet absolute, List<Problem> problems, Documents docs) {
        List<ObjectKey> keyList() {
            return Arrays.asList(keys);
        }

        Definition definition(int position) {
            return new Definition(path, fingerprints[position], places[position],
                    absolute == null || !absolute.get(position));
        }

        /** The same definitions with a new stamp and problems (a file kept as it last parsed). */
        FileState kept(Stamp newStamp, List<Problem> newProblems) {
            return new FileState(path, id, newStamp, keys, fingerprints, places, absolute, newProblems, null);
        }
    }

    /**
     * The documents of a YAML file: a digest of each, and the keys each defined ({@code keys} from
     * {@code ends[i-1]} to {@code ends[i]}). Kept only for files without a key defined twice.
     */
    private record Documents(long[] digests, int[] ends, ObjectKey[] keys) {
        int count() {
            return digests.length;
        }

        boolean multi() {
            return digests.length > 1;
        }
    }

    /**
     * A file as read: the objects parsed now ({@code file}), the definitions carried over from its
     * unchanged documents, its documents (null when not split), and the parsed objects' first per
     * key with their definitions, worked out by the read task (on the pool's threads for a large
     * tree: a definition's fingerprint hashes the whole object) rather than by the one thread that
     * applies the readings.
     */
    private record Reading(ManifestFile file, Map<ObjectKey, Definition> kept, Documents docs,
                           Map<ObjectKey, Manifest> objects, Map<ObjectKey, Definition> defined) {
        static Reading of(Path p, ManifestFile f, Map<ObjectKey, Definition> kept, Documents docs) {
            Map<ObjectKey, Manifest> objects = firstPerKey(f.manifests());
            Map<ObjectKey, Definition> defined = new LinkedHashMap<>();
            objects.forEach((k, m) -> defined.put(k, Definition.of(p, m)));
            return new Reading(f, kept, docs, objects, defined);
        }

        static Reading whole(Path p, ManifestFile f) {
            return of(p, f, Map.of(), null);
        }
    }

    /**
     * An object as one file defines it: its fingerprint and where the file holds it, the origin without
     * the file's path when it starts with it ({@code relative}), so that the 150,000 objects of a large
     * tree share a few thousand strings (every file has a " (document 3)") instead of holding one
     * origin each. Made when asked for: a file holds its definitions' parts in arrays ({@link FileState}).
     */
    private record Definition(Path file, int fingerprint, String place, boolean relative) {
        static Definition of(Path file, Manifest m) {
            String origin = m.origin();
            String path = file.toString();
            boolean relative = origin.startsWith(path);
            return new Definition(file, ManifestTree.fingerprint(m), relative ? origin.substring(path.length()).intern() : origin, relative);
        }

        String origin() {
            return relative ? file + place : place;
        }
    }

    private final List<Path> roots;
    private final ManifestReader reader;
    private final long maxFileBytes;
    /** Where a restart finds what unchanged files yielded before; null: every file is parsed. */
    private final ParseCache cache;
    private boolean scanned;
    private final Map<Path, FileState> files = new TreeMap<>();
    /** The files by {@link FileState#id} (null: a free id, listed in {@link #freeIds}). */
    private final List<FileState> byId = new ArrayList<>();
    private final ArrayDeque<Integer> freeIds = new ArrayDeque<>();
    /** For every key, the file that defines it first (path order) and its position there. */
    private final KeyIndex first = new KeyIndex((file, position) -> byId.get(file).keys()[position]);
    /** The keys more than one file defines: every file that does, in path order (the first wins). */
    private final Map<ObjectKey, List<Path>> contested = new HashMap<>();
    /**
     * The few files an edit changed are read into this buffer, kept between edits: a large file read
     * into a new array each time is a humongous allocation for G1, and once the heap had shrunk to
     * its live set each one set off a marking cycle (17 in 100 edits of a 560 KB file at 160k objects).
     */
    private byte[] editBuffer = new byte[0];
    /** Larger files get an array of their own, so that one edit of a huge file is not held for good. */
    private static final long EDIT_BUFFER_LIMIT = 4 << 20;
    private final List<Problem> listingProblems = new ArrayList<>();
    /** Documents handed to the parser one by one (an edit's cost; read by tests). */
    private final java.util.concurrent.atomic.LongAdder documentsParsed = new java.util.concurrent.atomic.LongAdder();

    public ManifestTree(List<Path> roots, ManifestReader reader) {
        this(roots, reader, DEFAULT_MAX_FILE_BYTES);
    }

    public ManifestTree(List<Path> roots, ManifestReader reader, long maxFileBytes) {
        this(roots, reader, maxFileBytes, null);
    }

    /** @param cache what files yielded in an earlier run (null for none); kept up to date with the files read whole */
    public ManifestTree(List<Path> roots, ManifestReader reader, long maxFileBytes, ParseCache cache) {
        this.roots = List.copyOf(roots);
        this.reader = reader;
        this.maxFileBytes = maxFileBytes;
        this.cache = cache;
    }

    public List<Path> roots() {
        return roots;
    }

    /**
     * Reads new and changed files and forgets deleted ones. The first call reports every object.
     *
     * @return what changed since the last call (empty when nothing did)
     */
    public synchronized SourceChanges rescan() {
        Map<Path, Stamp> seen = new TreeMap<>();
        List<Problem> newListingProblems = new ArrayList<>();
        Set<Path> unlisted = new HashSet<>();
        for (Path root : roots) {
            list(root, seen, newListingProblems, unlisted);
        }
        boolean problemsChanged = !newListingProblems.equals(listingProblems);
        listingProblems.clear();
        listingProblems.addAll(newListingProblems);

        Map<Path, Stamp> toRead = new TreeMap<>();
        List<Path> gone = new ArrayList<>();
        for (Path p : files.keySet()) {
            if (!seen.containsKey(p) && !underAny(p, unlisted)) {
                gone.add(p);
            }
        }
        seen.forEach((p, stamp) -> {
            FileState old = files.get(p);
            if (old == null || !old.stamp().equals(stamp)) {
                toRead.put(p, stamp);
            }
        });
        if (cache != null) {
            if (!scanned) {
                cache.retain(seen.keySet()); // entries of files gone while clusterdns was stopped
            }
            gone.forEach(cache::forget);
        }
        scanned = true;
        if (gone.isEmpty() && toRead.isEmpty()) {
            return new SourceChanges(List.of(), problemsChanged ? problems() : null);
        }

        Map<Path, Reading> read = readAll(toRead);
        // Which object each affected key resolved to before, then apply, then compare.
        Map<ObjectKey, Definition> beforeDefinition = new HashMap<>();
        Set<ObjectKey> affected = new LinkedHashSet<>();
        Map<Path, Map<ObjectKey, Manifest>> fresh = new HashMap<>();
        for (Path p : gone) {
            affected.addAll(files.get(p).keyList());
        }
        for (Map.Entry<Path, Reading> e : read.entrySet()) {
            FileState old = files.get(e.getKey());
            if (old != null) {
                affected.addAll(old.keyList());
            }
            if (!keepsOld(e.getValue().file(), old)) {
                Map<ObjectKey, Manifest> objects = e.getValue().objects();
                fresh.put(e.getKey(), objects);
                affected.addAll(objects.keySet());
                affected.addAll(e.getValue().kept().keySet());
            }
        }
        for (ObjectKey k : affected) {
            Definition winner = winner(k);
            if (winner != null) {
                beforeDefinition.put(k, winner);
            }
        }

        for (Path p : gone) {
            FileState old = files.get(p);
            old.keyList().forEach(k -> undefine(k, p));
            files.remove(p);
            byId.set(old.id(), null);
            freeIds.add(old.id());
        }
        for (Map.Entry<Path, Reading> e : read.entrySet()) {
            Path p = e.getKey();
            ManifestFile f = e.getValue().file();
            FileState old = files.get(p);
            if (keepsOld(f, old)) {
                // Keep serving what this file said last time it parsed.
                List<Problem> problems = new ArrayList<>(f.problems());
                if (old.keys().length > 0) {
                    problems.add(new Problem(p.toString(), "",
                            "keeping the " + old.keys().length + " object(s) it last defined"));
                }
                install(old.kept(toRead.get(p), problems)); // next time: read whole
                continue;
            }
            Map<ObjectKey, Manifest> objects = fresh.get(p);
            Map<ObjectKey, Definition> defs = new LinkedHashMap<>(e.getValue().kept());
            defs.putAll(e.getValue().defined());
            if (old != null) {
                // Forgotten while the old positions still hold, then defined at the new ones.
                old.keyList().forEach(k -> undefine(k, p));
            }
            ObjectKey[] keys = canonical(defs.keySet(), old);
            int[] fingerprints = new int[keys.length];
            String[] places = new String[keys.length];
            BitSet absolute = null;
            for (int i = 0; i < keys.length; i++) {
                Definition d = defs.get(keys[i]);
                fingerprints[i] = d.fingerprint();
                places[i] = d.place();
                if (!d.relative()) {
                    absolute = absolute == null ? new BitSet() : absolute;
                    absolute.set(i);
                }
            }
            FileState now = install(new FileState(p, old != null ? old.id() : newId(), toRead.get(p), keys, fingerprints,
                    places, absolute, withInFileDuplicates(f), shared(e.getValue().docs(), keys)));
            for (int i = 0; i < keys.length; i++) {
                define(keys[i], now, i);
            }
        }

        List<ObjectChange> changes = new ArrayList<>();
        for (ObjectKey k : affected) {
            Definition now = winner(k);
            Definition was = beforeDefinition.get(k);
            if (now == null) {
                if (was != null) {
                    changes.add(ObjectChange.remove(k));
                }
                continue;
            }
            if (now.equals(was)) {
                continue; // same object from the same place
            }
            Map<ObjectKey, Manifest> parsed = fresh.get(now.file());
            Manifest m = parsed != null && parsed.containsKey(k) ? parsed.get(k) : reread(now.file(), k);
            if (m != null) {
                changes.add(ObjectChange.put(m));
            } else if (was != null) {
                changes.add(ObjectChange.remove(k));
            }
        }
        return new SourceChanges(changes, problems());
    }

    private static boolean keepsOld(ManifestFile read, FileState old) {
        return read.unreadable() && old != null;
    }

    /**
     * Reads the files, in parallel when there are several (a first load of a large tree): one task
     * per file, so that no thread is left with a long run of files while the others idle (a parallel
     * stream hands each thread a quarter of the list). The calling thread takes files from the front
     * of the list and the pool's threads from the back, so the largest files go at both ends and the
     * last to start are the smallest.
     */
    private Map<Path, Reading> readAll(Map<Path, Stamp> toRead) {
        Map<Path, Reading> out = new TreeMap<>();
        if (toRead.size() < 4) {
            toRead.forEach((p, s) -> out.put(p, readOne(p, s, files.get(p), true)));
            return out;
        }
        List<Map.Entry<Path, Stamp>> bySize = new ArrayList<>(toRead.entrySet());
        bySize.sort(Comparator.comparingLong((Map.Entry<Path, Stamp> e) -> e.getValue().size()).reversed());
        List<Map.Entry<Path, Stamp>> order = new ArrayList<>(bySize.size());
        for (int i = 0; i < bySize.size(); i += 2) {
            order.add(bySize.get(i));
        }
        for (int i = bySize.size() - 1 - bySize.size() % 2; i > 0; i -= 2) {
            order.add(bySize.get(i));
        }
        List<ForkJoinTask<Reading>> tasks = new ArrayList<>(order.size());
        for (Map.Entry<Path, Stamp> e : order) {
            tasks.add(ForkJoinTask.adapt(() -> readOne(e.getKey(), e.getValue(), files.get(e.getKey()), false)));
        }
        ForkJoinTask.invokeAll(tasks);
        for (int i = 0; i < order.size(); i++) {
            out.put(order.get(i).getKey(), tasks.get(i).join());
        }
        return out;
    }

    /**
     * Reads a file into {@link #editBuffer}, grown as needed, and returns its length. Only the calls
     * of {@link #rescan} (synchronized) for a few changed files use it.
     */
    private int readIntoEditBuffer(Path p) throws IOException {
        try (SeekableByteChannel ch = Files.newByteChannel(p)) {
            long size = ch.size();
            if (editBuffer.length <= size) {
                editBuffer = new byte[(int) Math.min(Integer.MAX_VALUE - 8, size + (size >> 3) + 1)];
            }
            int n = 0;
            while (true) {
                if (n == editBuffer.length) {
                    editBuffer = Arrays.copyOf(editBuffer, (int) Math.min(Integer.MAX_VALUE - 8, 2L * n + 1));
                }
                int r = ch.read(ByteBuffer.wrap(editBuffer, n, editBuffer.length - n));
                if (r < 0) {
                    return n;
                }
                n += r;
            }
        }
    }

    /**
     * Reads one file. A YAML file read before is split into documents and only the documents whose
     * bytes changed (or moved) are parsed; the others keep what they defined.
     */
    private Reading readOne(Path p, Stamp stamp, FileState old, boolean intoEditBuffer) {
        if (stamp.size() > maxFileBytes) {
            return Reading.whole(p, new ManifestFile(List.of(), List.of(new Problem(p.toString(), "", "file is " + stamp.size()
                    + " bytes, over the limit of " + maxFileBytes + " (--max-manifest-bytes); not read")), true));
        }
        if (p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json")) {
            return Reading.whole(p, reader.read(p));
        }
        byte[] bytes;
        int length;
        try {
            if (intoEditBuffer && stamp.size() <= EDIT_BUFFER_LIMIT) {
                length = readIntoEditBuffer(p);
                bytes = editBuffer;
            } else {
                bytes = Files.readAllBytes(p);
                length = bytes.length;
            }
        } catch (IOException e) {
            return Reading.whole(p, new ManifestFile(List.of(), List.of(new Problem(p.toString(), "",
                    "cannot read file: " + e.getMessage())), true));
        }
        int[] segments = YamlDocuments.split(bytes, length);
        Documents before = old == null ? null : old.docs();
        if (segments != null && before != null && before.multi() == segments.length > 2) {
            Reading partial = readChanged(p, bytes, segments, old);
            if (partial != null) {
                return partial;
            }
        }
        if (length != bytes.length) {
            bytes = Arrays.copyOf(bytes, length);
        }
        ManifestFile f = cache != null && segments != null
                ? cache.read(p, bytes, stamp.modified(), YamlDocuments.digest(bytes, 0, bytes.length))
                : reader.read(new ByteArrayInputStream(bytes), p.toString(), false);
        return Reading.of(p, f, Map.of(), segments == null || f.unreadable() ? null : documents(p, bytes, segments, f));
    }

    /** Parses only the changed documents; null when the file must be read whole instead. */
    private Reading readChanged(Path p, byte[] bytes, int[] segments, FileState old) {
        Documents before = old.docs();
        int count = segments.length / 2;
        boolean multi = count > 1;
        long[] digests = new long[count];
        List<Manifest> parsed = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        Map<ObjectKey, Definition> kept = new LinkedHashMap<>();
        List<List<ObjectKey>> keys = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int start = segments[2 * i];
            int end = segments[2 * i + 1];
            digests[i] = YamlDocuments.digest(bytes, start, end);
            String origin = multi ? p + " (document " + (i + 1) + ")" : p.toString();
            if (i < before.count() && before.digests()[i] == digests[i]) {
                List<ObjectKey> docKeys = new ArrayList<>();
                for (int k = i == 0 ? 0 : before.ends()[i - 1]; k < before.ends()[i]; k++) {
                    ObjectKey key = before.keys()[k];
                    docKeys.add(key);
                    kept.put(key, definitionIn(key, old));
                }
                keys.add(docKeys);
                for (Problem pr : old.problems()) {
                    if (documentOf(p, pr.source(), multi) == i) {
                        problems.add(pr);
                    }
                }
                continue;
            }
            ManifestFile f = reader.read(new ByteArrayInputStream(bytes, start, end - start), origin, false);
            documentsParsed.increment();
            if (f.unreadable()) {
                return null; // the whole-file read words the error as it always does
            }
            List<ObjectKey> docKeys = new ArrayList<>();
            for (Manifest m : f.manifests()) {
                docKeys.add(ObjectKey.of(m.object()));
            }
            keys.add(docKeys);
            parsed.addAll(f.manifests());
            problems.addAll(f.problems());
        }
        Documents docs = documents(digests, keys);
        if (docs == null) {
            return null; // a key defined twice: the whole-file read reports the duplicates in order
        }
        return Reading.of(p, new ManifestFile(parsed, problems, false), kept, docs);
    }

    /** The documents of a file read whole, from the origins the reader gave its objects; null when they do not fit. */
    private static Documents documents(Path p, byte[] bytes, int[] segments, ManifestFile f) {
        int count = segments.length / 2;
        boolean multi = count > 1;
        long[] digests = new long[count];
        List<List<ObjectKey>> keys = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            digests[i] = YamlDocuments.digest(bytes, segments[2 * i], segments[2 * i + 1]);
            keys.add(new ArrayList<>());
        }
        for (Manifest m : f.manifests()) {
            int doc = documentOf(p, m.origin(), multi);
            if (doc < 0 || doc >= count) {
                return null;
            }
            keys.get(doc).add(ObjectKey.of(m.object()));
        }
        for (Problem pr : f.problems()) {
            int doc = documentOf(p, pr.source(), multi);
            if (doc < 0 || doc >= count) {
                return null;
            }
        }
        return documents(digests, keys);
    }

    private static Documents documents(long[] digests, List<List<ObjectKey>> keys) {
        int[] ends = new int[keys.size()];
        List<ObjectKey> all = new ArrayList<>();
        Set<ObjectKey> seen = new HashSet<>();
        for (int i = 0; i < keys.size(); i++) {
            for (ObjectKey k : keys.get(i)) {
                if (!seen.add(k)) {
                    return null;
                }
                all.add(k);
            }
            ends[i] = all.size();
        }
        return new Documents(digests, ends, all.toArray(new ObjectKey[0]));
    }

    /** The document index an origin names (`path (document N)...`), 0 for a single-document file, -1 when it names none. */
    private static int documentOf(Path p, String origin, boolean multi) {
        String path = p.toString();
        if (!origin.startsWith(path)) {
            return -1;
        }
        if (!multi) {
            return 0;
        }
        String prefix = path + " (document ";
        if (!origin.startsWith(prefix)) {
            return -1;
        }
        int close = origin.indexOf(')', prefix.length());
        try {
            return close < 0 ? -1 : Integer.parseInt(origin.substring(prefix.length(), close)) - 1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** How many documents were parsed on their own, without their file (documents of files read whole do not count). */
    long documentsParsed() {
        return documentsParsed.sum();
    }

    /** The object a file defines for a key, read again (a duplicate taking over from a removed winner). */
    private Manifest reread(Path file, ObjectKey key) {
        ManifestFile f = reader.read(file);
        return f.unreadable() ? null : firstPerKey(f.manifests()).get(key);
    }

    private static int fingerprint(Manifest m) {
        return 31 * m.object().hashCode() + m.origin().hashCode();
    }

    private int newId() {
        Integer free = freeIds.poll();
        if (free != null) {
            return free;
        }
        byId.add(null);
        return byId.size() - 1;
    }

    private FileState install(FileState f) {
        files.put(f.path(), f);
        byId.set(f.id(), f);
        return f;
    }

    /** The definition that wins for {@code k} (the first file's), or null when no file defines it. */
    private Definition winner(ObjectKey k) {
        List<Path> several = contested.get(k);
        if (several != null) {
            return definitionIn(k, files.get(several.get(0)));
        }
        long at = first.get(k);
        return at == KeyIndex.ABSENT ? null : byId.get(KeyIndex.file(at)).definition(KeyIndex.position(at));
    }

    /** Every definition of {@code k}, in path order. */
    private List<Definition> definitionsOf(ObjectKey k) {
        List<Path> several = contested.get(k);
        if (several == null) {
            Definition only = winner(k);
            return only == null ? List.of() : List.of(only);
        }
        List<Definition> out = new ArrayList<>(several.size());
        several.forEach(p -> out.add(definitionIn(k, files.get(p))));
        return out;
    }

    /** What {@code file} defines for {@code k} (null when nothing). */
    private Definition definitionIn(ObjectKey k, FileState file) {
        int i = positionIn(k, file);
        return i < 0 ? null : file.definition(i);
    }

    /** Where {@code file} holds {@code k}, or -1: read from the index when the file wins, else searched. */
    private int positionIn(ObjectKey k, FileState file) {
        long at = first.get(k);
        if (at != KeyIndex.ABSENT && KeyIndex.file(at) == file.id()) {
            return KeyIndex.position(at);
        }
        ObjectKey[] keys = file.keys();
        for (int i = 0; i < keys.length; i++) {
            if (keys[i].equals(k)) {
                return i;
            }
        }
        return -1;
    }

    /** Records that {@code file} (installed) defines {@code k} at {@code position}. */
    private void define(ObjectKey k, FileState file, int position) {
        long at = first.get(k);
        List<Path> several = contested.get(k);
        if (at == KeyIndex.ABSENT || several == null && KeyIndex.file(at) == file.id()) {
            first.put(k, file.id(), position);
            return;
        }
        List<Path> paths = new ArrayList<>(several != null ? several : List.of(byId.get(KeyIndex.file(at)).path()));
        paths.remove(file.path());
        paths.add(file.path());
        paths.sort(Comparator.naturalOrder());
        contested.put(k, List.copyOf(paths));
        FileState wins = files.get(paths.get(0));
        first.put(k, wins.id(), wins == file ? position : positionIn(k, wins));
    }

    /** Records that {@code p} (still installed as it was) no longer defines {@code k}. */
    private void undefine(ObjectKey k, Path p) {
        List<Path> several = contested.get(k);
        if (several == null) {
            long at = first.get(k);
            if (at != KeyIndex.ABSENT && KeyIndex.file(at) == files.get(p).id()) {
                first.remove(k);
            }
            return;
        }
        if (!several.contains(p)) {
            return;
        }
        List<Path> rest = new ArrayList<>(several);
        rest.remove(p);
        FileState wins = files.get(rest.get(0));
        // The position is searched while the contested list still names p, then p is dropped.
        int position = positionIn(k, wins);
        if (rest.size() == 1) {
            contested.remove(k);
        } else {
            contested.put(k, List.copyOf(rest));
        }
        first.put(k, wins.id(), position);
    }

    /** The keys a file now defines, in order, reusing the instances it held before (one instance per key). */
    private static ObjectKey[] canonical(Set<ObjectKey> keys, FileState old) {
        Map<ObjectKey, ObjectKey> before = new HashMap<>();
        if (old != null) {
            for (ObjectKey k : old.keys()) {
                before.put(k, k);
            }
        }
        ObjectKey[] out = new ObjectKey[keys.size()];
        int i = 0;
        for (ObjectKey k : keys) {
            out[i++] = before.getOrDefault(k, k);
        }
        return out;
    }

    /** {@code docs} holding the key instances of {@code keys} (one instance per key in the tree). */
    private static Documents shared(Documents docs, ObjectKey[] keys) {
        if (docs == null) {
            return null;
        }
        Map<ObjectKey, ObjectKey> canonical = new HashMap<>();
        for (ObjectKey k : keys) {
            canonical.put(k, k);
        }
        ObjectKey[] held = docs.keys();
        for (int i = 0; i < held.length; i++) {
            held[i] = canonical.getOrDefault(held[i], held[i]);
        }
        return docs;
    }

    private static Map<ObjectKey, Manifest> firstPerKey(List<Manifest> manifests) {
        Map<ObjectKey, Manifest> out = new LinkedHashMap<>();
        for (Manifest m : manifests) {
            out.putIfAbsent(ObjectKey.of(m.object()), m);
        }
        return out;
    }

    /** A file's own problems plus one per object it defines twice. */
    private static List<Problem> withInFileDuplicates(ManifestFile f) {
        List<Problem> out = new ArrayList<>(f.problems());
        Map<ObjectKey, Manifest> first = new HashMap<>();
        for (Manifest m : f.manifests()) {
            Manifest earlier = first.putIfAbsent(ObjectKey.of(m.object()), m);
            if (earlier != null) {
                out.add(duplicate(m, earlier.origin()));
            }
        }
        return out;
    }

    private static Problem duplicate(Manifest m, String firstOrigin) {
        return new Problem(m.origin(), m.describe(), m.object().kind().toLowerCase(Locale.ROOT) + "s \""
                + m.object().name() + "\" already exists (defined first in " + firstOrigin + "); this definition is ignored");
    }

    /** Every current problem: listing, per file, and definitions that lost to an earlier file. */
    public synchronized List<Problem> problems() {
        List<Problem> out = new ArrayList<>(listingProblems);
        files.values().forEach(f -> out.addAll(f.problems()));
        for (ObjectKey k : contested.keySet()) {
            List<Definition> all = definitionsOf(k);
            for (int i = 1; i < all.size(); i++) {
                Definition d = all.get(i);
                Definition first = all.get(0);
                String ns = k.namespace().isEmpty() ? "" : k.namespace() + "/";
                out.add(new Problem(d.origin(), k.kind() + " " + ns + k.name(), k.kind().toLowerCase(Locale.ROOT)
                        + "s \"" + k.name() + "\" already exists (defined first in " + first.origin()
                        + "); this definition is ignored"));
            }
        }
        return out;
    }


    private static boolean underAny(Path p, Set<Path> dirs) {
        for (Path d : dirs) {
            if (p.startsWith(d)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Lists the manifest files below a root, following links; loops and unreadable directories are
     * problems and are skipped ({@code unlisted} gets the directories whose files stay as they were).
     */
    private static void list(Path root, Map<Path, Stamp> out, List<Problem> problems, Set<Path> unlisted) {
        if (!Files.exists(root)) {
            problems.add(new Problem(root.toString(), "", "no such file or directory"));
            unlisted.add(root);
            return;
        }
        if (Files.isRegularFile(root)) {
            stamp(root, out);
            return;
        }
        try {
            Files.walkFileTree(root, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    return !dir.equals(root) && dir.getFileName().toString().startsWith(".")
                            ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isSymbolicLink() && ManifestReader.isManifest(file)) {
                        // Following failed: a loop (a link to itself) or a dangling link.
                        problems.add(new Problem(file.toString(), "", Files.exists(file.getParent().resolve(file))
                                ? "symbolic link loop; skipped" : "cannot follow symbolic link; skipped"));
                    } else if (attrs.isRegularFile() && ManifestReader.isManifest(file)) {
                        out.put(file, new Stamp(attrs.lastModifiedTime().toMillis(), attrs.size(),
                                Objects.requireNonNullElse(attrs.fileKey(), "")));
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    if (e instanceof FileSystemLoopException) {
                        problems.add(new Problem(file.toString(), "", "symbolic link loop; skipped"));
                    } else if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE; // deleted while listing, or a dangling link
                    } else if (ManifestReader.isManifest(file) || Files.isDirectory(file)) {
                        problems.add(new Problem(file.toString(), "", "cannot read: " + reason(e)));
                        unlisted.add(file);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            problems.add(new Problem(root.toString(), "", "cannot list directory: " + reason(e)));
            unlisted.add(root);
        }
    }

    private static String reason(IOException e) {
        String m = e.getMessage();
        if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
            m = fse.getReason();
        }
        return m == null ? e.getClass().getSimpleName() : m;
    }

    private static void stamp(Path file, Map<Path, Stamp> out) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            out.put(file, new Stamp(a.lastModifiedTime().toMillis(), a.size(), Objects.requireNonNullElse(a.fileKey(), "")));
        } catch (NoSuchFileException gone) {
            // deleted between listing and stat: treated as deleted
        } catch (IOException e) {
            out.put(file, new Stamp(-1, -1, e.getMessage()));
        }
    }
}
