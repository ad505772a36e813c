package dev.clusterdns.dns.pipeline;

import java.util.List;

/**
 * The one place that says where each stage runs (CoreDNS's `plugin.cfg`). A query enters at the
 * first stage; each stage answers or passes it on.
 *
 * <ul>
 *   <li>{@code loadbalance} first, so it shuffles every answer, cached and authoritative;
 *   <li>{@code transfer} refuses AXFR/IXFR before any zone sees it;
 *   <li>{@code autopath} re-asks the rest of the pipeline with the client's search path;
 *   <li>the authorities ({@code cluster}, {@code file}, {@code hosts}) answer from memory;
 *   <li>{@code acl} keeps {@code cache} and {@code forward} (recursion) to allowed clients, so
 *       authoritative answers are served to everyone and never cached.
 * </ul>
 */
public final class StageOrder {
    public static final List<String> NAMES = List.of(
            "loadbalance", "transfer", "autopath", "cluster", "file", "hosts", "acl", "cache", "forward");

    private StageOrder() {}

    /** Position of a stage name; throws for a name not in the list. */
    static int position(String name) {
        int i = NAMES.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("unknown DNS stage '" + name + "' (known: " + String.join(", ", NAMES) + ")");
        }
        return i;
    }
}
