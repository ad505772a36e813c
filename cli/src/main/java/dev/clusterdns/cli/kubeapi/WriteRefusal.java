package dev.clusterdns.cli.kubeapi;

import dev.clusterdns.agent.AgentConfig;
import dev.clusterdns.agent.manifest.Manifest;
import dev.clusterdns.agent.manifest.ManifestReader;
import dev.clusterdns.agent.model.KubeObject;
import dev.clusterdns.agent.snapshot.ClusterView;
import dev.clusterdns.agent.source.ManifestTree;
import dev.clusterdns.agent.source.ObjectChange;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The message a write gets: the API is read-only, so it says where the object's truth lives (its
 * manifest file, the Kubernetes API clusterdns follows, or clusterdns itself for made objects).
 * The manifest is looked up when a write comes (rare), not kept per object.
 */
final class WriteRefusal {
    private final AgentConfig config;
    private final ClusterView cluster;

    WriteRefusal(AgentConfig config, ClusterView cluster) {
        this.config = config;
        this.cluster = cluster;
    }

    String explain(String method, String kind, String resource, String namespace, String name) {
        String what = resource + (name == null ? "" : " \"" + name + "\"") + (namespace == null ? "" : " in namespace \"" + namespace + "\"");
        String head = "clusterdns serves a read-only API (" + method + " is not allowed): ";
        if (config.kubernetesApi() != null) {
            String server = config.kubernetesApi().server() != null ? config.kubernetesApi().server() : String.valueOf(config.kubernetesApi().kubeconfig());
            return head + what + " comes from the Kubernetes API (" + server + "); write it there";
        }
        if (name != null) {
            // A fresh tree's first rescan reports every object it reads, with its origin.
            ManifestTree tree = new ManifestTree(config.manifests(), new ManifestReader());
            for (ObjectChange change : tree.rescan().changes()) {
                Manifest m = change.manifest();
                if (m == null) {
                    continue;
                }
                KubeObject o = m.object();
                String ns = o.namespace() == null || o.namespace().isEmpty() ? "default" : o.namespace();
                if (kind.equals(o.kind()) && name.equals(o.name()) && (namespace == null || namespace.equals(ns))) {
                    return head + what + " is defined in " + m.origin() + "; edit that file (serve reloads it)";
                }
            }
            boolean exists = cluster.current().namespaces().stream().anyMatch(n -> kind.equals("Namespace") && name.equals(n.name()))
                    || existsInSnapshot(kind, namespace, name);
            if (exists) {
                return head + what + " is made by clusterdns itself (not read from a manifest); change the manifests it is made from";
            }
        }
        return head + what + " is in no manifest; add it to a file under " + roots() + " (serve reloads it)";
    }

    private boolean existsInSnapshot(String kind, String namespace, String name) {
        for (ApiResource r : ApiResource.all()) {
            if (r.kind().equals(kind)) {
                return r.items().apply(cluster.current()).stream()
                        .anyMatch(o -> name.equals(o.name()) && (namespace == null || namespace.equals(o.namespace())));
            }
        }
        return false;
    }

    private String roots() {
        List<Path> roots = config.manifests();
        return roots.isEmpty() ? "a --manifests directory" : roots.stream().map(Path::toString).collect(Collectors.joining(", "));
    }
}
