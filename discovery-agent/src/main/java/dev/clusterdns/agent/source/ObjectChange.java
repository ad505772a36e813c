package dev.clusterdns.agent.source;

import dev.clusterdns.agent.manifest.Manifest;

/**
 * One object added, updated or removed by a source.
 *
 * @param key the object's identity
 * @param manifest the object as the source has it now, with its origin; null when it is gone
 */
public record ObjectChange(ObjectKey key, Manifest manifest) {

    public static ObjectChange put(Manifest m) {
        return new ObjectChange(ObjectKey.of(m.object()), m);
    }

    public static ObjectChange remove(ObjectKey key) {
        return new ObjectChange(key, null);
    }

    public boolean removed() {
        return manifest == null;
    }
}
