package dev.clusterdns.agent;

import dev.clusterdns.agent.manifest.ManifestReader;
import dev.clusterdns.agent.manifest.ParseCache;
import dev.clusterdns.agent.readiness.ReadinessProber;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.agent.snapshot.ClusterView;
import dev.clusterdns.agent.snapshot.NamespaceObjects;
import dev.clusterdns.agent.snapshot.Problem;
import dev.clusterdns.agent.snapshot.SnapshotChange;
import dev.clusterdns.agent.snapshot.SnapshotPublisher;
import dev.clusterdns.agent.source.KubernetesApiSource;
import dev.clusterdns.agent.source.KubernetesClients;
import dev.clusterdns.agent.source.ManifestSource;
import dev.clusterdns.agent.source.ManifestTree;
import dev.clusterdns.agent.source.Source;
import dev.clusterdns.agent.source.SourceChanges;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The discovery agent: takes changes from its source (the manifest tree, or a Kubernetes API
 * server), reconciles them into the next snapshot (defaults, validation, allocation, endpoints) and
 * publishes it. Sources report on their own threads; one agent thread applies everything queued
 * since its last round as one batch, so a burst of events costs one snapshot. Bad input is reported
 * and left out; the rest keeps serving.
 */
public final class ClusterAgent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterAgent.class);
    /** How long `start` waits for a Kubernetes API server's first list before serving without it (as CoreDNS). */
    private static final Duration API_SYNC_TIMEOUT = Duration.ofSeconds(5);

    private final AgentConfig config;
    private final SnapshotPublisher publisher = new SnapshotPublisher();
    private final ClusterReconciler reconciler;
    private final ConcurrentLinkedQueue<SourceChanges> queue = new ConcurrentLinkedQueue<>();
    private final ReadinessProber prober;
    private final Set<String> reported = new HashSet<>();
    private Source source;
    private Thread applier;
    private volatile boolean closed;

    public ClusterAgent(AgentConfig config) {
        this.config = config;
        // A readiness flip re-plans the flipped Pod's namespace (its Ready condition, then its endpoints).
        this.prober = new ReadinessProber(this::readinessChanged);
        this.reconciler = new ClusterReconciler(config, prober);
    }

    public AgentConfig config() {
        return config;
    }

    public ClusterView view() {
        return publisher;
    }

    /**
     * Loads everything, publishes the first snapshot, then follows the source's changes. A Kubernetes
     * API source is started without waiting for it (see {@link #awaitSynced()}).
     */
    public synchronized void start() throws IOException {
        source = openSource();
        try {
            source.start(this::offer);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        applyQueued();
        applier = new Thread(this::applyLoop, "clusterdns-agent");
        applier.setDaemon(true);
        applier.start();
    }

    /**
     * Waits up to the start-up timeout (5 s, as CoreDNS's kubernetes plugin) for the source's first
     * sync, so that clients are not answered from an empty cluster when the API server is merely a
     * moment away; after that, serving goes on without it. Logs what it still waits for.
     *
     * @return true when the source has synced
     */
    public boolean awaitSynced() {
        try {
            synced().get(API_SYNC_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            LOG.warn("still waiting for {} after {} s; serving without the cluster's objects until it arrives "
                    + "(the cluster zone answers SERVFAIL)", waitingFor(), API_SYNC_TIMEOUT.toSeconds());
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** What the source still waits for before its first sync, and why; null when nothing. */
    public String waitingFor() {
        Source s = source;
        return s == null ? "the start of the agent" : s.waitingFor();
    }

    /** Trouble with the source itself (e.g. an unreachable Kubernetes API server); empty when none. */
    public List<Problem> sourceProblems() {
        Source s = source;
        return s == null ? List.of() : s.problems();
    }

    /**
     * Completes once the source has reported its initial state: at once for manifests; for a
     * Kubernetes API server when its first list succeeds (which may be after {@link #start} returned).
     */
    public java.util.concurrent.CompletableFuture<Void> synced() {
        Source s = source;
        return s == null ? new java.util.concurrent.CompletableFuture<>() : s.firstSync();
    }

    /** One full load without watching, for `env`, `resolvconf` and `expose`. */
    public ClusterSnapshot loadOnce() {
        try (Source once = openSource()) {
            return new ClusterReconciler(config).apply(once.readAll());
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private Source openSource() {
        if (config.kubernetesApi() == null) {
            ManifestReader reader = new ManifestReader();
            ParseCache cache = config.stateDir() == null ? null : new ParseCache(config.stateDir(), reader);
            return new ManifestSource(new ManifestTree(config.manifests(), reader, config.maxManifestBytes(), cache));
        }
        KubernetesApiSource api = new KubernetesApiSource(KubernetesClients.connect(config.kubernetesApi()),
                new ManifestReader(), API_SYNC_TIMEOUT);
        return new StartChecked(api, describe(config.kubernetesApi()));
    }

    /** On a prober's thread: a Pod's readiness changed; its namespace is planned again on the agent thread. */
    private void readinessChanged(String namespace) {
        reconciler.replan(namespace);
        Thread t = applier;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** On a source's thread: queue and wake the agent thread. */
    private void offer(SourceChanges changes) {
        queue.add(changes);
        Thread t = applier;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    private void applyLoop() {
        while (!closed) {
            if (queue.isEmpty() && !reconciler.replanPending()) {
                LockSupport.park(this);
                continue;
            }
            try {
                applyQueued();
            } catch (RuntimeException e) {
                LOG.error("applying changes failed; the last snapshot keeps serving", e);
            }
        }
    }

    /** Applies everything queued as one batch and publishes the snapshot it makes. */
    private void applyQueued() {
        SourceChanges batch = null;
        SourceChanges next;
        while ((next = queue.poll()) != null) {
            batch = batch == null ? next : batch.then(next);
        }
        if (batch == null && reconciler.replanPending()) {
            batch = new SourceChanges(List.of(), null);
        }
        if (batch == null || batch.isEmpty() && !reconciler.replanPending() && reconciler.current().revision() > 0) {
            return;
        }
        ClusterSnapshot snapshot = reconciler.apply(batch);
        if (snapshot.change().touches(SnapshotChange.PROBLEMS)) {
            report(snapshot);
        }
        ClusterSnapshot before = publisher.current();
        publisher.publish(snapshot);
        SnapshotChanges.between(before, snapshot).forEach(line -> LOG.info("{}", line));
        if (LOG.isInfoEnabled()) {
            LOG.info("revision {}: {}", snapshot.revision(), summary(snapshot));
        }
    }

    private static String summary(ClusterSnapshot s) {
        int services = s.count(NamespaceObjects::services);
        int pods = s.count(NamespaceObjects::pods);
        int slices = s.count(NamespaceObjects::endpointSlices);
        SnapshotChange c = s.change();
        String changed = c.isEverything() ? "" : changedSummary(c);
        return services + " services, " + pods + " pods, " + slices + " endpoint slices, " + s.problems().size()
                + " problem(s)" + changed;
    }

    private static String changedSummary(SnapshotChange c) {
        StringBuilder sb = new StringBuilder();
        for (String kind : new java.util.TreeSet<>(c.kinds())) {
            if (kind.equals(SnapshotChange.PROBLEMS)) {
                continue;
            }
            Set<String> keys = c.keys(kind);
            sb.append(sb.length() == 0 ? "; changed: " : ", ").append(kind).append(' ');
            sb.append(keys.size() <= 3 ? String.join(" ", new java.util.TreeSet<>(keys)) : keys.size() + " objects");
        }
        return sb.toString();
    }

    /** Logs each problem once, not on every reload. */
    private void report(ClusterSnapshot snapshot) {
        Set<String> now = new HashSet<>();
        for (Problem p : snapshot.problems()) {
            String text = p.toString();
            now.add(text);
            if (!reported.contains(text)) {
                LOG.warn("{}", text);
            }
        }
        reported.clear();
        reported.addAll(now);
    }

    private static String describe(AgentConfig.KubernetesApi api) {
        return api.server() != null ? api.server() : "the server of " + api.kubeconfig();
    }

    @Override
    public synchronized void close() throws IOException {
        prober.close(); // first: a readiness flip must not wake a stopped agent
        closed = true;
        if (applier != null) {
            LockSupport.unpark(applier);
        }
        if (source != null) {
            source.close();
        }
    }

    /** A Kubernetes API source whose start failure names the server and the most telling cause. */
    private static final class StartChecked implements Source {
        private final KubernetesApiSource api;
        private final String server;

        StartChecked(KubernetesApiSource api, String server) {
            this.api = api;
            this.server = server;
        }

        @Override
        public void start(java.util.function.Consumer<SourceChanges> sink) {
            try {
                api.start(sink);
            } catch (Exception e) {
                api.close();
                throw failure(e);
            }
        }

        @Override
        public SourceChanges readAll() {
            try {
                return api.readAll();
            } catch (Exception e) {
                throw failure(e);
            }
        }

        private IllegalStateException failure(Exception e) {
            return new IllegalStateException("cannot list from the Kubernetes API at " + server + ": " + rootCause(e), e);
        }

        @Override
        public java.util.concurrent.CompletableFuture<Void> firstSync() {
            return api.firstSync();
        }

        @Override
        public String waitingFor() {
            return api.waitingFor();
        }

        @Override
        public List<Problem> problems() {
            return api.problems();
        }

        @Override
        public void close() {
            api.close();
        }

        private static String rootCause(Throwable e) {
            return KubernetesApiSource.reason(e);
        }
    }
}
