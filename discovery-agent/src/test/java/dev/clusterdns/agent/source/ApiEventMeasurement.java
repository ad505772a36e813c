package dev.clusterdns.agent.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.clusterdns.agent.AgentConfig;
import dev.clusterdns.agent.ClusterAgent;
import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import java.io.InputStream;
import java.net.InetAddress;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Issue 9's API event latency: the scale data set (bench/scale_data.py) in fabric8's mock API
 * server (CRUD mode), a {@link ClusterAgent} watching it, and one Pod's Ready condition flipped at a
 * time. Measures from the moment the mock server sends the Pod's watch event until the published
 * snapshot (ClusterView.subscribe) shows the Pod's new readiness, and until it shows the endpoint's:
 * the mock server runs no EndpointSlice controller, so this harness plays it and patches the
 * Service's slice right after the Pod, as the controller would on the Pod's watch event. The data
 * set goes into the mock server's store directly (as its POST handler stores it), which is quicker
 * than 160k requests; the agent then lists and watches it over HTTP as it would a real API server.
 *
 * <p>Opt-in (it takes a while and only prints numbers, never asserts a time): run by
 * {@code bench/scale.sh}, or {@code mvn -B -q -o -pl discovery-agent test -Dtest=ApiEventMeasurement
 * -Dsurefire.failIfNoSpecifiedTests=false -Dscale.bench=true -Dscale.manifests=DIR [-Dscale.flips=50]
 * [-Dscale.deadline=SECONDS] [-Dscale.out=FILE]}. One line of {@code key=value} results is appended to {@code scale.out} (and
 * printed to the surefire output file).
 */
class ApiEventMeasurement {
    private static final long NANOS_PER_MS = 1_000_000L;
    private static final String CREATED = DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    /** Held so it is not collected: the mock server logs every request (JUL), which costs more than it serves. */
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    /** The mock API server's store, which also notes when it sends the watch event of the flipped Pod. */
    private final EventClock dispatcher = new EventClock();
    private KubernetesClient client;

    /**
     * The clock starts where the API server sends the Pod's watch event, so the mock server's own
     * costs (it scans its whole store to find the object a PATCH names) stay out of the latency.
     */
    static final class EventClock extends KubernetesCrudDispatcher {
        private volatile String watchedPath;
        private volatile long sentNanos;

        void watch(String path) {
            sentNanos = 0;
            watchedPath = path;
        }

        long sentNanos() {
            return sentNanos;
        }

        @Override
        public void processEvent(String path, AttributeSet pathAttributes, AttributeSet oldAttributes,
                                 GenericKubernetesResource resource, String newState) {
            String w = watchedPath;
            if (w != null && sentNanos == 0 && (path.equals(w) || path.startsWith(w + "/"))) {
                sentNanos = System.nanoTime();
            }
            super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
        }
    }

    /** What the listener waits for: the Pod's and its endpoint's readiness after the current flip. */
    private record Target(String namespace, String pod, String service, String ip, boolean ready) {}

    private volatile Target target;
    private volatile long podSeenNanos;
    private volatile long endpointSeenNanos;
    private volatile long lastPublishNanos;
    private volatile ClusterSnapshot latest;

    @Test
    void podReadinessChangeUntilTheSnapshotShowsIt() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("scale.bench"), "measurement only with -Dscale.bench=true");
        Path dir = Path.of(System.getProperty("scale.manifests", ""));
        Assumptions.assumeTrue(Files.isDirectory(dir), "-Dscale.manifests=DIR must name a data set from bench/scale_data.py");
        int flips = Integer.getInteger("scale.flips", 50);
        // Flipping stops once this much time has passed since the start, and the flips done are reported.
        long deadline = System.nanoTime() + Long.getLong("scale.deadline", 900) * 1_000 * NANOS_PER_MS;
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);

        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        try (KubernetesClient c = server.createClient()) {
            client = c;
            measure(dir, flips, deadline);
        } finally {
            server.destroy();
        }
    }

    private void measure(Path dir, int planned, long deadline) throws Exception {
        long loadStart = System.nanoTime();
        Dataset data = load(dir);
        long loadNanos = System.nanoTime() - loadStart;

        AgentConfig config = new AgentConfig(List.of(), null, null, null, null, null,
                new AgentConfig.KubernetesApi(null, client.getMasterUrl().toString()));
        try (ClusterAgent agent = new ClusterAgent(config)) {
            agent.view().subscribe(this::observe);
            long syncStart = System.nanoTime();
            agent.start();
            waitFor(() -> latest != null && latest.services().size() == data.services, 600_000);
            long syncNanos = System.nanoTime() - syncStart;
            // Served from the lists; a change is seen once the watches are open (until then the source
            // says so in the problems), so flipping starts then.
            waitFor(() -> latest.problems().stream().noneMatch(p -> p.message().startsWith("no watch open")), 600_000);
            // The first change after the first list is seen when the informers' watches have opened
            // (start-up, not the steady state): one flip pair, timed on its own, before the sample.
            Pod first = data.pods.get(data.pods.size() - 1);
            Flip warmDown = flip(data, first, false, deadline);
            Flip warmUp = flip(data, first, true, deadline);
            long firstChangeNanos = warmDown == null ? -1 : warmDown.endpoint;
            if (warmUp == null) {
                throw new AssertionError("the first flip pair was never seen");
            }

            long[] podLatency = new long[planned];
            long[] endpointLatency = new long[planned];
            long[] writeTime = new long[planned];
            int flips = 0;
            int unseen = 0;
            for (int i = 0; i < planned && System.nanoTime() < deadline; i++, flips++) {
                // Pairs of flips: a Pod goes not ready, then ready again; every pair takes another Pod.
                Pod pod = data.pods.get((int) ((i / 2) * 7919L % data.pods.size()));
                boolean ready = i % 2 == 1;
                quiet(i == 0 ? 0 : endpointLatency[i - 1]);
                Flip f = flip(data, pod, ready, deadline);
                if (f == null) {
                    unseen++;
                    break;
                }
                podLatency[i] = f.pod;
                endpointLatency[i] = f.endpoint;
                writeTime[i] = f.write;
            }
            String line = String.format(
                    "api namespaces=%d objects=%d flips=%d load_s=%.1f sync_ms=%d first_change_ms=%d pod_median_ms=%.1f pod_p99_ms=%.1f"
                            + " endpoint_median_ms=%.1f endpoint_p99_ms=%.1f write_median_ms=%.1f unseen=%d load_avg=%.2f",
                    data.namespaces, data.objects, flips, loadNanos / 1e9, syncNanos / NANOS_PER_MS, firstChangeNanos / NANOS_PER_MS,
                    median(podLatency, flips), p99(podLatency, flips), median(endpointLatency, flips),
                    p99(endpointLatency, flips), median(writeTime, flips), unseen, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            System.out.println(line);
            String out = System.getProperty("scale.out");
            if (out != null && !out.isEmpty()) {
                Files.writeString(Path.of(out), line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        }
    }

    /** On the publisher's thread: note when the current flip becomes visible; kept to two map lookups. */
    private void observe(ClusterSnapshot s) {
        long now = System.nanoTime();
        latest = s;
        lastPublishNanos = now;
        Target t = target;
        if (t == null) {
            return;
        }
        if (podSeenNanos == 0 && podReady(s, t.namespace, t.pod) == t.ready) {
            podSeenNanos = now;
        }
        if (endpointSeenNanos == 0 && endpointReady(s, t.namespace, t.service, t.ip) == t.ready) {
            endpointSeenNanos = now;
        }
    }

    private static Boolean podReady(ClusterSnapshot s, String namespace, String name) {
        return s.pod(namespace, name).map(p -> p.status() != null && p.status().conditions().stream()
                .anyMatch(c -> "Ready".equals(c.type()) && "True".equals(c.status()))).orElse(null);
    }

    private static Boolean endpointReady(ClusterSnapshot s, String namespace, String service, String ip) {
        for (EndpointSlice slice : s.endpointSlices(namespace, service)) {
            for (EndpointSlice.Endpoint e : slice.endpoints()) {
                if (e.addresses().contains(ip)) {
                    return e.isReady();
                }
            }
        }
        return null;
    }

    private record Flip(long pod, long endpoint, long write) {}

    /** Writes the Pod's status, then (as the EndpointSlice controller would) its Service's slice. */
    private Flip flip(Dataset data, Pod pod, boolean ready, long deadline) throws Exception {
        String ns = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        String service = pod.getMetadata().getLabels().get("app");
        String ip = pod.getStatus().getPodIP();
        // JSON patches (RFC 6902) of just the changed fields: the mock server merges lists on a merge patch.
        String podPatch = "[{\"op\":\"replace\",\"path\":\"/status/conditions/0/status\",\"value\":\""
                + (ready ? "True" : "False") + "\"}]";
        int at = data.endpointIndex.get(ns + "/" + name);
        String slicePatch = "[{\"op\":\"replace\",\"path\":\"/endpoints/" + at + "/conditions/ready\",\"value\":" + ready + "},"
                + "{\"op\":\"replace\",\"path\":\"/endpoints/" + at + "/conditions/serving\",\"value\":" + ready + "}]";

        podSeenNanos = 0;
        endpointSeenNanos = 0;
        dispatcher.watch("/api/v1/namespaces/" + ns + "/pods/" + name);
        long start = System.nanoTime();
        target = new Target(ns, name, service, ip, ready);
        client.pods().inNamespace(ns).withName(name).subresource("status")
                .patch(PatchContext.of(PatchType.JSON), podPatch);
        long written = System.nanoTime();
        client.discovery().v1().endpointSlices().inNamespace(ns).withName(service)
                .patch(PatchContext.of(PatchType.JSON), slicePatch);
        // However slow the agent, a flip counts once it shows; a run that reaches its deadline reports it unseen.
        long waitMillis = Math.max(60_000, (deadline - System.nanoTime()) / NANOS_PER_MS + 180_000);
        try {
            waitFor(() -> podSeenNanos != 0 && endpointSeenNanos != 0, waitMillis);
        } catch (AssertionError e) {
            if (System.nanoTime() > deadline) {
                System.out.println("flip of " + ns + "/" + name + " not shown " + waitMillis + " ms after it was sent");
                return null;
            }
            throw new AssertionError("flip of " + ns + "/" + name + " to ready=" + ready + " not published: the API server has "
                    + client.pods().inNamespace(ns).withName(name).get().getStatus().getConditions() + " and "
                    + client.discovery().v1().endpointSlices().inNamespace(ns).withName(service).get().getEndpoints().stream()
                            .filter(x -> x.getAddresses().contains(ip)).map(Endpoint::getConditions).toList()
                    + "; the last snapshot (revision " + latest.revision() + ") has pod ready " + podReady(latest, ns, name)
                    + ", endpoint ready " + endpointReady(latest, ns, service, ip), e);
        }
        target = null;
        long sent = dispatcher.sentNanos();
        if (sent == 0) {
            throw new AssertionError("the mock server sent no event for " + ns + "/" + name);
        }
        return new Flip(podSeenNanos - sent, endpointSeenNanos - sent, written - start);
    }

    /** Lets the agent finish what the last flip started: no snapshot for a while (longer on slow sizes). */
    private void quiet(long lastLatencyNanos) throws InterruptedException {
        long quietNanos = Math.max(300 * NANOS_PER_MS, 2 * lastLatencyNanos);
        while (System.nanoTime() - lastPublishNanos < quietNanos) {
            Thread.sleep(20);
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier cond, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * NANOS_PER_MS;
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not seen within " + timeoutMillis + " ms");
            }
            Thread.sleep(0, 200_000);
        }
    }

    /** The data set as the API server would hold it. */
    private static final class Dataset {
        int namespaces;
        int services;
        int objects;
        final List<Pod> pods = new ArrayList<>();
        /** Where each Pod (namespace/name) is in its Service's one slice (named after the Service). */
        final Map<String, Integer> endpointIndex = new HashMap<>();
    }

    /**
     * Creates what the manifests define, plus what the API server and its controllers would add: a
     * ClusterIP per Service (from 10.96.0.0/12, in file order) and one EndpointSlice per Service.
     */
    private Dataset load(Path dir) throws Exception {
        Dataset data = new Dataset();
        long parseNanos = 0;
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList();
        }
        for (Path file : files) {
            List<HasMetadata> items;
            long t = System.nanoTime();
            try (InputStream in = Files.newInputStream(file)) {
                items = client.load(in).items();
            }
            parseNanos += System.nanoTime() - t;
            String ns = items.get(0).getMetadata().getNamespace();
            create("/api/v1/namespaces", new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                    .withNewMetadata().withName(ns).endMetadata().build());
            Map<String, List<Endpoint>> byService = new LinkedHashMap<>();
            for (HasMetadata o : items) {
                if (o instanceof Service s) {
                    String ip = clusterIp(data.services++);
                    s.getSpec().setClusterIP(ip);
                    s.getSpec().setClusterIPs(List.of(ip));
                    create("/api/v1/namespaces/" + ns + "/services", s);
                    byService.put(s.getMetadata().getName(), new ArrayList<>());
                } else if (o instanceof Pod p) {
                    create("/api/v1/namespaces/" + ns + "/pods", p);
                    data.pods.add(p);
                    byService.computeIfAbsent(p.getMetadata().getLabels().get("app"), k -> new ArrayList<>())
                            .add(new EndpointBuilder().withAddresses(p.getStatus().getPodIP())
                                    .withNewConditions().withReady(true).withServing(true).withTerminating(false).endConditions()
                                    .withNewTargetRef().withKind("Pod").withNamespace(ns).withName(p.getMetadata().getName()).endTargetRef()
                                    .build());
                }
                data.objects++;
            }
            for (Map.Entry<String, List<Endpoint>> e : byService.entrySet()) {
                create("/apis/discovery.k8s.io/v1/namespaces/" + ns + "/endpointslices", new EndpointSliceBuilder()
                        .withNewMetadata().withName(e.getKey()).withNamespace(ns)
                        .withLabels(Map.of(EndpointSlice.SERVICE_NAME_LABEL, e.getKey(),
                                EndpointSlice.MANAGED_BY_LABEL, "endpointslice-controller.k8s.io"))
                        .endMetadata()
                        .withAddressType("IPv4")
                        .withEndpoints(e.getValue())
                        .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort()
                        .build());
                for (int i = 0; i < e.getValue().size(); i++) {
                    data.endpointIndex.put(ns + "/" + e.getValue().get(i).getTargetRef().getName(), i);
                }
            }
            data.namespaces++;
        }
        assertEquals(files.size(), data.namespaces);
        System.out.printf("loaded %d objects into the mock API server (%.1f s of it parsing YAML)%n", data.objects, parseNanos / 1e9);
        return data;
    }

    /**
     * What the mock server does for a POST (metadata the API server sets, store, watch event), minus
     * its "already exists" check: that scans the whole store (O(n) per create, hours at 160k), and
     * the data set's names are unique.
     */
    private void create(String path, HasMetadata o) {
        KubernetesSerialization json = client.getKubernetesSerialization();
        GenericKubernetesResource r = json.unmarshal(json.asJson(o), GenericKubernetesResource.class);
        ObjectMeta m = r.getMetadata();
        m.setUid(UUID.randomUUID().toString());
        m.setCreationTimestamp(CREATED);
        m.setResourceVersion(String.valueOf(dispatcher.requestResourceVersion()));
        m.setGeneration(1L);
        AttributeSet key = dispatcher.getKey(path).add(new Attribute("name", m.getName()));
        dispatcher.processEvent(path, key, null, r, json.asJson(r));
    }

    /** The n-th address of 10.96.0.0/12 after the first ten (kube-dns' .10 stays free, as in kubeadm). */
    private static String clusterIp(int n) {
        int a = n + 11;
        return "10." + (96 + (a >> 16)) + "." + ((a >> 8) & 255) + "." + (a & 255);
    }

    /** Of the first {@code n} samples; NaN when there are none. */
    private static double median(long[] nanos, int n) {
        if (n == 0) {
            return Double.NaN;
        }
        long[] s = Arrays.copyOf(nanos, n);
        Arrays.sort(s);
        return s[(n - 1) / 2] / 1e6;
    }

    /** Nearest rank: with fewer than 100 samples this is the largest. */
    private static double p99(long[] nanos, int n) {
        if (n == 0) {
            return Double.NaN;
        }
        long[] s = Arrays.copyOf(nanos, n);
        Arrays.sort(s);
        return s[(int) Math.ceil(0.99 * n) - 1] / 1e6;
    }
}
