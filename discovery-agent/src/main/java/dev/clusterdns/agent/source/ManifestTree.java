package dev.clusterdns.agent.source;

import dev.clusterdns.agent.manifest.Manifest;
import dev.clusterdns.agent.manifest.ManifestFile;
import dev.clusterdns.agent.manifest.ManifestReader;
import dev.clusterdns.agent.snapshot.Problem;
import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The manifests under a set of files and directories (recursively), re-read file by file when they
 * change. A file that stops parsing keeps its last good objects, with its error reported.
 */
public final class ManifestTree {

    private record Stamp(long modified, long size, Object fileKey) {}

    private record Entry(Stamp stamp, ManifestFile good, List<Problem> problems) {}

    private final List<Path> roots;
    private final ManifestReader reader;
    private final Map<Path, Entry> files = new TreeMap<>();
    private final List<Problem> rootProblems = new ArrayList<>();

    public ManifestTree(List<Path> roots, ManifestReader reader) {
        this.roots = List.copyOf(roots);
        this.reader = reader;
    }

    public List<Path> roots() {
        return roots;
    }

    /** Re-reads new and changed files, forgets deleted ones; true when anything changed. */
    public synchronized boolean rescan() {
        Map<Path, Stamp> seen = new TreeMap<>();
        List<Problem> newRootProblems = new ArrayList<>();
        for (Path root : roots) {
            list(root, seen, newRootProblems);
        }
        boolean changed = !newRootProblems.equals(rootProblems);
        rootProblems.clear();
        rootProblems.addAll(newRootProblems);
        changed |= files.keySet().retainAll(seen.keySet());
        for (Map.Entry<Path, Stamp> e : seen.entrySet()) {
            Entry old = files.get(e.getKey());
            if (old != null && old.stamp().equals(e.getValue())) {
                continue;
            }
            ManifestFile read = reader.read(e.getKey());
            if (read.unreadable() && old != null) {
                // Keep serving what this file said last time it parsed.
                List<Problem> problems = new ArrayList<>(read.problems());
                if (!old.good().manifests().isEmpty()) {
                    problems.add(new Problem(e.getKey().toString(), "",
                            "keeping the " + old.good().manifests().size() + " object(s) it last defined"));
                }
                files.put(e.getKey(), new Entry(e.getValue(), old.good(), problems));
            } else {
                files.put(e.getKey(), new Entry(e.getValue(), read, read.problems()));
            }
            changed = true;
        }
        return changed;
    }

    /** Every object, ordered by file path then position in the file. */
    public synchronized List<Manifest> manifests() {
        List<Manifest> out = new ArrayList<>();
        files.values().forEach(e -> out.addAll(e.good().manifests()));
        return out;
    }

    public synchronized List<Problem> problems() {
        List<Problem> out = new ArrayList<>(rootProblems);
        files.values().forEach(e -> out.addAll(e.problems()));
        return out;
    }

    private static void list(Path root, Map<Path, Stamp> out, List<Problem> problems) {
        if (!Files.exists(root)) {
            problems.add(new Problem(root.toString(), "", "no such file or directory"));
            return;
        }
        if (Files.isRegularFile(root)) {
            stamp(root, out);
            return;
        }
        try (Stream<Path> walk = Files.walk(root, FileVisitOption.FOLLOW_LINKS)) {
            walk.filter(p -> !p.equals(root) && Files.isRegularFile(p) && ManifestReader.isManifest(p))
                    .filter(p -> !hidden(root, p))
                    .forEach(p -> stamp(p, out));
        } catch (IOException | java.io.UncheckedIOException e) {
            problems.add(new Problem(root.toString(), "", "cannot list directory: " + e.getMessage()));
        }
    }

    /** Skips dot-directories (editor and VCS state) below a root. */
    private static boolean hidden(Path root, Path p) {
        for (Path part : root.relativize(p)) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
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
