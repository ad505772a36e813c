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
import java.util.function.Consumer;

/**
 * Objects from a Kubernetes API server: one list-and-watch informer per kind (Namespace, Service,
 * Pod, EndpointSlice, Endpoints, ConfigMap, Secret), as CoreDNS and kube-proxy watch. After the
 * first list the whole store is reported once; from then on each informer event is forwarded as
 * the one object it names, so a Pod's readiness flip costs one object's work.
 */
public final class KubernetesApiSource implements Source {

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

    public KubernetesApiSource(KubernetesClient client, ManifestReader reader, Duration syncTimeout) {
        this.client = client;
        this.reader = reader;
        this.serialization = client.getKubernetesSerialization();
        this.syncTimeout = syncTimeout;
        this.origin = "api " + client.getMasterUrl();
    }

    /** Starts the informers, waits until each has listed once, then reports the store and every later event. */
    @Override
    public void start(Consumer<SourceChanges> sink) throws Exception {
        startInformers();
        synchronized (this) {
            this.sink = sink;
            this.forwarding = true;
            sink.accept(readAll());
        }
    }

    @Override
    public synchronized SourceChanges readAll() throws Exception {
        if (informers.isEmpty()) {
            startInformers();
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

    private void startInformers() throws Exception {
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
        informers.add(client.namespaces().inform(cast(handler), resync));
        informers.add(client.services().inAnyNamespace().inform(cast(handler), resync));
        informers.add(client.pods().inAnyNamespace().inform(cast(handler), resync));
        informers.add(client.discovery().v1().endpointSlices().inAnyNamespace().inform(cast(handler), resync));
        informers.add(client.endpoints().inAnyNamespace().inform(cast(handler), resync));
        informers.add(client.configMaps().inAnyNamespace().inform(cast(handler), resync));
        informers.add(client.secrets().inAnyNamespace().inform(cast(handler), resync));
        CompletableFuture<?>[] started = informers.stream().map(SharedIndexInformer::start)
                .map(CompletableFuture.class::cast).toArray(CompletableFuture[]::new);
        CompletableFuture.allOf(started).get(syncTimeout.toMillis(), TimeUnit.MILLISECONDS);
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
    public boolean synced() {
        return !informers.isEmpty() && informers.stream().allMatch(SharedIndexInformer::hasSynced);
    }

    @Override
    public void close() {
        informers.forEach(SharedIndexInformer::stop);
        client.close();
    }
}
