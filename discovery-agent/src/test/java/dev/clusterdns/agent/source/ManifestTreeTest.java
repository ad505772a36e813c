package dev.clusterdns.agent.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.manifest.ManifestReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestTreeTest {
    @TempDir
    Path dir;

    static String service(String name) {
        return "apiVersion: v1\nkind: Service\nmetadata: {name: " + name + "}\nspec: {ports: [{port: 80}]}\n";
    }

    private List<String> names(Tracked tree) {
        return tree.objects.values().stream().map(m -> m.object().name()).sorted().toList();
    }

    /** A tree with the objects its changes add up to, as the agent would hold them. */
    static final class Tracked {
        final ManifestTree tree;
        final java.util.Map<ObjectKey, dev.clusterdns.agent.manifest.Manifest> objects = new java.util.HashMap<>();
        SourceChanges last;

        Tracked(ManifestTree tree) {
            this.tree = tree;
        }

        boolean rescan() {
            last = tree.rescan();
            for (ObjectChange c : last.changes()) {
                if (c.removed()) {
                    assertTrue(objects.remove(c.key()) != null, "removal of something never added: " + c.key());
                } else {
                    objects.put(c.key(), c.manifest());
                }
            }
            return !last.isEmpty();
        }

        List<dev.clusterdns.agent.snapshot.Problem> problems() {
            return tree.problems();
        }
    }

    @Test
    void picksUpCreateModifyDeleteAndSubdirectories() throws Exception {
        Tracked tree = new Tracked(new ManifestTree(List.of(dir), new ManifestReader()));
        assertFalse(tree.rescan());
        Files.writeString(dir.resolve("a.yaml"), service("a"));
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/b.yml"), service("b"));
        Files.writeString(dir.resolve("notes.txt"), "not a manifest");
        assertTrue(tree.rescan());
        assertEquals(List.of("a", "b"), names(tree));
        assertFalse(tree.rescan(), "nothing changed");

        Files.writeString(dir.resolve("a.yaml"), service("a2") + "---\n" + service("a3"));
        assertTrue(tree.rescan());
        assertEquals(List.of("a2", "a3", "b"), names(tree));

        Files.delete(dir.resolve("sub/b.yml"));
        assertTrue(tree.rescan());
        assertEquals(List.of("a2", "a3"), names(tree));
    }

    @Test
    void editorRenameSwapIsSeen() throws Exception {
        Path file = dir.resolve("svc.yaml");
        Files.writeString(file, service("old"));
        Tracked tree = new Tracked(new ManifestTree(List.of(dir), new ManifestReader()));
        tree.rescan();
        Path tmp = dir.resolve(".svc.yaml.swp");
        Files.writeString(tmp, service("new"));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        assertTrue(tree.rescan());
        assertEquals(List.of("new"), names(tree));
    }

    @Test
    void brokenFileKeepsItsLastGoodObjectsAndReportsWhy() throws Exception {
        Path file = dir.resolve("svc.yaml");
        Files.writeString(file, service("web"));
        Tracked tree = new Tracked(new ManifestTree(List.of(dir), new ManifestReader()));
        tree.rescan();
        Files.writeString(file, "apiVersion: v1\nkind: Service\nmetadata: {name: [broken\n");
        assertTrue(tree.rescan());
        assertEquals(List.of("web"), names(tree), "last good objects stay");
        assertTrue(tree.problems().stream().anyMatch(p -> p.source().equals(file.toString()) && p.message().startsWith("cannot parse")),
                tree.problems().toString());
        Files.writeString(file, service("fixed"));
        assertTrue(tree.rescan());
        assertEquals(List.of("fixed"), names(tree));
        assertTrue(tree.problems().isEmpty(), tree.problems().toString());
    }

    @Test
    void missingRootIsAProblemNotACrash() {
        Tracked tree = new Tracked(new ManifestTree(List.of(dir.resolve("nope")), new ManifestReader()));
        tree.rescan();
        assertEquals("no such file or directory", tree.problems().get(0).message());
    }

    @Test
    void singleFileRoot() throws Exception {
        Path file = dir.resolve("one.yaml");
        Files.writeString(file, service("one"));
        Files.writeString(dir.resolve("other.yaml"), service("other"));
        Tracked tree = new Tracked(new ManifestTree(List.of(file), new ManifestReader()));
        tree.rescan();
        assertEquals(List.of("one"), names(tree));
    }

    @Test
    void anEditReportsOnlyWhatItChanged() throws Exception {
        Files.writeString(dir.resolve("a.yaml"), service("a") + "---\n" + service("b"));
        Files.writeString(dir.resolve("c.yaml"), service("c"));
        Tracked tree = new Tracked(new ManifestTree(List.of(dir), new ManifestReader()));
        tree.rescan();
        assertEquals(3, tree.last.changes().size());

        Files.writeString(dir.resolve("a.yaml"), service("a") + "---\n" + service("b").replace("80", "81"));
        assertTrue(tree.rescan());
        assertEquals(List.of(new ObjectKey("Service", "default", "b")),
                tree.last.changes().stream().map(ObjectChange::key).toList(), "only b changed");

        Files.writeString(dir.resolve("a.yaml"), service("b").replace("80", "81"));
        assertTrue(tree.rescan());
        assertEquals(2, tree.last.changes().size(), "a removed, b moved to document 1: " + tree.last.changes());
        assertTrue(tree.last.changes().stream().anyMatch(c -> c.removed() && c.key().name().equals("a")));
    }

    @Test
    void aDuplicateTakesOverWhenTheFirstDefinitionGoes() throws Exception {
        Files.writeString(dir.resolve("1.yaml"), service("web"));
        Files.writeString(dir.resolve("2.yaml"), service("web").replace("80", "8080"));
        Tracked tree = new Tracked(new ManifestTree(List.of(dir), new ManifestReader()));
        tree.rescan();
        ObjectKey web = new ObjectKey("Service", "default", "web");
        assertTrue(tree.objects.get(web).origin().endsWith("1.yaml"));
        assertTrue(tree.problems().stream().anyMatch(p -> p.source().endsWith("2.yaml")
                && p.message().startsWith("services \"web\" already exists (defined first in")), tree.problems().toString());

        Files.delete(dir.resolve("1.yaml"));
        assertTrue(tree.rescan());
        assertTrue(tree.objects.get(web).origin().endsWith("2.yaml"), "the second definition serves now");
        assertTrue(tree.problems().isEmpty(), tree.problems().toString());
    }

    @Test
    void symbolicLinkLoopsAreSkippedAndEverythingElseStays() throws Exception {
        for (int i = 0; i < 5; i++) {
            Files.writeString(dir.resolve("s" + i + ".yaml"), service("s" + i));
        }
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/z.yaml"), service("z"));
        Tracked tree = new Tracked(new ManifestTree(List.of(dir), new ManifestReader()));
        tree.rescan();
        assertEquals(6, tree.objects.size());

        Files.createSymbolicLink(dir.resolve("loop-a"), dir);
        Files.createSymbolicLink(dir.resolve("sub/loop-b"), dir.resolve("sub").relativize(dir));
        Files.createSymbolicLink(dir.resolve("self.yaml"), Path.of("self.yaml"));
        tree.rescan();
        assertEquals(List.of("s0", "s1", "s2", "s3", "s4", "z"), names(tree), "a loop unserves nothing");
        assertTrue(tree.problems().stream().anyMatch(p -> p.message().contains("symbolic link loop")), tree.problems().toString());
        assertTrue(tree.problems().stream().anyMatch(p -> p.source().endsWith("self.yaml")), tree.problems().toString());
    }

    @Test
    void aFileOverTheSizeLimitIsNotReadAndKeepsItsObjects() throws Exception {
        Path file = dir.resolve("big.yaml");
        Files.writeString(file, service("web"));
        Tracked tree = new Tracked(new ManifestTree(List.of(dir), new ManifestReader(), 4096));
        tree.rescan();
        Files.writeString(file, service("web") + "# " + "x".repeat(8192) + "\n");
        tree.rescan();
        assertEquals(List.of("web"), names(tree));
        assertTrue(tree.problems().stream().anyMatch(p -> p.message().contains("over the limit of 4096")), tree.problems().toString());
    }

    @Test
    void anEditToOneDocumentParsesOnlyThatDocument() throws Exception {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            text.append(i == 0 ? "" : "---\n").append(service("s" + i));
        }
        Path file = dir.resolve("many.yaml");
        Files.writeString(file, text);
        Tracked tree = new Tracked(new ManifestTree(List.of(dir), new ManifestReader()));
        tree.rescan();
        assertEquals(50, tree.objects.size());

        write(file, text.toString().replace("{name: s17}", "{name: s17, labels: {x: y}}"), 1);
        assertTrue(tree.rescan());
        assertEquals(1, tree.tree.documentsParsed(), "only the edited document is parsed again");
        assertEquals(List.of(new ObjectKey("Service", "default", "s17")),
                tree.last.changes().stream().map(ObjectChange::key).toList());

        write(file, text + "---\n" + service("added"), 2);
        assertTrue(tree.rescan());
        assertEquals(1 + 2, tree.tree.documentsParsed(), "an appended document and the one it replaced as last");
        assertEquals("added", tree.objects.get(new ObjectKey("Service", "default", "added")).object().name());
        assertTrue(tree.objects.get(new ObjectKey("Service", "default", "added")).origin().endsWith("(document 51)"));
    }

    /**
     * Random edits to documents (changed, inserted, removed, broken, duplicated, emptied, unknown kinds,
     * files deleted and written again)
     * leave the tree exactly where a tree reading the files from scratch would be: the same objects
     * from the same origins, the same problems.
     */
    @Test
    void documentEditsEndWhereAFreshReadEnds() throws Exception {
        java.util.Random random = new java.util.Random(11);
        List<Path> paths = List.of(dir.resolve("a.yaml"), dir.resolve("b.yaml"), dir.resolve("sub/c.yaml"));
        Files.createDirectories(dir.resolve("sub"));
        java.util.Map<Path, List<String>> docs = new java.util.HashMap<>();
        for (Path p : paths) {
            List<String> d = new java.util.ArrayList<>();
            for (int i = 0; i < 6; i++) {
                d.add(service(p.getFileName().toString().charAt(0) + "" + i));
            }
            docs.put(p, d);
            write(p, join(d, false), 0);
        }
        Tracked tree = new Tracked(new ManifestTree(List.of(dir), new ManifestReader()));
        tree.rescan();
        int compared = 0;
        for (int step = 1; step <= 200; step++) {
            Path p = paths.get(random.nextInt(paths.size()));
            List<String> d = docs.get(p);
            int i = d.isEmpty() ? 0 : random.nextInt(d.size());
            String name = "n" + random.nextInt(12);
            boolean delete = false;
            switch (random.nextInt(12)) {
                case 0 -> { if (!d.isEmpty()) d.set(i, service(name)); }
                case 1 -> d.add(Math.min(i, d.size()), service(name));
                case 2 -> { if (!d.isEmpty()) d.remove(i); }
                case 3 -> d.add(Math.min(i, d.size()), "apiVersion: v1\nkind: Service\nmetadata: {name: [broken\n");
                case 4 -> d.add(Math.min(i, d.size()), "# nothing here\n");
                case 5 -> d.add(Math.min(i, d.size()), "apiVersion: v1\nkind: Widget\nmetadata: {name: " + name + "}\n");
                case 6 -> { if (!d.isEmpty()) d.set(i, d.get(i).replace("port: 80", "port: " + (81 + random.nextInt(5)))); }
                case 7, 8, 9 -> d.removeIf(x -> x.contains("[broken"));
                case 10 -> d.add("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + "}\ndata: {k: v}\n");
                default -> {
                    // The file goes (its objects, and the duplicates it won, pass to the others); an edit brings it back.
                    d.clear();
                    delete = true;
                }
            }
            if (delete) {
                Files.deleteIfExists(p);
            } else {
                write(p, join(d, random.nextBoolean()), step);
            }
            tree.rescan();
            if (docs.values().stream().anyMatch(l -> l.stream().anyMatch(x -> x.contains("[broken")))) {
                continue; // a broken file keeps its last good objects, which a fresh read never saw
            }
            Tracked fresh = new Tracked(new ManifestTree(List.of(dir), new ManifestReader()));
            fresh.rescan();
            compared++;
            assertEquals(view(fresh), view(tree), "step " + step + ", " + p);
            assertEquals(fresh.problems().stream().map(Object::toString).sorted().toList(),
                    tree.problems().stream().map(Object::toString).sorted().toList(), "problems at step " + step);
        }
        assertTrue(compared > 40, "steps compared: " + compared);
        assertTrue(tree.tree.documentsParsed() > 50, "documents were parsed on their own: " + tree.tree.documentsParsed());
    }

    private static String join(List<String> docs, boolean leadingMarker) {
        return (leadingMarker ? "---\n" : "") + String.join("---\n", docs);
    }

    /** Writes with a distinct modification time, as edits seconds apart would have. */
    private static void write(Path p, String text, int step) throws Exception {
        Files.writeString(p, text);
        Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.fromMillis(1_000_000L + step * 1000L));
    }

    private static java.util.Map<ObjectKey, String> view(Tracked t) {
        java.util.Map<ObjectKey, String> out = new java.util.TreeMap<>(java.util.Comparator.comparing(ObjectKey::toString));
        t.objects.forEach((k, m) -> out.put(k, m.origin() + " #" + Integer.toHexString(m.object().hashCode())));
        return out;
    }
}
