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

    /**
     * Spreads the three parts apart: the record's own hash ({@code 31 * h(namespace) + h(name)}) makes
     * `ns-001/svc-1-5` and `ns-000/svc-1-6` collide, and the 160,000 keys of a large cluster then
     * crowded into tree bins (seen in heap dumps and profiles).
     */
    @Override
    public int hashCode() {
        int h = kind.hashCode();
        h = h * 0x9E3779B1 + namespace.hashCode();
        h = h * 0x9E3779B1 + name.hashCode();
        return h ^ (h >>> 16);
    }

    /** `namespace/name` (just the name for a Namespace). */
    public String path() {
        return namespace.isEmpty() ? name : namespace + "/" + name;
    }

    @Override
    public String toString() {
        return kind + " " + path();
    }
}
