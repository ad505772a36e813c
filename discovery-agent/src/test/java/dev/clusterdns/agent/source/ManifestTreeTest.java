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
}
