package dev.clusterdns.cli.serve;

import java.util.Map;
import java.util.TreeMap;

/** `/ready` is 200 once every registered gate has opened (sources synced, listeners bound). */
public final class Readiness {
    private final Map<String, Boolean> gates = new TreeMap<>();
    private boolean stopping;

    /** Registers a closed gate; call the returned runnable when the component is ready. */
    public synchronized Runnable gate(String name) {
        gates.put(name, false);
        return () -> open(name);
    }

    private synchronized void open(String name) {
        gates.put(name, true);
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
                sb.append(k).append('\n');
            }
        });
        return sb.toString();
    }
}
