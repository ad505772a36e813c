package dev.clusterdns.dns.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Master;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Serial;

/**
 * Every master file in one directory, each an authoritative zone. {@link #scan()} (re)loads what
 * changed: a file whose SOA serial did not change keeps its current zone (as CoreDNS's `reload`), a
 * file that no longer parses keeps its last good zone and the reason is logged, a removed file drops
 * its zone. The published {@link ZoneSet} is immutable and swapped with one volatile write.
 */
public final class ZoneDirectory implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ZoneDirectory.class);

    private final Path dir;
    /** Per file: what we loaded last (only touched by the scanning thread). */
    private final Map<Path, Loaded> loaded = new HashMap<>();
    private volatile ZoneSet zones = ZoneSet.EMPTY;
    private volatile List<String> problems = List.of();
    private ScheduledExecutorService watcher;
    private boolean missingLogged;

    private record Loaded(long modified, long size, FileZone zone) {}

    public ZoneDirectory(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    public ZoneSet zones() {
        return zones;
    }

    /** Load errors of the last scan, one line each (file:line: reason). */
    public List<String> problems() {
        return problems;
    }

    /** Rescans every `interval` on a daemon thread until closed. */
    public synchronized ZoneDirectory watch(long interval, TimeUnit unit) {
        if (watcher == null) {
            watcher = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "zonefile-reload");
                t.setDaemon(true);
                return t;
            });
            watcher.scheduleWithFixedDelay(() -> {
                try {
                    scan();
                } catch (RuntimeException e) {
                    LOG.warn("zone file rescan of {} failed: {}", dir, e.toString());
                }
            }, interval, interval, unit);
        }
        return this;
    }

    /** Loads new and changed files, drops removed ones, and publishes the result. */
    public synchronized ZoneSet scan() {
        List<Path> files = new ArrayList<>();
        if (!Files.isDirectory(dir) && !missingLogged) {
            missingLogged = true;
            LOG.info("zone file directory {} does not exist: no file zones until it does", dir.toAbsolutePath());
        }
        if (Files.isDirectory(dir)) {
            missingLogged = false;
            try (Stream<Path> s = Files.list(dir)) {
                // Not only regular files: a FIFO or device here is refused by name, not skipped unsaid.
                s.filter(p -> !Files.isDirectory(p))
                        .filter(p -> !p.getFileName().toString().startsWith("."))
                        .filter(p -> !p.getFileName().toString().endsWith("~"))
                        .sorted()
                        .forEach(files::add);
            } catch (IOException e) {
                LOG.warn("cannot list zone file directory {}: {}", dir, e.toString());
                return zones;
            }
        }
        List<String> errors = new ArrayList<>();
        loaded.keySet().retainAll(files);
        for (Path file : files) {
            BasicFileAttributes attrs;
            try {
                attrs = Files.readAttributes(file, BasicFileAttributes.class);
            } catch (IOException e) {
                continue;
            }
            long modified = attrs.lastModifiedTime().toMillis();
            Loaded before = loaded.get(file);
            if (before != null && before.modified == modified && before.size == attrs.size()) {
                continue;
            }
            try {
                FileZone zone = parse(file);
                if (before != null && before.zone != null && before.zone.origin().equals(zone.origin())
                        && Serial.compare(zone.serial(), before.zone.serial()) == 0) {
                    LOG.warn("zone file {} changed but its SOA serial {} did not; keeping the loaded zone {} (bump the serial to reload)",
                            file, zone.serial(), zone.origin());
                    loaded.put(file, new Loaded(modified, attrs.size(), before.zone));
                    continue;
                }
                loaded.put(file, new Loaded(modified, attrs.size(), zone));
                LOG.info("loaded zone {} serial {} from {} ({} records)", zone.origin(), zone.serial(), file, zone.records().size() + 1);
            } catch (IOException | RuntimeException e) {
                String why = file + ": " + e.getMessage();
                errors.add(why);
                // Keep the last good zone; remember the attributes so we do not re-log every scan.
                loaded.put(file, new Loaded(modified, attrs.size(), before == null ? null : before.zone));
                LOG.error("zone file not loaded: {}{}", why, before != null && before.zone != null
                        ? "; still serving the last good " + before.zone.origin() + " serial " + before.zone.serial() : "");
            }
        }
        Map<Name, FileZone> byOrigin = new TreeMap<>();
        for (Path file : files) {
            Loaded l = loaded.get(file);
            if (l == null || l.zone == null) {
                continue;
            }
            FileZone other = byOrigin.putIfAbsent(l.zone.origin(), l.zone);
            if (other != null) {
                String why = file + ": zone " + l.zone.origin() + " is already served from " + other.file() + "; ignoring this file";
                errors.add(why);
                LOG.error(why);
            }
        }
        problems = List.copyOf(errors);
        zones = new ZoneSet(byOrigin);
        return zones;
    }

    /**
     * Records one zone file may yield, `$GENERATE` and `$INCLUDE` counted: a line such as
     * `$GENERATE 1-4000000000 h$ A 192.0.2.1` would otherwise fill the heap of the whole server.
     */
    public static final int MAX_RECORDS = 500_000;

    /**
     * Parses one master file; the zone is its SOA owner (relative names need a `$ORIGIN`). The file
     * and what it `$INCLUDE`s must be regular files (checked before any is opened).
     */
    public static FileZone parse(Path file) throws IOException {
        IncludedFiles.check(file);
        List<Record> records = new ArrayList<>();
        try (Master master = new Master(file.toString())) {
            Record r;
            while ((r = master.nextRecord()) != null) {
                if (records.size() == MAX_RECORDS) {
                    throw new IOException("more than " + MAX_RECORDS + " records ($GENERATE and $INCLUDE counted); not loaded");
                }
                records.add(r);
            }
        }
        return FileZone.of(file, records);
    }

    @Override
    public synchronized void close() {
        if (watcher != null) {
            watcher.shutdownNow();
            watcher = null;
        }
    }
}
