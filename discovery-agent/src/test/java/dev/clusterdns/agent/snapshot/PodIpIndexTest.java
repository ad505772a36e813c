package dev.clusterdns.agent.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.clusterdns.agent.model.ObjectMeta;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.PodIP;
import dev.clusterdns.agent.model.PodStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The pod IP index is built when first asked for, then kept up to date by successors. */
class PodIpIndexTest {

    private static Pod pod(String ns, String name, String ip) {
        return new Pod("v1", "Pod", new ObjectMeta(name, null, ns, null, null, null, null, null, null), null,
                new PodStatus("Running", ip, List.of(new PodIP(ip)), null, null));
    }

    private static NamespaceObjects objects(List<Pod> pods) {
        return new NamespaceObjects(List.of(), pods, List.of(), List.of(), List.of(), List.of(), List.of());
    }

    private static Set<String> holders(ClusterSnapshot s, String ip) {
        TreeSet<String> out = new TreeSet<>();
        s.podsByIp(ip).forEach(p -> out.add(p.metadata().key()));
        return out;
    }

    @Test
    void askedForMidwayAndThenCarriedOnThroughChanges() {
        Random random = new Random(7);
        List<List<Pod>> spaces = List.of(new ArrayList<>(), new ArrayList<>());
        ClusterSnapshot s = ClusterSnapshot.builder(1).build();
        for (int rev = 2; rev < 40; rev++) {
            int n = random.nextInt(2);
            String ns = "ns" + n;
            List<Pod> pods = spaces.get(n);
            if (!pods.isEmpty() && random.nextInt(3) == 0) {
                pods.remove(random.nextInt(pods.size()));
            } else {
                // a few addresses repeat: shared addresses (host networking) keep every holder
                pods.add(pod(ns, "p" + rev, "10.0.0." + random.nextInt(12)));
            }
            s = s.successor(rev).namespace(ns, objects(pods)).build();
            if (rev < 10) {
                continue; // nobody asks: no index is kept
            }
            List<Pod> all = new ArrayList<>(spaces.get(0));
            all.addAll(spaces.get(1));
            ClusterSnapshot whole = ClusterSnapshot.builder(rev).pods(all).build();
            for (int i = 0; i < 12; i++) {
                String ip = "10.0.0." + i;
                assertEquals(holders(whole, ip), holders(s, ip), "revision " + rev + ", " + ip);
            }
        }
    }
}
