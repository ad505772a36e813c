package dev.clusterdns.agent.source;

import dev.clusterdns.agent.manifest.Manifest;
import dev.clusterdns.agent.manifest.ManifestFile;
import dev.clusterdns.agent.manifest.ManifestReader;
import dev.clusterdns.agent.snapshot.Problem;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Objects from a Kubernetes API server: one list-and-watch informer per kind (Namespace, Service,
 * Pod, EndpointSlice, Endpoints, ConfigMap, Secret), as CoreDNS and kube-proxy watch. Every event
 * calls {@code onChange}; the agent then rebuilds from the informers' stores, so the snapshot is
 * always a consistent copy of what the API server said last.
 */
public final class KubernetesApiSource implements AutoCloseable {

    private final KubernetesClient client;
    private final ManifestReader reader;
    private final KubernetesSerialization serialization;
    private final List<SharedIndexInformer<? extends HasMetadata>> informers = new ArrayList<>();
    private final Runnable onChange;

    public KubernetesApiSource(KubernetesClient client, ManifestReader reader, Runnable onChange) {
        this.client = client;
        this.reader = reader;
        this.serialization = client.getKubernetesSerialization();
        this.onChange = onChange;
    }

    /** Starts the informers and waits until each has listed once (or {@code timeout} passes). */
    public void start(Duration timeout) throws Exception {
        ResourceEventHandler<HasMetadata> handler = new ResourceEventHandler<>() {
            @Override
            public void onAdd(HasMetadata obj) {
                onChange.run();
            }

            @Override
            public void onUpdate(HasMetadata oldObj, HasMetadata newObj) {
                onChange.run();
            }

            @Override
            public void onDelete(HasMetadata obj, boolean deletedFinalStateUnknown) {
                onChange.run();
            }
        };
        long resync = 0; // no periodic resync: watches deliver every change
        add(client.namespaces().inform(cast(handler), resync));
        add(client.services().inAnyNamespace().inform(cast(handler), resync));
        add(client.pods().inAnyNamespace().inform(cast(handler), resync));
        add(client.discovery().v1().endpointSlices().inAnyNamespace().inform(cast(handler), resync));
        add(client.endpoints().inAnyNamespace().inform(cast(handler), resync));
        add(client.configMaps().inAnyNamespace().inform(cast(handler), resync));
        add(client.secrets().inAnyNamespace().inform(cast(handler), resync));
        CompletableFuture<?>[] started = informers.stream().map(SharedIndexInformer::start)
                .map(CompletableFuture.class::cast).toArray(CompletableFuture[]::new);
        CompletableFuture.allOf(started).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void add(SharedIndexInformer<? extends HasMetadata> informer) {
        informers.add(informer);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static <T extends HasMetadata> ResourceEventHandler<T> cast(ResourceEventHandler<HasMetadata> h) {
        return (ResourceEventHandler) h;
    }

    public boolean synced() {
        return !informers.isEmpty() && informers.stream().allMatch(SharedIndexInformer::hasSynced);
    }

    /** The informers' current objects as model objects (bound from their JSON). */
    public ManifestFile read() {
        List<Manifest> manifests = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        String origin = "api " + client.getMasterUrl();
        for (SharedIndexInformer<? extends HasMetadata> informer : informers) {
            for (HasMetadata o : informer.getStore().list()) {
                ManifestFile f = reader.readJson(serialization.asJson(o), origin);
                manifests.addAll(f.manifests());
                problems.addAll(f.problems());
            }
        }
        return new ManifestFile(manifests, problems, false);
    }

    @Override
    public void close() {
        informers.forEach(SharedIndexInformer::stop);
        client.close();
    }
}
