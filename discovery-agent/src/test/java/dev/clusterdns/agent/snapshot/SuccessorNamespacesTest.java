package dev.clusterdns.agent.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.model.Namespace;
import dev.clusterdns.agent.model.ObjectMeta;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A successor whose namespaces did not change holds its base's (the kube API keeps hundreds of recent snapshots). */
class SuccessorNamespacesTest {

    private static Namespace ns(String name) {
        return new Namespace("v1", "Namespace", ObjectMeta.of(null, name));
    }

    @Test
    void unchangedNamespacesAreTheBasesAndChangedOnesAreNew() {
        ClusterSnapshot base = ClusterSnapshot.builder(1).namespaces(List.of(ns("a"), ns("b"))).build();
        ClusterSnapshot same = base.successor(2).build();
        assertSame(base.namespaces(), same.namespaces());
        ClusterSnapshot equal = same.successor(3).namespaces(List.of(ns("a"), ns("b"))).build();
        assertSame(base.namespaces(), equal.namespaces(), "an equal list given again is not held twice");
        assertEquals(3, equal.revision());
        assertEquals(2, equal.baseRevision());
        assertTrue(equal.namespace("b").isPresent());
        ClusterSnapshot changed = equal.successor(4).namespaces(List.of(ns("a"), ns("c"))).build();
        assertEquals(List.of(ns("a"), ns("c")), changed.namespaces());
        assertTrue(changed.namespace("c").isPresent());
        assertTrue(changed.namespace("b").isEmpty());
    }
}
