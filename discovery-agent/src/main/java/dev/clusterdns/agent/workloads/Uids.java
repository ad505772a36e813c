package dev.clusterdns.agent.workloads;

import dev.clusterdns.agent.model.KubeObject;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The uid an object has: its own, else the one the agent assigns (a name-based UUID of
 * `kind/namespace/name`, the same the reconciler stamps on objects without one), so an
 * ownerReference names its owner's uid before the owner has been stamped.
 */
public final class Uids {
    private Uids() {}

    public static String of(KubeObject o) {
        String uid = o.metadata().uid();
        if (uid != null && !uid.isEmpty()) {
            return uid;
        }
        return of(o.kind(), o.namespace(), o.name());
    }

    public static String of(String kind, String namespace, String name) {
        String key = kind + "/" + namespace + "/" + name;
        return UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
