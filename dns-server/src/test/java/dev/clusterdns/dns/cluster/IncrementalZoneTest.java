package dev.clusterdns.dns.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.agent.snapshot.SnapshotChange;
import dev.clusterdns.dns.DnsClient;
import dev.clusterdns.dns.TestCluster;
import dev.clusterdns.dns.pipeline.Query;
import dev.clusterdns.dns.pipeline.QueryProtocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A zone built from the previous one (reusing unchanged Services' parts) answers exactly as a zone
 * built from scratch, over random changes: endpoints moved, made unready, shared with other Services
 * or with another Service's ClusterIP, ClusterIPs moved, Services removed, added, turned headless.
 */
class IncrementalZoneTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 5353);
    private static final int SERVICES = 120;

    @Test
    void incrementalBuildsAnswerLikeFullBuilds() throws Exception {
        incrementalEqualsFull(ClusterStageTest.options(), 42);
    }

    @Test
    void incrementalBuildsAnswerLikeFullBuildsWithPodNamesAndEmptyServicesHidden() throws Exception {
        ClusterOptions d = ClusterStageTest.options();
        incrementalEqualsFull(new ClusterOptions(d.domain(), d.ttl(), d.pods(), d.namespaces(), true, true,
                d.serviceCidrs(), d.nameServerAddresses()), 7);
    }

    private static void incrementalEqualsFull(ClusterOptions options, long seed) {
        Random random = new Random(seed);
        ScaleCluster cluster = new ScaleCluster(SERVICES, 3);
        ClusterSnapshot previous = cluster.snapshot(1);
        ClusterZone incremental = IncrementalBuild.build(previous, options, null, 1000);
        ClusterZone targeted = incremental;
        for (int step = 0; step < 60; step++) {
            for (int c = 0, changes = 1 + random.nextInt(4); c < changes; c++) {
                change(cluster, random, step);
            }
            ClusterSnapshot next = cluster.snapshot(step + 2);
            ClusterZone before = incremental;
            incremental = IncrementalBuild.build(next, options, before, 1000 + step);
            // Only the Services the change set names are looked at.
            targeted = IncrementalBuild.build(next, options, targeted, diff(previous, next), 1000 + step);
            ClusterZone full = IncrementalBuild.build(next, options, null, 1000 + step);
            for (String[] q : questions(cluster)) {
                assertEquals(answer(full, q), answer(incremental, q), "step " + step + ": " + q[0] + " " + q[1]);
                assertEquals(answer(full, q), answer(targeted, q), "step " + step + " (change set): " + q[0] + " " + q[1]);
            }
            assertEquals(text(full.transferRecords()), text(incremental.transferRecords()), "step " + step + ": transfer");
            assertEquals(text(full.transferRecords()), text(targeted.transferRecords()), "step " + step + ": transfer (change set)");
            previous = next;
        }
    }

    @Test
    void anUnchangedSnapshotKeepsEveryAnswerAndTheSerial() {
        ClusterOptions options = ClusterStageTest.options();
        ScaleCluster cluster = new ScaleCluster(50, 2);
        ClusterZone first = IncrementalBuild.build(cluster.snapshot(1), options, null, 1000);
        // Equal but not identical objects (a re-read manifest) count as unchanged too.
        cluster.services.set(3, ScaleCluster.service(3, 0));
        cluster.slices.set(3, ScaleCluster.slice(3, 2, 0));
        ClusterZone second = IncrementalBuild.build(cluster.snapshot(2), options, first, 2000);
        assertEquals(first.serial(), second.serial());
        cluster.slices.set(4, ScaleCluster.slice(4, 2, 1));
        ClusterZone third = IncrementalBuild.build(cluster.snapshot(3), options, second, 3000);
        assertNotEquals(second.serial(), third.serial());
        String[] q = {"svc-5." + ScaleCluster.namespace(5) + ".svc.cluster.local.", "A"};
        Query query = query(q);
        assertSame(second.resolve(query).reply().template(), third.resolve(query).reply().template(),
                "an unchanged Service keeps its encoded answer");
    }

    /**
     * A first build of many Services makes their parts on several threads: it answers, transfers and
     * claims reverse names (claimants in the same order) exactly as a build on one thread, over
     * clusters of 20 namespaces changed at random between builds.
     */
    @Test
    void firstBuildOnSeveralThreadsEqualsOneOnOneThread() {
        ClusterOptions options = ClusterStageTest.options();
        Random random = new Random(11);
        ScaleCluster cluster = new ScaleCluster(SERVICES, 3);
        for (int step = 0; step < 25; step++) {
            ClusterSnapshot snapshot = cluster.snapshot(step + 1);
            ClusterZone one = IncrementalBuild.build(snapshot, options, null, SnapshotChange.everything(), 1000,
                    Integer.MAX_VALUE);
            ClusterZone several = IncrementalBuild.build(snapshot, options, null, SnapshotChange.everything(), 1000, 1);
            assertEquals(one.serial(), several.serial(), "step " + step + ": serial");
            TreeSet<String> oneKeys = new TreeSet<>();
            one.parts().forEachKey(oneKeys::add);
            TreeSet<String> severalKeys = new TreeSet<>();
            several.parts().forEachKey(severalKeys::add);
            assertEquals(oneKeys, severalKeys, "step " + step + ": parts");
            for (String[] q : questions(cluster)) {
                assertEquals(answer(one, q), answer(several, q), "step " + step + ": " + q[0] + " " + q[1]);
            }
            assertEquals(text(one.transferRecords()), text(several.transferRecords()), "step " + step + ": transfer");
            for (ServicePart part : one.parts().values()) {
                for (String ip : EndpointNames.addresses(part)) {
                    assertEquals(claimants(one.claims().get(ip)), claimants(several.claims().get(ip)),
                            "step " + step + ": claimants of " + ip);
                }
            }
            for (int c = 0, changes = 1 + random.nextInt(6); c < changes; c++) {
                change(cluster, random, step);
            }
        }
    }

    private static List<Object> claimants(Object held) {
        return held instanceof Object[] many ? List.of(many) : held == null ? List.of() : List.of(held);
    }

    /** What the agent would report between two snapshots: Services and EndpointSlices by Service. */
    private static SnapshotChange diff(ClusterSnapshot a, ClusterSnapshot b) {
        SnapshotChange.Builder change = SnapshotChange.builder();
        java.util.Set<String> keys = new TreeSet<>();
        for (ClusterSnapshot s : List.of(a, b)) {
            for (Service svc : s.services()) {
                keys.add(svc.metadata().namespace() + "/" + svc.metadata().name());
            }
        }
        for (String key : keys) {
            String ns = key.substring(0, key.indexOf('/'));
            String name = key.substring(key.indexOf('/') + 1);
            if (!a.service(ns, name).equals(b.service(ns, name))) {
                change.add(SnapshotChange.SERVICES, key);
            }
            if (!a.endpointSlices(ns, name).equals(b.endpointSlices(ns, name))) {
                change.add(SnapshotChange.ENDPOINTS, key);
            }
        }
        return change.build();
    }

    /** One random change to the cluster. */
    private static void change(ScaleCluster cluster, Random random, int step) {
        int i = random.nextInt(cluster.services.size());
        Service svc = cluster.services.get(i);
        int index = Integer.parseInt(svc.metadata().name().substring(4));
        switch (random.nextInt(7)) {
            case 0 -> cluster.slices.set(sliceOf(cluster, svc), ScaleCluster.slice(index, 1 + random.nextInt(4), step + 1));
            case 1 -> cluster.services.set(i, ScaleCluster.service(index, step + 1));
            case 2 -> {
                cluster.services.remove(i);
                cluster.slices.remove(sliceOf(cluster, svc));
            }
            case 3 -> {
                int fresh = SERVICES + step * 10 + random.nextInt(10);
                if (cluster.services.stream().noneMatch(s -> s.metadata().name().equals("svc-" + fresh))) {
                    cluster.services.add(ScaleCluster.service(fresh, 0));
                    cluster.slices.add(ScaleCluster.slice(fresh, 2, 0));
                }
            }
            case 4 -> { // an endpoint shared with another Service, and one on another Service's ClusterIP
                Service other = cluster.services.get(random.nextInt(cluster.services.size()));
                List<String> ips = new ArrayList<>(List.of("10.250.0." + (1 + random.nextInt(5))));
                if (other.hasClusterIP()) {
                    ips.add(other.spec().clusterIP());
                }
                List<EndpointSlice.Endpoint> eps = new ArrayList<>();
                for (String ip : ips) {
                    eps.add(TestCluster.endpoint(ip, null, true, null));
                }
                cluster.slices.set(sliceOf(cluster, svc), TestCluster.slice(svc.metadata().namespace(), svc.metadata().name(),
                        "a", List.of(TestCluster.epPort("http", "TCP", 8080)), eps.toArray(EndpointSlice.Endpoint[]::new)));
            }
            case 5 -> cluster.slices.set(sliceOf(cluster, svc), TestCluster.slice(svc.metadata().namespace(),
                    svc.metadata().name(), "a", List.of(TestCluster.epPort("http", "TCP", 8080)),
                    TestCluster.endpoint("10.251.0." + (1 + random.nextInt(9)), null, random.nextBoolean(), null)));
            default -> cluster.services.set(i, TestCluster.headless(svc.metadata().namespace(), svc.metadata().name(),
                    TestCluster.port("http", "TCP", 80)));
        }
    }

    private static int sliceOf(ScaleCluster cluster, Service svc) {
        for (int j = 0; j < cluster.slices.size(); j++) {
            EndpointSlice s = cluster.slices.get(j);
            if (s.serviceName().equals(svc.metadata().name()) && s.metadata().namespace().equals(svc.metadata().namespace())) {
                return j;
            }
        }
        throw new IllegalStateException("no slice for " + svc.metadata().name());
    }

    /** Every name any Service ever had (this step's and the original ones), in every type asked for. */
    private static List<String[]> questions(ScaleCluster cluster) {
        TreeSet<String> names = new TreeSet<>(List.of("cluster.local.", "dns-version.cluster.local.", "svc.cluster.local.",
                "ns.dns.cluster.local.", "ns3.svc.cluster.local.", "1.0.250.10.in-addr.arpa.", "3.0.251.10.in-addr.arpa."));
        List<Service> all = new ArrayList<>(cluster.services);
        for (int i = 0; i < SERVICES; i += 7) {
            all.add(ScaleCluster.service(i, 0));
        }
        for (Service s : all) {
            String svc = s.metadata().name() + "." + s.metadata().namespace() + ".svc.cluster.local.";
            names.add(svc);
            names.add("_http._tcp." + svc);
            names.add("pod-0." + svc);
            for (String ip : s.clusterIPs()) {
                if (!ip.equals("None")) {
                    names.add(ReverseMap.fromAddress(ip(ip)).toString());
                }
            }
        }
        for (EndpointSlice sl : cluster.slices) {
            for (EndpointSlice.Endpoint ep : sl.endpoints()) {
                String ip = ep.addresses().get(0);
                names.add(ReverseMap.fromAddress(ip(ip)).toString());
                names.add(ip.replace('.', '-') + "." + sl.serviceName() + "." + sl.metadata().namespace() + ".svc.cluster.local.");
            }
        }
        List<String[]> out = new ArrayList<>();
        for (String n : names) {
            for (String t : new String[] {"A", "SRV", "PTR", "SOA", "NS", "TXT"}) {
                out.add(new String[] {n, t});
            }
        }
        return out;
    }

    private static InetAddress ip(String text) {
        return ClusterStageTest.addr(text);
    }

    private static Query query(String[] q) {
        try {
            return Query.parse(DnsClient.query(q[0], Type.value(q[1])).toWire(), CLIENT, QueryProtocol.UDP);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The reply as text, SOA serials left out (a full build starts its own). */
    private static String answer(ClusterZone zone, String[] q) {
        ClusterZone.Resolution r = zone.resolve(query(q));
        if (r.reply() == null) {
            return "pass " + r.external();
        }
        String slow = text(r.reply().message());
        // The wire fast path, where it answers, answers the same.
        dev.clusterdns.dns.pipeline.Reply fast = zone.resolveWire(query(q));
        if (fast != null) {
            assertEquals(slow, text(fast.message()), "fast path: " + q[0] + " " + q[1]);
        }
        return slow;
    }

    private static String text(Message m) {
        StringBuilder sb = new StringBuilder("rcode " + m.getRcode());
        for (int section : new int[] {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
            sb.append(" | ").append(text(m.getSection(section)));
        }
        return sb.toString();
    }

    private static String text(List<Record> records) {
        StringBuilder sb = new StringBuilder();
        for (Record r : records) {
            sb.append(r instanceof SOARecord soa ? soa.getName() + " SOA " + soa.getTTL() + " " + soa.getMinimum()
                    : r.toString()).append("; ");
        }
        return sb.toString();
    }

    static Name name(String s) {
        return Name.fromConstantString(s);
    }
}
