package dev.clusterdns.dns.transport;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One thread's counts for one listen address: plain arrays that only their own thread writes (no
 * atomic read-modify-write per query), read and summed by the scrape. Each slot is stored with an
 * opaque write, so a scrape on another thread sees whole values, at most a few queries old (a
 * histogram's count and sum may be one observation apart in a scrape). A shard outlives its thread:
 * the threads that answer are the event loops and the forwarder's, a fixed set, and what an ended
 * thread counted stays in the totals.
 */
final class MetricShard {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle DOUBLES = MethodHandles.arrayElementVarHandle(double[].class);

    /** [(proto * 2 + family) * types + type]. */
    final long[] requests;
    /** [0]: queries with DO set. */
    final long[] doRequests = new long[1];
    /** [plugin * rcodes + rcode] for the stages and rcodes known up front. */
    final long[] responses;
    /** [type * buckets + bucket], the counts of each bucket alone (not cumulative). */
    final long[] duration;
    /** [type]. */
    final double[] durationSum;
    /** [proto * buckets + bucket]. */
    final long[] requestSize;
    final double[] requestSizeSum;
    final long[] responseSize;
    final double[] responseSizeSum;

    MetricShard(int types, int plugins, int rcodes, int timeBuckets, int sizeBuckets) {
        requests = new long[2 * 2 * types];
        responses = new long[plugins * rcodes];
        duration = new long[types * timeBuckets];
        durationSum = new double[types];
        requestSize = new long[2 * sizeBuckets];
        requestSizeSum = new double[2];
        responseSize = new long[2 * sizeBuckets];
        responseSizeSum = new double[2];
    }

    /** Adds one to {@code a[i]}: only the owning thread calls this. */
    static void increment(long[] a, int i) {
        LONGS.setOpaque(a, i, (long) LONGS.get(a, i) + 1);
    }

    /** Adds {@code v} to {@code a[i]}: only the owning thread calls this. */
    static void add(double[] a, int i, double v) {
        DOUBLES.setOpaque(a, i, (double) DOUBLES.get(a, i) + v);
    }

    /** {@code a[i]} as last stored by the owning thread (any thread may call this). */
    static long read(long[] a, int i) {
        return (long) LONGS.getOpaque(a, i);
    }

    static double read(double[] a, int i) {
        return (double) DOUBLES.getOpaque(a, i);
    }
}
