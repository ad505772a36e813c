package dev.clusterdns.agent.source;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches manifest paths (inotify through WatchService) and calls {@code onChange} after a short
 * quiet period, so an editor's save (write temp, rename over) becomes one reload. A slow poll backs
 * the watcher up for file systems that do not deliver events.
 */
public final class ManifestWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ManifestWatcher.class);
    static final long QUIET_MILLIS = 40;
    static final long POLL_MILLIS = 2000;

    private final List<Path> roots;
    private final Runnable onChange;
    private final WatchService watch;
    private final Set<Path> registered = new HashSet<>();
    private final Thread thread;
    private volatile boolean running = true;

    public ManifestWatcher(List<Path> roots, Runnable onChange) throws IOException {
        this.roots = List.copyOf(roots);
        this.onChange = onChange;
        this.watch = FileSystems.getDefault().newWatchService();
        registerAll();
        this.thread = new Thread(this::run, "clusterdns-manifest-watch");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void registerAll() {
        for (Path root : roots) {
            Path dir = Files.isDirectory(root) ? root : root.toAbsolutePath().getParent();
            if (dir == null || !Files.isDirectory(dir)) {
                continue;
            }
            if (Files.isDirectory(root)) {
                try (Stream<Path> walk = Files.walk(root)) {
                    walk.filter(Files::isDirectory).forEach(this::register);
                } catch (IOException | java.io.UncheckedIOException e) {
                    LOG.warn("cannot watch {}: {}", root, e.getMessage());
                }
            } else {
                register(dir);
            }
        }
    }

    private void register(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        if (!registered.add(abs)) {
            return;
        }
        try {
            abs.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
        } catch (IOException e) {
            registered.remove(abs);
            LOG.warn("cannot watch {}: {}", abs, e.getMessage());
        }
    }

    private void run() {
        while (running) {
            try {
                WatchKey key = watch.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (key != null) {
                    drain(key);
                    // Let the burst of events from one save settle before reloading.
                    WatchKey more;
                    while ((more = watch.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS)) != null) {
                        drain(more);
                    }
                    registerAll(); // new subdirectories
                }
                onChange.run(); // after events, and as the periodic poll
            } catch (ClosedWatchServiceException | InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("manifest reload failed", e);
            }
        }
    }

    private static void drain(WatchKey key) {
        key.pollEvents();
        key.reset();
    }

    @Override
    public void close() throws IOException {
        running = false;
        watch.close();
        thread.interrupt();
    }
}
