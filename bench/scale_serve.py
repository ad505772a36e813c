#!/usr/bin/env python3
"""Measures one running `clusterdns serve` for bench/scale.sh (which starts and stops the process).

    bench/scale_serve.py --pid PID --started EPOCH_NS --dns-port P --http-port Q --dir DIR
                         [--edits 30] [--rss-edits 100] [--ready-timeout 300] [--edit-timeout 60]

1. time from start (EPOCH_NS, taken just before the launcher ran) to GET /ready answering 200;
2. heap used after a full GC (`jcmd PID GC.run`, then the "used" of `jcmd PID GC.heap_info`) and
   RSS (VmRSS of /proc/PID/status), at once and 1 s later (G1 hands back what the collection before
   /ready freed concurrently, within a few hundred ms);
3. edits, one at a time: a new Service appended to one namespace file, saved as an editor saves
   (whole file to a hidden temp file in the same directory, then rename over the original), then
   A queries for it over UDP, about one a millisecond, until it answers; change -> answer latency is
   from the rename to the first answer with an address. The first --edits edits are the latency
   sample; edits continue (each still waited for) up to --rss-edits, then RSS and heap are read again.

Prints one line of key=value results on stdout. Uses no DNS library: the query is built by hand.
"""
import argparse
import os
import random
import re
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.request


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS for pid %d" % pid)


UNITS = {"K": 1, "M": 1024, "G": 1024 * 1024}


def heap_used_after_gc_kb(pid):
    """Full GC, then the heap's "used" as GC.heap_info prints it (G1, Serial, Parallel, Z, Shenandoah)."""
    subprocess.run(["jcmd", str(pid), "GC.run"], check=True, capture_output=True, timeout=300)
    info = subprocess.run(["jcmd", str(pid), "GC.heap_info"], check=True, capture_output=True, text=True,
                          timeout=120).stdout
    # G1 ("garbage-first heap total N, used N"), Serial and Parallel (one such line per generation).
    gens = re.findall(r"^\s*(?!Metaspace|class space)[A-Za-z -]+?\s+total \d+[KMG], used (\d+)([KMG])", info, re.M)
    if gens:
        return sum(int(n) * UNITS[u] for n, u in gens)
    z = re.search(r"ZHeap\s+used (\d+)([KMG])", info)
    if z:
        return int(z.group(1)) * UNITS[z.group(2)]
    shen = re.search(r"(\d+)([KMG]) used", info)
    if shen:
        return int(shen.group(1)) * UNITS[shen.group(2)]
    raise RuntimeError("cannot read the heap's used size from jcmd GC.heap_info:\n" + info)


def query_bytes(name, qid):
    labels = b"".join(bytes([len(p)]) + p.encode("ascii") for p in name.rstrip(".").split("."))
    # id, flags RD, 1 question; QTYPE A, QCLASS IN
    return struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + labels + b"\0" + struct.pack(">HH", 1, 1)


def answers(sock, port, name):
    """True when the server answers NOERROR with at least one answer record for `name`."""
    qid = random.randrange(65536)
    sock.sendto(query_bytes(name, qid), ("127.0.0.1", port))
    deadline = time.monotonic() + 0.5
    while True:
        try:
            data = sock.recv(4096)
        except socket.timeout:
            return False
        if len(data) >= 12 and struct.unpack(">H", data[:2])[0] == qid:
            rcode = data[3] & 0x0F
            ancount = struct.unpack(">H", data[6:8])[0]
            return rcode == 0 and ancount > 0
        if time.monotonic() > deadline:
            return False


SERVICE = """apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: {ns}
spec:
  selector:
    app: svc-0
  ports:
  - name: http
    port: 80
    protocol: TCP
    targetPort: 8080
---
"""


def wait_ready(http_port, started_ns, timeout, pid):
    url = "http://127.0.0.1:%d/ready" % http_port
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return (time.time_ns() - started_ns) / 1e9
        except Exception:
            pass
        if not os.path.exists("/proc/%d" % pid):
            raise RuntimeError("clusterdns exited before it was ready")
        time.sleep(0.02)
    return None


def percentile(values, p):
    """Nearest rank: p99 of fewer than 100 samples is the largest."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, -(-len(s) * p // 100) - 1))
    return s[int(k)]


class Stopped(BaseException):
    """SIGTERM (bench/scale.sh's cap on the run): report what was measured so far."""


def on_term(signum, frame):
    raise Stopped()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--started", type=int, required=True, help="time.time_ns() when the launcher started")
    ap.add_argument("--dns-port", type=int, required=True)
    ap.add_argument("--http-port", type=int, required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--edits", type=int, default=30)
    ap.add_argument("--rss-edits", type=int, default=100)
    ap.add_argument("--ready-timeout", type=float, default=300)
    ap.add_argument("--edit-timeout", type=float, default=60)
    ap.add_argument("--deadline", type=float, default=1800, help="stop editing after this many seconds")
    a = ap.parse_args()
    out = {}
    signal.signal(signal.SIGTERM, on_term)
    try:
        measure(a, out)
    except Stopped:
        out["stopped"] = "timeout"
    print(" ".join("%s=%s" % (k, v) for k, v in out.items()))
    return 0 if "stopped" not in out else 1


def measure(a, out):
    t_begin = time.monotonic()

    ready = wait_ready(a.http_port, a.started, a.ready_timeout, a.pid)
    if ready is None:
        out["ready_s"] = "timeout"
        return
    out["ready_s"] = "%.2f" % ready
    out["rss_ready_mb"] = "%.0f" % (rss_kb(a.pid) / 1024)
    # G1 gives back what the collection before /ready freed concurrently, a few hundred ms later.
    time.sleep(1)
    out["rss_ready1_mb"] = "%.0f" % (rss_kb(a.pid) / 1024)
    out["heap_ready_mb"] = "%.0f" % (heap_used_after_gc_kb(a.pid) / 1024)

    files = sorted(f for f in os.listdir(a.dir) if f.endswith(".yaml"))
    texts = {}
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(0.5)
    latencies = []
    lost = 0
    done = 0
    total = max(a.edits, a.rss_edits)
    for i in range(total):
        if time.monotonic() - t_begin > a.deadline:
            break
        f = files[i % len(files)]
        path = os.path.join(a.dir, f)
        if f not in texts:
            with open(path) as fh:
                texts[f] = fh.read()
        ns = f[:-len(".yaml")]
        name = "new-svc-%d" % i
        texts[f] += SERVICE.format(name=name, ns=ns)
        tmp = os.path.join(a.dir, "." + f + ".tmp")
        with open(tmp, "w") as fh:
            fh.write(texts[f])
        qname = "%s.%s.svc.cluster.local" % (name, ns)
        t0 = time.monotonic()
        os.rename(tmp, path)
        seen = None
        while time.monotonic() - t0 < a.edit_timeout:
            if answers(sock, a.dns_port, qname):
                seen = time.monotonic() - t0
                break
            time.sleep(0.001)
        done += 1
        if seen is None:
            lost += 1
        elif i < a.edits:
            latencies.append(seen * 1000)
        # Kept current after every edit, so a run stopped by its cap still reports what it measured.
        if latencies:
            out["edit_median_ms"] = "%.0f" % percentile(latencies, 50)
            out["edit_p99_ms"] = "%.0f" % percentile(latencies, 99)
            out["edit_n"] = len(latencies)
        out["edits_done"] = done
        out["edits_lost"] = lost
    out["rss_edits_mb"] = "%.0f" % (rss_kb(a.pid) / 1024)
    out["heap_edits_mb"] = "%.0f" % (heap_used_after_gc_kb(a.pid) / 1024)


if __name__ == "__main__":
    sys.exit(main())
