package dev.clusterdns.agent.source;

import dev.clusterdns.agent.model.KubeObject;
import dev.clusterdns.agent.model.Namespace;

/**
 * What identifies an object across changes: kind, namespace and name, as the API server keys it.
 * Objects without a namespace live in `default`; a Namespace has none.
 */
public record ObjectKey(String kind, String namespace, String name) {

    public static ObjectKey of(KubeObject o) {
        String ns = o instanceof Namespace ? "" : namespaceOf(o);
        String name = o.metadata() == null || o.name() == null ? "" : o.name();
        return new ObjectKey(o.kind(), ns, name);
    }

    static String namespaceOf(KubeObject o) {
        String ns = o.metadata() == null ? null : o.namespace();
        return ns == null || ns.isEmpty() ? "default" : ns;
    }

    /** `namespace/name` (just the name for a Namespace). */
    public String path() {
        return namespace.isEmpty() ? name : namespace + "/" + name;
    }

    /**
     * Spread over all 32 bits: with the record's own hash (31 * h + next) keys whose namespace and
     * name differ by small, offsetting amounts collide (the 160k keys of `bench/scale_data.py 100`
     * share 70k hash codes), and every map of keys degrades into collision chains.
     */
    @Override
    public int hashCode() {
        int h = kind.hashCode();
        h = h * 0x9E3779B9 + namespace.hashCode();
        return h * 0x9E3779B9 + name.hashCode();
    }

    /**
     * The record's own equality, written out: keys are compared on every load's hot path, most of
     * it before the JIT has compiled the record's method-handle based {@code equals}. The name
     * differs most often, so it goes first.
     */
    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof ObjectKey k
                && name.equals(k.name) && namespace.equals(k.namespace) && kind.equals(k.kind);
    }

    @Override
    public String toString() {
        return kind + " " + path();
    }
}
