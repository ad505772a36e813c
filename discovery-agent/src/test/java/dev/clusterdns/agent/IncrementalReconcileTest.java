package dev.clusterdns.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.manifest.Manifest;
import dev.clusterdns.agent.manifest.ManifestReader;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.agent.snapshot.Problem;
import dev.clusterdns.agent.source.ObjectChange;
import dev.clusterdns.agent.source.ObjectKey;
import dev.clusterdns.agent.source.SourceChanges;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Long random sequences of changes (Services, Pods, EndpointSlices, Endpoints, Namespaces, invalid
 * objects) applied one batch at a time must give, after every step, exactly the snapshot that one
 * reconcile of all current objects gives from the same allocation state: the incremental path may
 * skip work, never change the outcome. Small address and port ranges make allocation conflicts common.
 */
class IncrementalReconcileTest {
    private static final List<String> NAMESPACES = List.of("default", "shop", "ops");
    private static final ManifestReader READER = new ManifestReader();

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void incrementalEqualsFromScratchAfterEveryStep(long seed) throws Exception {
        Random random = new Random(seed);
        Path state = Files.createDirectories(tmp.resolve("state"));
        ClusterReconciler incremental = new ClusterReconciler(config(state));
        // What is served: an invalid edit of a valid object leaves the valid one (and a problem) in place.
        Map<ObjectKey, Manifest> world = new LinkedHashMap<>();
        Map<ObjectKey, Manifest> refused = new LinkedHashMap<>();
        for (int step = 0; step < 60; step++) {
            List<ObjectChange> batch = new ArrayList<>();
            int size = random.nextInt(10) == 0 ? 1 + random.nextInt(12) : 1 + random.nextInt(3);
            Map<ObjectKey, ObjectChange> byKey = new LinkedHashMap<>();
            for (int i = 0; i < size; i++) {
                ObjectChange c = randomChange(random, world);
                byKey.put(c.key(), c);
            }
            for (ObjectChange c : byKey.values()) {
                batch.add(c);
                refused.remove(c.key());
                if (c.removed()) {
                    world.remove(c.key());
                } else if (world.containsKey(c.key()) && valid(world.get(c.key())) && !valid(c.manifest())) {
                    refused.put(c.key(), c.manifest()); // the last valid version stays
                } else {
                    world.put(c.key(), c.manifest());
                }
            }
            ClusterSnapshot got = incremental.apply(new SourceChanges(batch, null));

            Path copy = copyOf(state, tmp.resolve("oracle-" + seed + "-" + step));
            List<ObjectChange> all = world.values().stream().map(ObjectChange::put).toList();
            ClusterSnapshot want = new ClusterReconciler(config(copy)).apply(new SourceChanges(all, null));
            String where = "seed " + seed + " step " + step + " after " + batch;
            assertSame(want, got, refused, where);
        }
    }

    /** A large first batch has its Pods and Services checked on several threads: the outcome is the same. */
    @ParameterizedTest
    @ValueSource(longs = {11, 13, 14, 15})
    void checksOnSeveralThreadsGiveWhatChecksInTurnGive(long seed) throws Exception {
        Random random = new Random(seed);
        Map<ObjectKey, Manifest> world = new LinkedHashMap<>();
        for (int i = 0; i < 400; i++) {
            ObjectChange c = randomChange(random, world);
            if (c.removed()) {
                world.remove(c.key());
            } else {
                world.put(c.key(), c.manifest());
            }
        }
        List<ObjectChange> all = world.values().stream().map(ObjectChange::put).toList();
        ClusterReconciler inTurn = new ClusterReconciler(config(Files.createDirectories(tmp.resolve("in-turn"))));
        inTurn.parallelChecksFrom = Integer.MAX_VALUE;
        ClusterReconciler parallel = new ClusterReconciler(config(Files.createDirectories(tmp.resolve("parallel"))));
        parallel.parallelChecksFrom = 1;
        ClusterSnapshot want = inTurn.apply(new SourceChanges(all, null));
        ClusterSnapshot got = parallel.apply(new SourceChanges(all, null));
        assertTrue(got.problems().stream().anyMatch(p -> p.message().contains("is invalid")), "some objects fail validation");
        assertSame(want, got, Map.of(), "seed " + seed);
        assertEquals(want.problems(), got.problems(), "problems in the same order");
    }

    /**
     * The endpoints controllers of the namespaces a batch touches run on several threads (a first
     * load): the snapshot, its problems in order and what it says changed are those of running them
     * in turn, on the first batch and on every batch after it.
     */
    @ParameterizedTest
    @ValueSource(longs = {21, 22, 23, 24})
    void endpointsOnSeveralThreadsGiveWhatTheyGiveInTurn(long seed) throws Exception {
        List<String> namespaces = List.of("default", "shop", "ops", "web", "db", "batch", "kube-system");
        Random random = new Random(seed);
        Map<ObjectKey, Manifest> world = new LinkedHashMap<>();
        for (int i = 0; i < 600; i++) {
            ObjectChange c = randomChange(random, world, namespaces);
            if (c.removed()) {
                world.remove(c.key());
            } else {
                world.put(c.key(), c.manifest());
            }
        }
        ClusterReconciler inTurn = new ClusterReconciler(config(Files.createDirectories(tmp.resolve("in-turn"))));
        inTurn.parallelEndpointsFrom = Integer.MAX_VALUE;
        ClusterReconciler parallel = new ClusterReconciler(config(Files.createDirectories(tmp.resolve("parallel"))));
        parallel.parallelEndpointsFrom = 1;
        List<ObjectChange> batch = world.values().stream().map(ObjectChange::put).toList();
        for (int step = 0; step < 40; step++) {
            ClusterSnapshot want = inTurn.apply(new SourceChanges(batch, null));
            ClusterSnapshot got = parallel.apply(new SourceChanges(batch, null));
            String where = "seed " + seed + " step " + step;
            if (step == 0) {
                assertTrue(want.populatedNamespaces().size() >= 5, where + ": " + want.populatedNamespaces());
                assertTrue(want.problems().stream().anyMatch(p -> p.message().contains("selector")),
                        where + ": some Service selects no Pod");
            }
            Set<String> spaces = new TreeSet<>(want.populatedNamespaces());
            spaces.addAll(got.populatedNamespaces());
            for (String ns : spaces) {
                assertEquals(timeless(want.objects(ns)), timeless(got.objects(ns)), where + ": namespace " + ns);
            }
            assertEquals(names(want), names(got), where + ": namespaces");
            assertEquals(want.problems(), got.problems(), where + ": problems in the same order");
            assertEquals(changed(want), changed(got), where + ": what changed");
            Map<ObjectKey, ObjectChange> next = new LinkedHashMap<>();
            int size = 1 + random.nextInt(random.nextBoolean() ? 3 : 20);
            for (int i = 0; i < size; i++) {
                ObjectChange c = randomChange(random, world, namespaces);
                next.put(c.key(), c);
            }
            for (ObjectChange c : next.values()) {
                if (c.removed()) {
                    world.remove(c.key());
                } else {
                    world.put(c.key(), c.manifest());
                }
            }
            batch = List.copyOf(next.values());
        }
    }

    private static Map<String, Set<String>> changed(ClusterSnapshot s) {
        Map<String, Set<String>> out = new java.util.TreeMap<>();
        out.put("(everything)", Set.of(String.valueOf(s.change().isEverything())));
        for (String kind : s.change().kinds()) {
            out.put(kind, new TreeSet<>(s.change().keys(kind)));
        }
        return out;
    }

    /** Valid on its own: one reconcile of just this object does not call it invalid (warnings aside). */
    private boolean valid(Manifest m) throws IOException {
        Path alone = Files.createTempDirectory(tmp, "alone");
        ClusterSnapshot s = new ClusterReconciler(config(alone)).apply(new SourceChanges(List.of(ObjectChange.put(m)), null));
        return s.problems().stream().noneMatch(p -> p.source().equals(m.origin()) && p.object().equals(m.describe())
                && p.message().contains("\" is invalid: "));
    }

    private static void assertSame(ClusterSnapshot want, ClusterSnapshot got, Map<ObjectKey, Manifest> refused, String where) {
        Set<String> spaces = new TreeSet<>(want.populatedNamespaces());
        spaces.addAll(got.populatedNamespaces());
        for (String ns : spaces) {
            assertEquals(timeless(want.objects(ns)), timeless(got.objects(ns)), where + ": namespace " + ns);
        }
        assertEquals(names(want), names(got), where + ": namespaces");
        Set<String> expected = problems(want);
        Set<String> refusals = new TreeSet<>();
        for (Problem p : got.problems()) {
            if (p.message().endsWith("; keeping its last valid version")) {
                refusals.add(p.object());
            }
        }
        assertEquals(new TreeSet<>(refused.values().stream().map(Manifest::describe).toList()), refusals,
                where + ": refused edits");
        Set<String> others = new TreeSet<>(problems(got));
        others.removeIf(p -> p.endsWith("; keeping its last valid version"));
        assertEquals(expected, others, where + ": problems");
        for (var s : want.services()) {
            for (String ip : s.clusterIPs()) {
                assertEquals(want.serviceByClusterIp(ip).map(x -> x.metadata().key()),
                        got.serviceByClusterIp(ip).map(x -> x.metadata().key()), where + ": service by " + ip);
            }
        }
        for (var p : want.pods()) {
            for (String ip : p.podIPs()) {
                assertEquals(new TreeSet<>(want.podsByIp(ip).stream().map(x -> x.name()).toList()),
                        new TreeSet<>(got.podsByIp(ip).stream().map(x -> x.name()).toList()), where + ": pods by " + ip);
            }
        }
    }

    /** The synthesised default/kubernetes is stamped when first seen: the oracle sees it later. */
    private static dev.clusterdns.agent.snapshot.NamespaceObjects timeless(dev.clusterdns.agent.snapshot.NamespaceObjects o) {
        List<dev.clusterdns.agent.model.Service> services = o.services().stream()
                .map(s -> s.name().equals("kubernetes") || s.name().equals("kube-dns") ? s.withMetadata(s.metadata().withCreationTimestamp(null)) : s).toList();
        List<dev.clusterdns.agent.model.EndpointSlice> slices = o.endpointSlices().stream()
                .map(e -> e.name().startsWith("kube-dns") ? new dev.clusterdns.agent.model.EndpointSlice(e.apiVersion(), e.kind(),
                        e.metadata().withCreationTimestamp(null), e.addressType(), e.endpoints(), e.ports()) : e).toList();
        List<dev.clusterdns.agent.model.Endpoints> endpoints = o.endpoints().stream()
                .map(e -> e.name().equals("kube-dns") ? new dev.clusterdns.agent.model.Endpoints(e.apiVersion(), e.kind(),
                        e.metadata().withCreationTimestamp(null), e.subsets()) : e).toList();
        // Pods and ReplicaSets the controllers make are stamped when first made, too.
        List<dev.clusterdns.agent.model.Pod> pods = o.pods().stream()
                .map(p -> p.metadata().ownerReferences().isEmpty() ? p : new dev.clusterdns.agent.model.Pod(p.apiVersion(),
                        p.kind(), p.metadata().withCreationTimestamp(null), p.spec(), p.status())).toList();
        List<dev.clusterdns.agent.model.Workload> workloads = o.workloads().stream()
                .map(w -> w.metadata().ownerReferences().isEmpty() ? w : w.withMetadata(w.metadata().withCreationTimestamp(null)))
                .toList();
        return new dev.clusterdns.agent.snapshot.NamespaceObjects(services, pods, slices, endpoints,
                o.configMaps(), o.secrets(), workloads);
    }

    private static Set<String> names(ClusterSnapshot s) {
        Set<String> out = new TreeSet<>();
        s.namespaces().forEach(n -> out.add(n.name()));
        return out;
    }

    private static Set<String> problems(ClusterSnapshot s) {
        Set<String> out = new TreeSet<>();
        for (Problem p : s.problems()) {
            out.add(p.toString());
        }
        return out;
    }

    private static AgentConfig config(Path state) {
        return new AgentConfig(List.of(), state, List.of("10.0.0.0/27"), "30000-30009", "10.9.0.0/29", null);
    }

    private static Path copyOf(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                if (Files.isRegularFile(f)) {
                    Files.copy(f, to.resolve(f.getFileName()));
                }
            }
        }
        return to;
    }

    private static ObjectChange randomChange(Random r, Map<ObjectKey, Manifest> world) {
        return randomChange(r, world, NAMESPACES);
    }

    private static ObjectChange randomChange(Random r, Map<ObjectKey, Manifest> world, List<String> namespaces) {
        if (!world.isEmpty() && r.nextInt(4) == 0) {
            List<ObjectKey> keys = new ArrayList<>(world.keySet());
            return ObjectChange.remove(keys.get(r.nextInt(keys.size())));
        }
        String ns = namespaces.get(r.nextInt(namespaces.size()));
        String yaml = switch (r.nextInt(10)) {
            case 9 -> deployment(r, ns);
            case 0, 1, 2 -> service(r, ns);
            case 3, 4, 5 -> pod(r, ns);
            case 6 -> slice(r, ns);
            case 7 -> endpoints(r, ns);
            default -> r.nextBoolean() ? "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + ns
                    + ", labels: {team: t" + r.nextInt(2) + "}, creationTimestamp: '2026-01-01T00:00:00Z'}\n"
                    : "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm" + r.nextInt(2) + ", namespace: " + ns
                    + ", creationTimestamp: '2026-01-01T00:00:00Z'}\ndata: {k: v" + r.nextInt(3) + "}\n";
        };
        List<Manifest> read = READER.read(new java.io.ByteArrayInputStream(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                ns + "-" + r.nextInt(3) + ".yaml", false).manifests();
        return ObjectChange.put(read.get(0));
    }

    private static String meta(Random r, String name, String ns) {
        return "metadata: {name: " + name + ", namespace: " + ns + ", creationTimestamp: '2026-01-0" + (1 + r.nextInt(3))
                + "T00:00:00Z'" + (r.nextBoolean() ? ", labels: {app: a" + r.nextInt(3) + "}" : "") + "}\n";
    }

    private static String service(Random r, String ns) {
        String name = "s" + r.nextInt(6);
        String type = switch (r.nextInt(6)) {
            case 0 -> "NodePort";
            case 1 -> "LoadBalancer";
            default -> "ClusterIP";
        };
        StringBuilder spec = new StringBuilder("spec: {type: " + type);
        if (r.nextInt(5) != 0) {
            spec.append(", selector: {app: a").append(r.nextInt(3)).append("}");
        }
        int pick = r.nextInt(10);
        if (pick == 0) {
            spec.append(", clusterIP: None");
        } else if (pick == 1) {
            spec.append(", clusterIP: 10.0.0.").append(2 + r.nextInt(6));
        }
        int port = r.nextInt(12) == 0 ? 70000 : 80 + r.nextInt(2);
        spec.append(", ports: [{name: http, port: ").append(port).append(", targetPort: http");
        if (!type.equals("ClusterIP") && r.nextInt(3) == 0) {
            spec.append(", nodePort: ").append(30000 + r.nextInt(4));
        }
        spec.append("}]}");
        return "apiVersion: v1\nkind: Service\n" + meta(r, name, ns) + spec + "\n";
    }

    private static String pod(Random r, String ns) {
        String name = "p" + r.nextInt(10);
        String ready = switch (r.nextInt(3)) {
            case 0 -> ", conditions: [{type: Ready, status: 'False'}]";
            case 1 -> ", conditions: [{type: Ready, status: 'True'}]";
            default -> "";
        };
        String ip = r.nextInt(8) == 0 ? "" : "podIP: 10.244." + r.nextInt(2) + "." + r.nextInt(6) + ", ";
        return "apiVersion: v1\nkind: Pod\n" + meta(r, name, ns)
                + "spec: {containers: [{name: c, image: nginx, ports: [{name: http, containerPort: " + (8080 + r.nextInt(2)) + "}]}]}\n"
                + "status: {" + ip + "phase: Running" + ready + "}\n";
    }

    private static String deployment(Random r, String ns) {
        String app = "a" + r.nextInt(3);
        return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d" + r.nextInt(2) + ", namespace: " + ns
                + ", creationTimestamp: '2026-01-01T00:00:00Z'}\nspec:\n  replicas: " + r.nextInt(4)
                + "\n  selector: {matchLabels: {app: " + app + "}}\n  template:\n    metadata: {labels: {app: " + app
                + "}}\n    spec: {containers: [{name: c, image: nginx, ports: [{name: http, containerPort: 8080}]}]}\n";
    }

    private static String slice(Random r, String ns) {
        return "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: es" + r.nextInt(3) + ", namespace: " + ns
                + ", creationTimestamp: '2026-01-01T00:00:00Z', labels: {kubernetes.io/service-name: s" + r.nextInt(6) + "}}\n"
                + "addressType: IPv4\nendpoints: [{addresses: [10.1.0." + r.nextInt(9) + "]}]\nports: [{name: http, port: 80}]\n";
    }

    private static String endpoints(Random r, String ns) {
        return "apiVersion: v1\nkind: Endpoints\nmetadata: {name: s" + r.nextInt(6) + ", namespace: " + ns
                + ", creationTimestamp: '2026-01-01T00:00:00Z'}\n"
                + "subsets: [{addresses: [{ip: 10.2.0." + r.nextInt(9) + "}], ports: [{name: http, port: 80}]}]\n";
    }
}
