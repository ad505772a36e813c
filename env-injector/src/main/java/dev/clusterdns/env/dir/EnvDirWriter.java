package dev.clusterdns.env.dir;

import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.agent.snapshot.ClusterView;
import dev.clusterdns.agent.snapshot.SnapshotChange;
import dev.clusterdns.agent.snapshot.SnapshotFollower;
import dev.clusterdns.env.format.EnvFormat;
import dev.clusterdns.env.pod.EnvReferenceException;
import dev.clusterdns.env.pod.PodEnv;
import dev.clusterdns.env.resolv.PodResolvConf;
import dev.clusterdns.env.resolv.ResolvConf;
import dev.clusterdns.env.service.ServiceEnv;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a directory of env files current: `DIR/<namespace>.env` (the service variables of a pod in
 * the namespace), `DIR/<namespace>/<pod>.env` (that pod's first container) and
 * `DIR/<namespace>/<pod>.resolv.conf`. Files are replaced atomically (temp file + rename), only when
 * their content changes, and removed when their pod or namespace goes.
 */
public final class EnvDirWriter {
    private static final Logger LOG = LoggerFactory.getLogger(EnvDirWriter.class);
    /** Names safe as one path component (namespaces are DNS labels, pods DNS subdomains). */
    private static final Pattern SAFE_NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
    private static final String TEMP_SUFFIX = ".tmp";
    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> PUBLIC = PosixFilePermissions.fromString("rw-r--r--");

    private final Path dir;
    private final String clusterDomain;
    private final ResolvConf host;
    private final List<String> nameservers;
    /** Problems already logged, so a steady bad pod is reported once, not on every snapshot. */
    private Set<String> reported = Set.of();

    /**
     * @param clusterDomain for the resolv.conf search lines
     * @param host the node's resolv.conf (for dnsPolicy Default), null for none
     * @param nameservers kubelet's clusterDNS; empty for {@link PodResolvConf#defaultClusterDns}
     */
    public EnvDirWriter(Path dir, String clusterDomain, ResolvConf host, List<String> nameservers) {
        this.dir = dir;
        this.clusterDomain = clusterDomain;
        this.host = host;
        this.nameservers = List.copyOf(nameservers);
    }

    /**
     * Writes the directory for every snapshot {@code view} publishes, on a thread of its own; a burst
     * of snapshots collapses to the newest, and only what a change touches is rendered again.
     * {@code afterFirstWrite} runs once the first write is done.
     */
    public AutoCloseable start(ClusterView view, Runnable afterFirstWrite) throws IOException {
        Files.createDirectories(dir);
        AtomicReference<Runnable> onFirst = new AtomicReference<>(afterFirstWrite);
        return SnapshotFollower.start(view, "clusterdns-env-dir", (previous, snapshot, change) -> {
            try {
                write(snapshot, change);
            } catch (RuntimeException e) {
                LOG.error("env dir {}: writing revision {} failed", dir, snapshot.revision(), e);
            }
            Runnable first = onFirst.getAndSet(null);
            if (first != null) {
                first.run();
            }
        });
    }

    /** Brings the directory in line with {@code snapshot}. Returns the relative paths it (re)wrote. */
    public synchronized List<String> write(ClusterSnapshot snapshot) {
        return write(snapshot, SnapshotChange.everything());
    }

    /**
     * Brings the files that {@code change} can affect in line with {@code snapshot}: the namespaces
     * whose Services, ConfigMaps or Secrets changed (their namespace file and every pod in them), and
     * the pods that changed. default/kubernetes and kube-dns reach every pod, so they rewrite all.
     */
    public synchronized List<String> write(ClusterSnapshot snapshot, SnapshotChange change) {
        Map<String, String> desired = new TreeMap<>();
        Set<String> problems = new TreeSet<>();
        Set<String> namespaces = new TreeSet<>();
        Set<String> pods = new TreeSet<>();
        boolean all = change.isEverything() || change.services().contains("default/kubernetes")
                || change.services().contains("kube-system/kube-dns");
        if (all) {
            render(snapshot, desired, problems);
        } else {
            for (String kind : List.of(SnapshotChange.SERVICES, "ConfigMap", "Secret")) {
                change.keys(kind).forEach(k -> namespaces.add(k.substring(0, k.indexOf('/'))));
            }
            namespaces.addAll(change.namespaces());
            for (String ns : namespaces) {
                renderNamespace(snapshot, ns, desired, problems);
            }
            for (String key : change.pods()) {
                String ns = key.substring(0, key.indexOf('/'));
                if (!namespaces.contains(ns)) {
                    pods.add(key);
                    snapshot.pod(ns, key.substring(ns.length() + 1))
                            .ifPresent(p -> renderPod(snapshot, p, kubelet(snapshot), desired, problems));
                }
            }
        }
        Set<String> fresh = new TreeSet<>(problems);
        fresh.removeAll(reported);
        fresh.forEach(p -> LOG.warn("env dir {}: {}", dir, p));
        if (all) {
            reported = problems;
        } else {
            Set<String> more = new TreeSet<>(reported);
            more.addAll(problems);
            reported = more;
        }
        List<String> written = new ArrayList<>();
        try {
            for (Map.Entry<String, String> e : desired.entrySet()) {
                if (writeIfChanged(e.getKey(), e.getValue())) {
                    written.add(e.getKey());
                }
            }
            if (all) {
                removeStale(desired.keySet());
            } else {
                removeStale(namespaces, pods, desired.keySet());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("env dir " + dir + ": " + e.getMessage(), e);
        }
        return written;
    }

    private PodResolvConf.Kubelet kubelet(ClusterSnapshot snapshot) {
        List<String> clusterDns = nameservers.isEmpty() ? PodResolvConf.defaultClusterDns(snapshot) : nameservers;
        return new PodResolvConf.Kubelet(clusterDns, clusterDomain, host);
    }

    /** Relative path → content of every file the directory should hold for {@code snapshot}. */
    void render(ClusterSnapshot snapshot, Map<String, String> out, Set<String> problems) {
        Set<String> namespaces = new TreeSet<>();
        snapshot.namespaces().forEach(n -> namespaces.add(n.name()));
        namespaces.addAll(snapshot.populatedNamespaces());
        for (String ns : namespaces) {
            renderNamespace(snapshot, ns, out, problems);
        }
    }

    /** The namespace's file and the files of every pod in it; nothing for a namespace that is gone. */
    private void renderNamespace(ClusterSnapshot snapshot, String ns, Map<String, String> out, Set<String> problems) {
        if (ns == null || !SAFE_NAME.matcher(ns).matches()
                || snapshot.namespace(ns).isEmpty() && !snapshot.populatedNamespaces().contains(ns)) {
            return;
        }
        List<Service> visible = ServiceEnv.visibleTo(snapshot, ns, true);
        Map<String, String> vars = ServiceEnv.variables(visible);
        ServiceEnv.sizeWarning(ns, visible.size(), vars).ifPresent(problems::add);
        out.put(ns + ".env", header("namespace " + ns) + EnvFormat.SHELL.render(vars, problems::add));
        PodResolvConf.Kubelet kubelet = kubelet(snapshot);
        for (Pod pod : snapshot.pods(ns)) {
            renderPod(snapshot, pod, kubelet, out, problems);
        }
    }

    private void renderPod(ClusterSnapshot snapshot, Pod pod, PodResolvConf.Kubelet kubelet, Map<String, String> out,
                           Set<String> problems) {
        String ns = pod.namespace();
        if (ns == null || !SAFE_NAME.matcher(ns).matches() || !SAFE_NAME.matcher(pod.name()).matches()) {
            return;
        }
        String base = ns + "/" + pod.name();
        try {
            var env = PodEnv.forContainer(snapshot, pod, null);
            problems.addAll(env.warnings());
            out.put(base + ".env", header("pod " + pod.metadata().key()) + EnvFormat.SHELL.render(env.variables(),
                    w -> problems.add("pod " + pod.metadata().key() + ": " + w)));
        } catch (EnvReferenceException | IllegalArgumentException e) {
            // kubelet would not start this container: no file, and say why.
            problems.add(e.getMessage());
        }
        try {
            out.put(base + ".resolv.conf", PodResolvConf.forPod(pod, kubelet).conf().render());
        } catch (IllegalArgumentException e) {
            problems.add("pod " + pod.metadata().key() + ": " + e.getMessage());
        }
    }

    private static String header(String what) {
        return "# Generated by clusterdns for " + what + "; every line exports, so `. this-file` is enough.\n";
    }

    private boolean writeIfChanged(String relative, String content) throws IOException {
        Path target = dir.resolve(relative);
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        if (Files.isRegularFile(target) && Arrays.equals(Files.readAllBytes(target), bytes)) {
            return false;
        }
        Path parent = target.getParent();
        Files.createDirectories(parent);
        // Same directory, so the rename is atomic: a reader sees the old file or the new one, never half.
        Path tmp = Files.createTempFile(parent, "." + target.getFileName(), TEMP_SUFFIX);
        try {
            Files.write(tmp, bytes);
            setPermissions(tmp, relative.endsWith(".env") && relative.contains("/") ? PRIVATE : PUBLIC);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return true;
    }

    private static void setPermissions(Path p, Set<PosixFilePermission> perms) throws IOException {
        try {
            Files.setPosixFilePermissions(p, perms);
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: keep the default
        }
    }

    /** Removes what the rendered namespaces and pods no longer want, leaving the rest alone. */
    private void removeStale(Set<String> namespaces, Set<String> pods, Set<String> desired) throws IOException {
        for (String ns : namespaces) {
            if (!SAFE_NAME.matcher(ns).matches()) {
                continue;
            }
            if (!desired.contains(ns + ".env")) {
                Files.deleteIfExists(dir.resolve(ns + ".env"));
            }
            Path nsDir = dir.resolve(ns);
            if (Files.isDirectory(nsDir)) {
                removeStaleIn(nsDir, ns, desired);
            }
        }
        for (String key : pods) {
            for (String suffix : List.of(".env", ".resolv.conf")) {
                if (!desired.contains(key + suffix) && SAFE_NAME.matcher(key.substring(key.indexOf('/') + 1)).matches()) {
                    Files.deleteIfExists(dir.resolve(key + suffix));
                }
            }
        }
    }

    /** Removes files of the kinds this writer makes that no pod or namespace wants any more. */
    private void removeStale(Set<String> desired) throws IOException {
        try (DirectoryStream<Path> top = Files.newDirectoryStream(dir)) {
            for (Path p : top) {
                String name = p.getFileName().toString();
                if (Files.isDirectory(p) && SAFE_NAME.matcher(name).matches()) {
                    removeStaleIn(p, name, desired);
                } else if (owned(name) && !desired.contains(name)) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private void removeStaleIn(Path nsDir, String ns, Set<String> desired) throws IOException {
        boolean empty = true;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(nsDir)) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                if (owned(name) && !desired.contains(ns + "/" + name)) {
                    Files.deleteIfExists(p);
                } else {
                    empty = false;
                }
            }
        }
        if (empty) {
            try {
                Files.deleteIfExists(nsDir);
            } catch (java.nio.file.DirectoryNotEmptyException e) {
                // a file appeared meanwhile: keep the directory
            }
        }
    }

    /** Files this writer makes, including temp files a crash may have left behind. */
    private static boolean owned(String name) {
        return name.endsWith(".env") || name.endsWith(".resolv.conf")
                || (name.startsWith(".") && name.endsWith(TEMP_SUFFIX));
    }
}
