package dev.clusterdns.agent.source;

import dev.clusterdns.agent.manifest.ManifestFile;
import dev.clusterdns.agent.manifest.ManifestReader;
import dev.clusterdns.agent.snapshot.Problem;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.function.Consumer;

/**
 * Objects from a Kubernetes API server: one list-and-watch informer per kind (Namespace, Service,
 * Pod, EndpointSlice, Endpoints, ConfigMap, Secret), as CoreDNS and kube-proxy watch. After the
 * first list the whole store is reported once; from then on each informer event is forwarded as
 * the one object it names, so a Pod's readiness flip costs one object's work.
 */
public final class KubernetesApiSource implements Source {
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesApiSource.class);
    /** How often the informers' sync and watch state is looked at. */
    private static final Duration MONITOR_PERIOD = Duration.ofMillis(200);

    private final KubernetesClient client;
    private final ManifestReader reader;
    private final KubernetesSerialization serialization;
    /** The informers whose store is served (during start-up: the ones listing for the first time). */
    private volatile Generation current;
    /** After an outage: fresh informers listing again, served once they have (null otherwise). */
    private volatile Generation next;
    private int generations;
    /** The generation whose events are forwarded; -1 until the first report. */
    private int forwarded = -1;
    private final Duration syncTimeout;
    private final String origin;
    /** Objects the API served that could not be bound, by key. */
    private final Map<ObjectKey, List<Problem>> problems = new LinkedHashMap<>();
    private Consumer<SourceChanges> sink;
    private volatile boolean closed;
    private final CompletableFuture<Void> firstSync = new CompletableFuture<>();
    private final java.util.Set<String> reportedFailures = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile String lastFailure;
    private volatile Throwable lastFailureCause;
    /** True while the API server is unreachable after the first sync (from a failed watch until the relist). */
    private volatile boolean outage;
    /** An informer reported a failure since the last (re)list. */
    private volatile boolean failedSinceSync;
    private final ScheduledExecutorService monitor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "clusterdns-api-monitor");
        t.setDaemon(true);
        return t;
    });

    public KubernetesApiSource(KubernetesClient client, ManifestReader reader, Duration syncTimeout) {
        this.client = client;
        this.reader = reader;
        this.serialization = client.getKubernetesSerialization();
        this.syncTimeout = syncTimeout;
        this.origin = "api " + client.getMasterUrl();
    }

    /**
     * Starts the informers and returns: the store is reported once every kind has listed (a watch
     * slow to open does not hold it back), then every later event. While the API server is absent
     * or slow the informers keep retrying with fabric8's backoff, each new failure reason is logged
     * once, and {@link #waitingFor()} says why; {@link #firstSync()} completes with the first report.
     */
    @Override
    public void start(Consumer<SourceChanges> sink) {
        this.sink = sink;
        current = startInformers();
        current.started().whenComplete((ok, failure) -> {
            if (failure == null) {
                deliverInitial();
            }
        });
        monitor.scheduleWithFixedDelay(this::checkConnection, MONITOR_PERIOD.toMillis(), MONITOR_PERIOD.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /**
     * Reports the store once every informer has listed, and follows the watches. When a watch fails
     * after the first sync (the API server went away), the last state keeps serving and fresh
     * informers list again until the server answers, as client-go's reflector relists: a server
     * that comes back with other objects (restored, or a different cluster) is then served as it
     * is, including what went away meanwhile.
     */
    private void checkConnection() {
        try {
            Generation now = current;
            if (!firstSync.isDone()) {
                if (now.synced()) {
                    deliverInitial();
                }
                return;
            }
            Generation fresh = next;
            if (fresh == null && failedSinceSync && !now.watching()) {
                outage = true;
                LOG.warn("lost the watch on the Kubernetes API at {}{}; the last state keeps serving while it lists again",
                        client.getMasterUrl(), lastFailure == null ? "" : " (" + lastFailure + ")");
                now.stop();
                next = startInformers();
            } else if (fresh != null && fresh.synced()) {
                relisted(now, fresh);
            }
        } catch (RuntimeException e) {
            LOG.error("checking the Kubernetes API connection failed", e);
        }
    }

    /** Serves what {@code fresh} listed in place of what {@code old} had: every object again, and removals for the gone. */
    private synchronized void relisted(Generation old, Generation fresh) {
        if (closed) {
            return;
        }
        current = fresh;
        next = null;
        forwarded = fresh.number();
        SourceChanges listed = read(fresh);
        java.util.Set<ObjectKey> kept = new java.util.HashSet<>();
        listed.changes().forEach(c -> kept.add(c.key()));
        List<ObjectChange> changes = new ArrayList<>(listed.changes());
        int gone = 0;
        for (SharedIndexInformer<? extends HasMetadata> informer : old.informers()) {
            for (HasMetadata o : informer.getStore().list()) {
                if (!kept.contains(keyOf(o))) {
                    changes.add(ObjectChange.remove(keyOf(o)));
                    gone++;
                }
            }
        }
        sink.accept(new SourceChanges(changes, listed.problems()));
        outage = false;
        failedSinceSync = false;
        lastFailure = null;
        reportedFailures.clear(); // the next outage's reasons are logged afresh
        LOG.info("the Kubernetes API at {} answers again; listed {} objects afresh, {} gone meanwhile",
                client.getMasterUrl(), listed.changes().size(), gone);
    }

    /** What the source still waits for, and why; null once synced. */
    @Override
    public String waitingFor() {
        if (firstSync.isDone()) {
            return null;
        }
        String why = lastFailure;
        return "the first list from the Kubernetes API at " + client.getMasterUrl()
                + (why == null ? " (no answer yet)" : " (" + why + ")");
    }

    /**
     * After the first sync: the API server unreachable (the last state serves, possibly out of date),
     * or listed but with a watch not open (what was listed serves; changes are not seen yet).
     */
    @Override
    public List<Problem> problems() {
        if (outage) {
            String why = lastFailure;
            return List.of(new Problem(origin, "", "the Kubernetes API server is unreachable"
                    + (why == null ? "" : " (" + why + ")") + "; serving the last state listed, retrying"));
        }
        Generation now = current;
        if (firstSync.isDone() && now != null && !now.watching()) {
            return List.of(new Problem(origin, "", "no watch open on the Kubernetes API server yet; serving what it listed, "
                    + "changes are not seen until the watch opens"));
        }
        return List.of();
    }

    /** Completes once the first list of every kind has been reported. */
    @Override
    public CompletableFuture<Void> firstSync() {
        return firstSync;
    }

    private synchronized void deliverInitial() {
        if (forwarded >= 0 || closed) {
            return;
        }
        forwarded = current.number();
        failedSinceSync = false;
        try {
            sink.accept(read(current));
            LOG.info("the Kubernetes API at {} is synced", client.getMasterUrl());
        } catch (Exception e) {
            LOG.error("reading the informers' stores failed", e);
        }
        firstSync.complete(null);
    }

    @Override
    public synchronized SourceChanges readAll() throws Exception {
        if (current == null) {
            current = startInformers();
            try {
                current.started().get(syncTimeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new IllegalStateException("no answer within " + syncTimeout.toSeconds() + " s", whyNotListed(e));
            }
        }
        return read(current);
    }

    /** Everything in {@code g}'s stores as additions, with the problems of what cannot be bound. */
    private SourceChanges read(Generation g) {
        List<ObjectChange> changes = new ArrayList<>();
        problems.clear();
        for (SharedIndexInformer<? extends HasMetadata> informer : g.informers()) {
            for (HasMetadata o : informer.getStore().list()) {
                ObjectChange c = convert(o);
                if (c != null) {
                    changes.add(c);
                }
            }
        }
        return new SourceChanges(changes, allProblems());
    }

    /** One list-and-watch informer per kind, started; their events count once the generation is served. */
    private synchronized Generation startInformers() {
        int number = generations++;
        ResourceEventHandler<HasMetadata> handler = new ResourceEventHandler<>() {
            @Override
            public void onAdd(HasMetadata obj) {
                forward(number, obj, false);
            }

            @Override
            public void onUpdate(HasMetadata oldObj, HasMetadata newObj) {
                forward(number, newObj, false);
            }

            @Override
            public void onDelete(HasMetadata obj, boolean deletedFinalStateUnknown) {
                forward(number, obj, true);
            }
        };
        long resync = 0; // no periodic resync: watches deliver every change
        List<SharedIndexInformer<? extends HasMetadata>> informers = new ArrayList<>();
        informers.add(client.namespaces().runnableInformer(resync));
        informers.add(client.services().inAnyNamespace().runnableInformer(resync));
        informers.add(client.pods().inAnyNamespace().runnableInformer(resync));
        informers.add(client.discovery().v1().endpointSlices().inAnyNamespace().runnableInformer(resync));
        informers.add(client.endpoints().inAnyNamespace().runnableInformer(resync));
        informers.add(client.configMaps().inAnyNamespace().runnableInformer(resync));
        informers.add(client.secrets().inAnyNamespace().runnableInformer(resync));
        List<CompletableFuture<Void>> started = new ArrayList<>();
        for (SharedIndexInformer<? extends HasMetadata> informer : informers) {
            informer.addEventHandler(cast(handler));
            // Keep listing and watching through outages (fabric8 backs off between attempts).
            informer.exceptionHandler((isStarted, t) -> {
                noteFailure(t);
                return true;
            });
            started.add(informer.start().toCompletableFuture());
        }
        return new Generation(number, List.copyOf(informers), CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)));
    }

    /** One set of informers (one per kind) and when all of them have listed and watch. */
    private record Generation(int number, List<SharedIndexInformer<? extends HasMetadata>> informers,
            CompletableFuture<Void> started) {
        /** Every kind has listed (a watch may still be opening). */
        boolean synced() {
            return informers.stream().allMatch(SharedIndexInformer::hasSynced);
        }

        boolean watching() {
            return informers.stream().allMatch(SharedIndexInformer::isWatching);
        }

        void stop() {
            informers.forEach(SharedIndexInformer::stop);
        }
    }

    /**
     * Why the informers have not listed yet: the last failure they reported, else what one direct
     * list says now (fabric8 retries a failing first list without telling its exception handler).
     */
    private Throwable whyNotListed(Throwable fallback) {
        if (lastFailureCause != null) {
            return lastFailureCause;
        }
        try {
            client.namespaces().list(new io.fabric8.kubernetes.api.model.ListOptionsBuilder().withLimit(1L).build());
            return fallback; // it answers now: merely slow
        } catch (RuntimeException e) {
            return e;
        }
    }

    /** Logs a failure reason the first time it is seen (an outage would otherwise log every retry). */
    private void noteFailure(Throwable t) {
        String reason = reason(t);
        lastFailure = reason;
        lastFailureCause = t;
        failedSinceSync = true;
        if (reportedFailures.add(reason)) {
            LOG.warn("Kubernetes API at {}: {} (retrying)", client.getMasterUrl(), reason);
        }
    }

    /** The most telling cause: a network error if there is one (refused, unknown host), else the deepest. */
    public static String reason(Throwable e) {
        Throwable t = e;
        Throwable chosen = e;
        while (t != null) {
            chosen = t;
            if (t.getClass().getName().startsWith("java.net.")) {
                break;
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        String m = chosen.getMessage();
        String name = chosen instanceof java.net.ConnectException ? "connection refused" : chosen.getClass().getSimpleName();
        return name + (m == null || m.isEmpty() ? "" : ": " + m);
    }

    /** One informer event as one change; events before the first report are in that report already. */
    private synchronized void forward(int generation, HasMetadata obj, boolean deleted) {
        if (generation != forwarded) {
            return;
        }
        int problemCount = problems.size();
        List<Problem> before = problemCount == 0 ? List.of() : allProblems();
        ObjectChange change;
        if (deleted) {
            ObjectKey key = keyOf(obj);
            problems.remove(key);
            change = ObjectChange.remove(key);
        } else {
            change = convert(obj);
            if (change == null) {
                // Unbindable now: whatever was served under this key goes.
                change = ObjectChange.remove(keyOf(obj));
            }
        }
        List<Problem> after = allProblems();
        sink.accept(new SourceChanges(List.of(change), after.equals(before) ? null : after));
    }

    /** The object as a model object (bound from its JSON); null, with its problems kept, when it cannot be. */
    private ObjectChange convert(HasMetadata o) {
        ObjectKey key = keyOf(o);
        ManifestFile f = reader.readJson(serialization.asJson(o), origin);
        if (f.problems().isEmpty()) {
            problems.remove(key);
        } else {
            problems.put(key, f.problems());
        }
        return f.manifests().isEmpty() ? null : ObjectChange.put(f.manifests().get(0));
    }

    private static ObjectKey keyOf(HasMetadata o) {
        String ns = o instanceof Namespace ? "" : o.getMetadata().getNamespace();
        return new ObjectKey(o.getKind(), ns == null || ns.isEmpty() ? (o instanceof Namespace ? "" : "default") : ns,
                o.getMetadata().getName());
    }

    private List<Problem> allProblems() {
        List<Problem> out = new ArrayList<>();
        problems.values().forEach(out::addAll);
        return out;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static <T extends HasMetadata> ResourceEventHandler<T> cast(ResourceEventHandler<HasMetadata> h) {
        return (ResourceEventHandler) h;
    }



    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        monitor.shutdownNow();
        Generation g = current;
        Generation n = next;
        if (g != null) {
            g.stop();
        }
        if (n != null) {
            n.stop();
        }
        client.close();
    }
}
