package dev.clusterdns.agent.manifest;

import dev.clusterdns.agent.model.KubeObject;

/**
 * One object read from a manifest, with where it came from.
 *
 * @param object the typed object, as written (no defaults applied yet)
 * @param origin `path` or `path (document N)` for multi-document files, for error messages
 */
public record Manifest(KubeObject object, String origin) {

    /** `Service default/web`, as problems name objects. */
    public String describe() {
        String ns = object.namespace();
        return object.kind() + " " + (ns == null || ns.isEmpty() ? "" : ns + "/") + object.name();
    }
}
