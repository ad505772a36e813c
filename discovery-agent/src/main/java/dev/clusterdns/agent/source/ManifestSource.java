package dev.clusterdns.agent.source;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/** Manifest files and directories as a {@link Source}: the tree's changes, re-scanned when the watcher sees a write. */
public final class ManifestSource implements Source {
    private final ManifestTree tree;
    private ManifestWatcher watcher;
    private final java.util.concurrent.CompletableFuture<Void> synced = new java.util.concurrent.CompletableFuture<>();

    public ManifestSource(ManifestTree tree) {
        this.tree = tree;
    }

    public List<Path> roots() {
        return tree.roots();
    }

    @Override
    public void start(Consumer<SourceChanges> sink) throws IOException {
        sink.accept(tree.rescan());
        synced.complete(null);
        watcher = new ManifestWatcher(tree.roots(), () -> {
            SourceChanges changes = tree.rescan();
            if (!changes.isEmpty()) {
                sink.accept(changes);
            }
        });
    }

    @Override
    public SourceChanges readAll() {
        return tree.rescan();
    }

    @Override
    public java.util.concurrent.CompletableFuture<Void> firstSync() {
        return synced;
    }

    @Override
    public void close() {
        if (watcher != null) {
            try {
                watcher.close();
            } catch (IOException e) {
                // closing a watch service only fails when it is already closed
            }
        }
    }
}
