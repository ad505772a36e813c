package dev.clusterdns.env.dir;

import static dev.clusterdns.env.Objects.configMapKey;
import static dev.clusterdns.env.Objects.container;
import static dev.clusterdns.env.Objects.env;
import static dev.clusterdns.env.Objects.pod;
import static dev.clusterdns.env.Objects.port;
import static dev.clusterdns.env.Objects.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.model.Namespace;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.agent.snapshot.SnapshotPublisher;
import dev.clusterdns.env.resolv.ResolvConf;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvDirWriterTest {
    @TempDir Path dir;

    private static final Service MASTER = service("default", "kubernetes", "127.96.0.1", port("https", "TCP", 443));
    private static final Pod WEB_POD = pod("shop", "web-1", null, container("app", List.of(env("GREETING", "it's $5")), List.of()));

    private static ClusterSnapshot snapshot(long rev, List<Service> services, List<Pod> pods) {
        return ClusterSnapshot.builder(rev).namespaces(List.of(Namespace.named("default"), Namespace.named("shop")))
                .services(services).pods(pods).build();
    }

    private EnvDirWriter writer() {
        return new EnvDirWriter(dir, "cluster.local", ResolvConf.parse("nameserver 192.0.2.1\n"), List.of());
    }

    @Test
    void writesNamespaceAndPodFiles() throws Exception {
        EnvDirWriter w = writer();
        List<String> written = w.write(snapshot(1, List.of(MASTER, service("shop", "web", "127.96.0.20",
                port("http", "TCP", 80))), List.of(WEB_POD)));
        assertEquals(List.of("default.env", "shop.env", "shop/web-1.env", "shop/web-1.resolv.conf"), written);
        String ns = Files.readString(dir.resolve("shop.env"));
        assertTrue(ns.contains("export WEB_SERVICE_HOST='127.96.0.20'\n"), ns);
        assertTrue(ns.contains("export KUBERNETES_SERVICE_HOST='127.96.0.1'\n"), ns);
        String pod = Files.readString(dir.resolve("shop/web-1.env"));
        assertTrue(pod.contains("export GREETING='it'\\''s $5'\n"), pod);
        assertTrue(pod.contains("export WEB_SERVICE_PORT_HTTP='80'\n"), pod);
        assertEquals("search shop.svc.cluster.local svc.cluster.local cluster.local\nnameserver 127.0.0.1\noptions ndots:5\n",
                Files.readString(dir.resolve("shop/web-1.resolv.conf")));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("shop/web-1.env"))),
                "pod files may hold Secret values");
        assertFalse(hasTempFiles(), "no temp files left behind");
    }

    @Test
    void rewritesOnlyWhatChangedAndRemovesWhatWent() throws Exception {
        EnvDirWriter w = writer();
        w.write(snapshot(1, List.of(MASTER, service("shop", "web", "127.96.0.20", port("http", "TCP", 80))), List.of(WEB_POD)));
        FileTime old = FileTime.fromMillis(1_000_000L);
        Files.setLastModifiedTime(dir.resolve("default.env"), old);

        assertEquals(List.of(), w.write(snapshot(2, List.of(MASTER, service("shop", "web", "127.96.0.20",
                port("http", "TCP", 80))), List.of(WEB_POD))), "same content, nothing rewritten");
        assertEquals(old, Files.getLastModifiedTime(dir.resolve("default.env")));

        // A port change rewrites the namespace file and the pod file; default.env stays untouched.
        assertEquals(List.of("shop.env", "shop/web-1.env"), w.write(snapshot(3, List.of(MASTER,
                service("shop", "web", "127.96.0.20", port("http", "TCP", 8080))), List.of(WEB_POD))));
        assertEquals(old, Files.getLastModifiedTime(dir.resolve("default.env")));

        // The pod goes: its files and its (now empty) namespace directory go; the namespace file stays.
        Files.writeString(dir.resolve("keep-me.txt"), "not ours");
        w.write(snapshot(4, List.of(MASTER), List.of()));
        assertFalse(Files.exists(dir.resolve("shop/web-1.env")));
        assertFalse(Files.exists(dir.resolve("shop/web-1.resolv.conf")));
        assertFalse(Files.exists(dir.resolve("shop")));
        assertTrue(Files.exists(dir.resolve("shop.env")));
        assertFalse(Files.readString(dir.resolve("shop.env")).contains("WEB_"));

        // The namespace goes.
        w.write(ClusterSnapshot.builder(5).namespaces(List.of(Namespace.named("default"))).services(List.of(MASTER)).build());
        assertFalse(Files.exists(dir.resolve("shop.env")));
        assertTrue(Files.exists(dir.resolve("default.env")));
        assertTrue(Files.exists(dir.resolve("keep-me.txt")), "files the writer does not make are left alone");
    }

    @Test
    void aPodKubeletCouldNotStartGetsNoEnvFile() throws Exception {
        Pod broken = pod("shop", "broken", null, container("app", List.of(configMapKey("X", "missing", "k", null)), List.of()));
        writer().write(snapshot(1, List.of(MASTER), List.of(broken, WEB_POD)));
        assertFalse(Files.exists(dir.resolve("shop/broken.env")));
        assertTrue(Files.exists(dir.resolve("shop/broken.resolv.conf")));
        assertTrue(Files.exists(dir.resolve("shop/web-1.env")));
    }

    @Test
    void followsPublishedSnapshotsAndSignalsTheFirstWrite() throws Exception {
        SnapshotPublisher publisher = new SnapshotPublisher();
        publisher.publish(snapshot(1, List.of(MASTER), List.of()));
        CountDownLatch first = new CountDownLatch(1);
        try (AutoCloseable running = writer().start(publisher, first::countDown)) {
            assertTrue(first.await(30, TimeUnit.SECONDS), "first write never finished");
            assertTrue(Files.exists(dir.resolve("shop.env")));
            publisher.publish(snapshot(2, List.of(MASTER, service("shop", "api", "127.96.0.30", port(null, "TCP", 81))),
                    List.of(WEB_POD)));
            Path podFile = dir.resolve("shop/web-1.env");
            for (int i = 0; i < 300 && !(Files.exists(podFile) && Files.readString(podFile).contains("API_SERVICE_HOST")); i++) {
                Thread.sleep(100);
            }
            assertTrue(Files.readString(podFile).contains("export API_SERVICE_HOST='127.96.0.30'"));
        }
    }

    @Test
    void readersNeverSeeHalfAFile() throws Exception {
        EnvDirWriter w = writer();
        ClusterSnapshot[] versions = new ClusterSnapshot[2];
        for (int v = 0; v < 2; v++) {
            List<Service> many = new java.util.ArrayList<>(List.of(MASTER));
            for (int i = 0; i < 300; i++) {
                many.add(service("shop", "svc-" + i, "127.96." + (10 + v) + "." + (i % 250 + 1), port("http", "TCP", 80 + i)));
            }
            versions[v] = snapshot(v + 1, many, List.of());
        }
        Path file = dir.resolve("shop.env");
        w.write(versions[0]);
        String a = Files.readString(file);
        w.write(versions[1]);
        String b = Files.readString(file);
        assertTrue(a.length() > 50_000 && !a.equals(b));

        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<String> torn = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        Thread reader = new Thread(() -> {
            while (!done.get()) {
                try {
                    String seen = Files.readString(file);
                    reads.incrementAndGet();
                    if (!seen.equals(a) && !seen.equals(b)) {
                        torn.set(seen);
                    }
                } catch (java.io.IOException e) {
                    torn.set("unreadable: " + e);
                }
            }
        });
        reader.start();
        for (int i = 0; i < 200; i++) {
            w.write(versions[i % 2]);
        }
        done.set(true);
        reader.join();
        assertEquals(null, torn.get(), "a reader saw a partial file");
        assertTrue(reads.get() > 0);
    }

    private boolean hasTempFiles() throws Exception {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.anyMatch(p -> p.getFileName().toString().endsWith(".tmp"));
        }
    }

    @Test
    void aChangeRewritesOnlyWhatItTouchesAndEndsAsAFullWriteWould() throws Exception {
        Pod other = pod("ops", "job-1", null, container("app", List.of(), List.of()));
        Pod web2 = pod("shop", "web-2", null, container("app", List.of(), List.of()));
        ClusterSnapshot first = ClusterSnapshot.builder(1).namespaces(List.of(Namespace.named("default"),
                Namespace.named("shop"), Namespace.named("ops"))).services(List.of(MASTER,
                service("shop", "web", "127.96.0.20", port("http", "TCP", 80)))).pods(List.of(WEB_POD, other)).build();
        EnvDirWriter w = writer();
        w.write(first);

        // shop gains a Service and a pod, ops loses its pod.
        dev.clusterdns.agent.snapshot.NamespaceObjects shop = new dev.clusterdns.agent.snapshot.NamespaceObjects(
                List.of(service("shop", "api", "127.96.0.21", port("http", "TCP", 8080)),
                        service("shop", "web", "127.96.0.20", port("http", "TCP", 80))),
                List.of(WEB_POD, web2), List.of(), List.of(), List.of(), List.of(), List.of());
        dev.clusterdns.agent.snapshot.SnapshotChange change = dev.clusterdns.agent.snapshot.SnapshotChange.builder()
                .add("Service", "shop/api").add("Pod", "shop/web-2").add("Pod", "ops/job-1").build();
        ClusterSnapshot second = first.successor(2).namespace("shop", shop)
                .namespace("ops", dev.clusterdns.agent.snapshot.NamespaceObjects.EMPTY).change(change).build();
        List<String> written = w.write(second, change);
        assertEquals(List.of("shop.env", "shop/web-1.env", "shop/web-2.env", "shop/web-2.resolv.conf"), written,
                "default.env and the untouched resolv.conf stay as they are");
        assertFalse(Files.exists(dir.resolve("ops/job-1.env")), "a removed pod's files go");

        Path full = Files.createTempDirectory("env-full");
        new EnvDirWriter(full, "cluster.local", ResolvConf.parse("nameserver 192.0.2.1\n"), List.of()).write(second);
        assertEquals(tree(full), tree(dir));
    }

    private static java.util.Map<String, String> tree(Path root) throws Exception {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                out.put(root.relativize(p).toString(), Files.readString(p));
            }
        }
        return out;
    }
}
