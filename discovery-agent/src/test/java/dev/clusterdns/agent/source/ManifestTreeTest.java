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

    private List<String> names(ManifestTree tree) {
        return tree.manifests().stream().map(m -> m.object().name()).toList();
    }

    @Test
    void picksUpCreateModifyDeleteAndSubdirectories() throws Exception {
        ManifestTree tree = new ManifestTree(List.of(dir), new ManifestReader());
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
        ManifestTree tree = new ManifestTree(List.of(dir), new ManifestReader());
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
        ManifestTree tree = new ManifestTree(List.of(dir), new ManifestReader());
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
        ManifestTree tree = new ManifestTree(List.of(dir.resolve("nope")), new ManifestReader());
        tree.rescan();
        assertEquals("no such file or directory", tree.problems().get(0).message());
    }

    @Test
    void singleFileRoot() throws Exception {
        Path file = dir.resolve("one.yaml");
        Files.writeString(file, service("one"));
        Files.writeString(dir.resolve("other.yaml"), service("other"));
        ManifestTree tree = new ManifestTree(List.of(file), new ManifestReader());
        tree.rescan();
        assertEquals(List.of("one"), names(tree));
    }
}
