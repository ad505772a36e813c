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

    private final KubernetesClient client;
    private final ManifestReader reader;
    private final KubernetesSerialization serialization;
    private final List<SharedIndexInformer<? extends HasMetadata>> informers = new ArrayList<>();
    private final Duration syncTimeout;
    private final String origin;
    /** Objects the API served that could not be bound, by key. */
    private final Map<ObjectKey, List<Problem>> problems = new LinkedHashMap<>();
    private Consumer<SourceChanges> sink;
    private boolean forwarding;
    private final CompletableFuture<Void> firstSync = new CompletableFuture<>();
    private final java.util.Set<String> reportedFailures = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile String lastFailure;
    private volatile Throwable lastFailureCause;

    public KubernetesApiSource(KubernetesClient client, ManifestReader reader, Duration syncTimeout) {
        this.client = client;
        this.reader = reader;
        this.serialization = client.getKubernetesSerialization();
        this.syncTimeout = syncTimeout;
        this.origin = "api " + client.getMasterUrl();
    }

    /**
     * Starts the informers and waits up to the sync timeout for each to list once; then reports the
     * store and every later event. When the API server is absent or slow the informers keep retrying
     * (each new reason is logged once) and the store is reported when they first sync; {@link #synced()}
     * completes then.
     */
    @Override
    public void start(Consumer<SourceChanges> sink) throws Exception {
        this.sink = sink;
        CompletableFuture<Void> listed = startInformers();
        try {
            listed.get(syncTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("the Kubernetes API at {} has not answered the first list within {} s ({}); serving without the "
                    + "cluster's objects until it does", client.getMasterUrl(), syncTimeout.toSeconds(), reason(whyNotListed(e)));
        }
        listed.whenComplete((ok, failure) -> {
            if (failure == null) {
                deliverInitial();
            }
        });
    }

    /** Completes once the first list of every kind has been reported. */
    @Override
    public CompletableFuture<Void> firstSync() {
        return firstSync;
    }

    private synchronized void deliverInitial() {
        if (forwarding) {
            return;
        }
        forwarding = true;
        try {
            sink.accept(readAll());
            LOG.info("the Kubernetes API at {} is synced", client.getMasterUrl());
        } catch (Exception e) {
            LOG.error("reading the informers' stores failed", e);
        }
        firstSync.complete(null);
    }

    @Override
    public synchronized SourceChanges readAll() throws Exception {
        if (informers.isEmpty()) {
            try {
                startInformers().get(syncTimeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new IllegalStateException("no answer within " + syncTimeout.toSeconds() + " s", whyNotListed(e));
            }
        }
        List<ObjectChange> changes = new ArrayList<>();
        problems.clear();
        for (SharedIndexInformer<? extends HasMetadata> informer : informers) {
            for (HasMetadata o : informer.getStore().list()) {
                ObjectChange c = convert(o);
                if (c != null) {
                    changes.add(c);
                }
            }
        }
        return new SourceChanges(changes, allProblems());
    }

    private CompletableFuture<Void> startInformers() {
        ResourceEventHandler<HasMetadata> handler = new ResourceEventHandler<>() {
            @Override
            public void onAdd(HasMetadata obj) {
                forward(obj, false);
            }

            @Override
            public void onUpdate(HasMetadata oldObj, HasMetadata newObj) {
                forward(newObj, false);
            }

            @Override
            public void onDelete(HasMetadata obj, boolean deletedFinalStateUnknown) {
                forward(obj, true);
            }
        };
        long resync = 0; // no periodic resync: watches deliver every change
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
        return CompletableFuture.allOf(started.toArray(CompletableFuture[]::new));
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
    private synchronized void forward(HasMetadata obj, boolean deleted) {
        if (!forwarding) {
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
        informers.forEach(SharedIndexInformer::stop);
        client.close();
    }
}
