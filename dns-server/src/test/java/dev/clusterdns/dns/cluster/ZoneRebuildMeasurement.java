package dev.clusterdns.dns.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Measures zone rebuilds at 10k Services / 50k endpoints and prints the times (never asserted: the
 * machine is shared). Opt-in, it takes a while: {@code -Dclusterdns.measure=true}, e.g.
 * {@code mvn -B -q -pl dns-server -am test -Dtest=ZoneRebuildMeasurement -Dsurefire.failIfNoSpecifiedTests=false -Dclusterdns.measure=true}.
 */
class ZoneRebuildMeasurement {

    @Test
    void rebuildTimesAtClusterScale() {
        Assumptions.assumeTrue(Boolean.getBoolean("clusterdns.measure"), "measurement only with -Dclusterdns.measure=true");
        ClusterOptions options = ClusterStageTest.options();
        ScaleCluster cluster = new ScaleCluster(10_000, 5);
        ClusterSnapshot first = cluster.snapshot(1);
        ClusterZone zone = null;
        com.sun.management.ThreadMXBean cpu =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        long[] full = new long[5];
        long[] fullCpu = new long[5];
        long[] fullAlloc = new long[5];
        for (int i = 0; i < full.length; i++) {
            long a = cpu.getThreadAllocatedBytes(tid);
            long c = cpu.getCurrentThreadCpuTime();
            long t = System.nanoTime();
            zone = IncrementalBuild.build(first, options, null, 1000);
            full[i] = System.nanoTime() - t;
            fullCpu[i] = cpu.getCurrentThreadCpuTime() - c;
            fullAlloc[i] = (cpu.getThreadAllocatedBytes(tid) - a);
        }
        long[] one = new long[20];
        long[] oneCpu = new long[20];
        long[] oneAlloc = new long[20];
        for (int i = 0; i < one.length; i++) {
            int which = i * 37;
            cluster.slices.set(which, ScaleCluster.slice(which, 5, i + 1));
            ClusterSnapshot next = cluster.snapshot(i + 2);
            long a = cpu.getThreadAllocatedBytes(tid);
            long c = cpu.getCurrentThreadCpuTime();
            long t = System.nanoTime();
            zone = IncrementalBuild.build(next, options, zone, 1000 + i);
            one[i] = System.nanoTime() - t;
            oneCpu[i] = cpu.getCurrentThreadCpuTime() - c;
            oneAlloc[i] = (cpu.getThreadAllocatedBytes(tid) - a);
        }
        // A snapshot in which no Service or EndpointSlice changed (the agent publishes on Pod changes too).
        long[] none = new long[20];
        for (int i = 0; i < none.length; i++) {
            ClusterSnapshot next = cluster.snapshot(22 + i);
            long c = cpu.getCurrentThreadCpuTime();
            zone = IncrementalBuild.build(next, options, zone, 2000 + i);
            none[i] = cpu.getCurrentThreadCpuTime() - c;
        }
        Runtime rt = Runtime.getRuntime();
        System.gc();
        System.out.printf("zone rebuild, 10k services / 50k endpoints (load average %.1f on %d cores):%n"
                + "  full build: wall ms %s, thread CPU ms %s, allocated MB %s%n"
                + "  one-service change: wall ms %s, thread CPU ms %s, allocated MB %s%n"
                + "  no DNS-relevant change: thread CPU ms %s%n"
                + "  heap used after GC (snapshot + zone) %d MiB%n",
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                rt.availableProcessors(), ms(full), ms(fullCpu), ms(fullAlloc), ms(one), ms(oneCpu), ms(oneAlloc), ms(none),
                (rt.totalMemory() - rt.freeMemory()) >> 20);
        // The last change is served: the moved endpoints of Service 19 * 37.
        int last = 19 * 37;
        assertEquals(41, zone.revision());
        assertEquals(cluster.slices.get(last), zone.snapshot().endpointSlices(ScaleCluster.namespace(last), "svc-" + last).get(0));
    }

    /** Millions: nanoseconds as ms, bytes as MB. */
    private static String ms(long[] nanos) {
        StringBuilder sb = new StringBuilder();
        for (long n : nanos) {
            sb.append(sb.length() == 0 ? "" : " ").append(n / 1_000_000);
        }
        long[] sorted = nanos.clone();
        java.util.Arrays.sort(sorted);
        return "[" + sb + "] median " + sorted[sorted.length / 2] / 1_000_000;
    }
}
