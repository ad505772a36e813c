# Shared by the bench scripts: a work dir cleaned up on exit, background processes stopped on exit,
# free loopback ports, and waiting for `clusterdns serve` to be ready.
work="$(mktemp -d /tmp/clusterdns-bench.XXXXXX)"
pids=()
launch=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

need() { for tool in "$@"; do command -v "$tool" >/dev/null || { echo "$0: $tool is not installed (apt-get install $tool)" >&2; exit 2; }; done; }
# A port free for TCP and UDP on loopback, from 20000-29999: outside the kernel's ephemeral range (so
# no client socket, dig's or the server's own, is handed it meanwhile) and never one this run handed
# out before (two ports asked in a row were once the same, and serve's DNS then met its own HTTP).
free_port() {
  python3 - "$work/ports-given" <<'PY'
import random, socket, sys
given = set(open(sys.argv[1]).read().split()) if __import__("os").path.exists(sys.argv[1]) else set()
for _ in range(1000):
    port = random.randint(20000, 29999)
    if str(port) in given:
        continue
    try:
        for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
            with socket.socket(socket.AF_INET, kind) as s:
                s.bind(("127.0.0.1", port))
    except OSError:
        continue
    open(sys.argv[1], "a").write("%d\n" % port)
    print(port)
    break
else:
    sys.exit("no free port in 20000-29999")
PY
}

# serve_clusterdns LOG ARGS... : starts `clusterdns serve ARGS` on free ports and waits for /ready; a
# command prefix in the array `launch` (e.g. taskset -c 0) runs it.
serve_clusterdns() {
  local log="$1"; shift
  dns_port="$(free_port)"
  http_port="$(free_port)"
  "${launch[@]}" "$root/clusterdns" serve --dns-listen "127.0.0.1:$dns_port" --http-listen "127.0.0.1:$http_port" "$@" >"$log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 600); do
    curl -fs "http://127.0.0.1:$http_port/ready" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "clusterdns did not become ready:" >&2; cat "$log" >&2; exit 1
}

# HAProxy answering 200 "ok" to HTTP on IP:PORT, on the load cores (the proxies' backend).
haproxy_backend() {
  cat > "$work/backend.cfg" <<CFG
global
  maxconn 4000
defaults
  timeout connect 5s
  timeout client 30s
  timeout server 30s
frontend backend
  bind $1:$2
  mode http
  http-request return status 200 content-type text/plain string "ok"
CFG
  taskset -c "$load_cores" haproxy -f "$work/backend.cfg" -db >"$work/backend.log" 2>&1 &
  pids+=($!)
}

# HAProxy as the reference L4 proxy (mode tcp, one thread) on the proxy core: 127.0.0.1:PORT to
# BACKEND_IP:BACKEND_PORT. Sets haproxy_pid.
haproxy_reference() {
  cat > "$work/haproxy.cfg" <<CFG
global
  maxconn 4000
  nbthread 1
defaults
  timeout connect 5s
  timeout client 30s
  timeout server 30s
frontend reference
  bind 127.0.0.1:$1
  mode tcp
  default_backend app
backend app
  mode tcp
  server a $2:$3
CFG
  taskset -c "$proxy_core" haproxy -f "$work/haproxy.cfg" -db >"$work/haproxy.log" 2>&1 &
  haproxy_pid=$!
  pids+=($haproxy_pid)
}

# Writes DIR/nsd.conf: NSD on 127.0.0.1@PORT, one server process, serving DIR/cluster.local.zone.
nsd_conf() {
  local dir="$1" port="$2"
  cat > "$dir/nsd.conf" <<CONF
server:
  ip-address: 127.0.0.1@$port
  username: ""
  chroot: ""
  zonesdir: "$dir"
  pidfile: "$dir/nsd.pid"
  database: ""
  xfrdfile: "$dir/xfrd.state"
  zonelistfile: "$dir/zone.list"
  server-count: 1
  verbosity: 0
  # Debian's NSD is built with response rate limiting, 200 answers a second per client /24 by
  # default: from one loopback client it drops a share of the answers, dnsperf waits out the lost
  # queries, and the run measures the limiter, not the server. Off, as clusterdns's --rrl-rate is.
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: cluster.local
  zonefile: cluster.local.zone
CONF
}

# The DNS benchmarks' data set, the same records two ways, in DIR: N Services in
# DIR/manifests/services.yaml for clusterdns, DIR/nsd/cluster.local.zone for NSD, and dnsperf's
# DIR/queries.txt (every name once, plus one absent name per four).
dns_data_set() {
  local services="$1" dir="$2"
  mkdir -p "$dir/manifests" "$dir/nsd" "$dir/empty"
  python3 - "$services" "$dir/manifests/services.yaml" "$dir/nsd/cluster.local.zone" "$dir/queries.txt" <<'PY'
import sys
n, manifests, zone, queries = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
with open(manifests, "w") as m, open(zone, "w") as z, open(queries, "w") as q:
    z.write("$ORIGIN cluster.local.\n$TTL 5\n"
            "@ IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 86400 5\n"
            "@ IN NS ns.dns.cluster.local.\nns.dns IN A 127.0.0.1\n")
    for i in range(n):
        ip = f"127.96.{16 + i // 250}.{1 + i % 250}"
        m.write(f"apiVersion: v1\nkind: Service\nmetadata: {{name: svc-{i}, namespace: bench}}\n"
                f"spec: {{clusterIP: {ip}, ports: [{{name: http, port: 80}}]}}\n---\n")
        z.write(f"svc-{i}.bench.svc IN A {ip}\n")
        q.write(f"svc-{i}.bench.svc.cluster.local A\n")
        if i % 4 == 3:  # one name in five does not exist
            q.write(f"nx-{i}.bench.svc.cluster.local A\n")
PY
}

# family PID: PID and its descendants (NSD forks its workers), two generations deep.
family() { echo "$1" $(pgrep -P "$1" 2>/dev/null) $(for c in $(pgrep -P "$1" 2>/dev/null); do pgrep -P "$c"; done); }
# cpu_ticks PID: "user system" of PID and its descendants, in clock ticks.
cpu_ticks() {
  local user=0 system=0 p u s
  for p in $(family "$1"); do
    [ -r "/proc/$p/stat" ] || continue
    # Fields after "pid (comm) ": the name may hold spaces ("nsd: server 1"); utime, stime are 12th, 13th.
    read -r u s < <(sed 's/.*) //' "/proc/$p/stat" | awk '{print $12, $13}') || continue
    user=$(( user + u )) system=$(( system + s ))
  done
  echo "$user $system"
}
