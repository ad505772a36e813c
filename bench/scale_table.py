#!/usr/bin/env python3
"""Prints bench/scale.sh's results as one Markdown table, size x metric.

    bench/scale_table.py RESULTS EDITS RSS_EDITS FLIPS

RESULTS has one line per run: "serve NAMESPACES key=value ..." or "api NAMESPACES key=value ...".
"""
import sys


def parse(path):
    runs = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) < 2:
                continue
            kind, ns = parts[0], int(parts[1])
            values = dict(p.split("=", 1) for p in parts[2:] if "=" in p)
            runs.setdefault(ns, {}).update({kind + "." + k: v for k, v in values.items()})
    return runs


def main():
    path, edits, rss_edits, flips = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    runs = parse(path)
    sizes = sorted(runs)
    if not sizes:
        print("no results")
        return 1

    def get(ns, key):
        r = runs[ns]
        if "serve.failed" in r and key.startswith("serve."):
            return r.get(key, "failed")
        if "api.failed" in r and key.startswith("api."):
            return r.get(key, "failed")
        return r.get(key, "—")

    def pair(ns, a, b):
        x, y = get(ns, a), get(ns, b)
        return x if x == y == "—" or x == "failed" else "%s / %s" % (x, y)

    def sample(ns, text, key, planned):
        n = runs[ns].get(key)
        return text if n in (None, planned) or text in ("—", "failed") else "%s (n=%s)" % (text, n)

    def objects(ns):
        n = ns * 1600
        return "%.1fk" % (n / 1000) if n < 10000 else "%dk" % (n // 1000)

    rows = [
        ("time to `/ready` (s)", lambda ns: get(ns, "serve.ready_s")),
        ("heap used after full GC, at ready (MB)", lambda ns: get(ns, "serve.heap_ready_mb")),
        ("heap used after full GC, after %s edits (MB)" % rss_edits, lambda ns: get(ns, "serve.heap_edits_mb")),
        ("RSS at ready (MB)", lambda ns: get(ns, "serve.rss_ready_mb")),
        ("RSS 1 s after ready (MB)", lambda ns: get(ns, "serve.rss_ready1_mb")),
        ("RSS after %s edits (MB)" % rss_edits, lambda ns: get(ns, "serve.rss_edits_mb")),
        ("file edit → DNS answer, median / p99 (ms, %s edits)" % edits,
         lambda ns: sample(ns, pair(ns, "serve.edit_median_ms", "serve.edit_p99_ms"), "serve.edit_n", edits)),
        ("API: Pod Ready flip → snapshot shows the Pod, median / p99 (ms, %s flips)" % flips,
         lambda ns: sample(ns, pair(ns, "api.pod_median_ms", "api.pod_p99_ms"), "api.flips", flips)),
        ("API: … → snapshot shows the endpoint, median / p99 (ms)",
         lambda ns: sample(ns, pair(ns, "api.endpoint_median_ms", "api.endpoint_p99_ms"), "api.flips", flips)),
        ("API: informers' first list → first snapshot (ms)", lambda ns: get(ns, "api.sync_ms")),
        ("API: first change after the first list seen (watches opening; ms)", lambda ns: get(ns, "api.first_change_ms")),
    ]
    print()
    print("| metric | " + " | ".join("%s objects" % objects(ns) for ns in sizes) + " |")
    print("| --- |" + " --- |" * len(sizes))
    for label, f in rows:
        cells = [str(f(ns)) for ns in sizes]
        if any(c != "—" for c in cells):  # e.g. no API rows after --no-api
            print("| %s | %s |" % (label, " | ".join(cells)))
    for ns in sizes:
        if runs[ns].get("serve.stopped"):
            print("\n%d namespace(s): the serve run hit its --timeout; the numbers shown are what it measured before"
                  % ns)
    lost = [(ns, runs[ns].get("serve.edits_lost")) for ns in sizes if runs[ns].get("serve.edits_lost") not in (None, "0")]
    for ns, n in lost:
        print("\n%d namespace(s): %s edit(s) never answered within the edit timeout" % (ns, n))
    short = [(ns, runs[ns].get("serve.edits_done")) for ns in sizes
             if runs[ns].get("serve.edits_done") not in (None, rss_edits)]
    for ns, n in short:
        print("%d namespace(s): only %s of %s edits done before the run's deadline" % (ns, n, rss_edits))
    return 0


if __name__ == "__main__":
    sys.exit(main())
