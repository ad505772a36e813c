package dev.clusterdns.cli.serve;

import dev.clusterdns.agent.snapshot.Problem;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * `/ready` is 200 once every registered gate has opened (sources synced, listeners bound).
 *
 * <p>What a component serves only in part (e.g. a Service socket another process holds) does not
 * close a gate, as kube-proxy stays healthy when it cannot open one Service's port: the rest
 * serves. Such problems are registered with {@link #reportProblems} instead; `/ready` lists them
 * in its body and `/api/clusterdns/problems` with the snapshot's own.
 */
public final class Readiness {
    private final Map<String, Boolean> gates = new TreeMap<>();
    private final Map<String, Supplier<String>> explanations = new TreeMap<>();
    private boolean stopping;
    private final List<Supplier<List<Problem>>> problemSources = new CopyOnWriteArrayList<>();
    /** Futures waiting for every gate but one to open, by that gate's name. */
    private final Map<String, CompletableFuture<Void>> othersOpen = new TreeMap<>();

    /** Adds a live source of problems found while serving (read on every request). */
    public void reportProblems(Supplier<List<Problem>> source) {
        problemSources.add(source);
    }

    /** What the registered sources report now. */
    public List<Problem> problems() {
        List<Problem> out = new ArrayList<>();
        for (Supplier<List<Problem>> source : problemSources) {
            out.addAll(source.get());
        }
        return out;
    }

    /** Registers a closed gate; call the returned runnable when the component is ready. */
    public synchronized Runnable gate(String name) {
        gates.put(name, false);
        return () -> open(name);
    }

    /** Says, in `/ready`'s body, what a closed gate waits for (the supplier may answer null). */
    public synchronized void explain(String name, Supplier<String> what) {
        explanations.put(name, what);
    }

    private synchronized void open(String name) {
        gates.put(name, true);
        othersOpen.forEach((last, f) -> {
            if (allOpenBut(last)) {
                f.complete(null);
            }
        });
    }

    /** Completes once every gate but {@code last} is open (gates registered later count too). */
    public synchronized CompletableFuture<Void> othersOpen(String last) {
        CompletableFuture<Void> f = othersOpen.computeIfAbsent(last, n -> new CompletableFuture<>());
        if (allOpenBut(last)) {
            f.complete(null);
        }
        return f;
    }

    private boolean allOpenBut(String last) {
        return gates.entrySet().stream().allMatch(e -> e.getKey().equals(last) || e.getValue());
    }

    public synchronized boolean ready() {
        return !stopping && !gates.isEmpty() && gates.values().stream().allMatch(Boolean::booleanValue);
    }

    /** From now on not ready: the process is shutting down (lame duck), whatever the gates say. */
    public synchronized void stopping() {
        stopping = true;
    }

    /** Names of gates still closed, for the `/ready` body. */
    public synchronized String pending() {
        StringBuilder sb = new StringBuilder();
        if (stopping) {
            sb.append("shutting down\n");
        }
        gates.forEach((k, v) -> {
            if (!v) {
                Supplier<String> why = explanations.get(k);
                String what = why == null ? null : why.get();
                sb.append(k).append(what == null ? "" : ": " + what).append('\n');
            }
        });
        return sb.toString();
    }
}
