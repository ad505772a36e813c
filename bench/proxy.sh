#!/usr/bin/env bash
# Proxy benchmark: wrk through the clusterdns proxy (a ClusterIP) and through HAProxy in TCP mode
# (one thread) to the same backend, in the same run, on loopback; keep-alive requests and one
# connection per request. Both proxies are pinned to the same core (taskset), wrk to the other ones.
# The backend is a second HAProxy answering a fixed 200 itself, so neither proxy is measured against
# a slow server, and each proxy's CPU time is its own.
#
#   bench/proxy.sh [SECONDS]     (default 15 s per measurement)
#   PROXY_ARGS="--proxy-transport nio" bench/proxy.sh 10     (extra `serve` flags, to compare levers)
#
# Prints req/s, p99, the p99 added over the backend alone, and the CPU time (user + system) each proxy
# process spent per request: a shared, busy machine disturbs that less than req/s.
#
# Needs: wrk, haproxy, curl, taskset (Debian packages), a JDK and Maven.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-15}"
. "$root/bench/lib.sh"
need wrk haproxy curl python3 taskset

cores=$(nproc)
proxy_core=$((cores - 1))
load_cores="0-$((cores > 1 ? cores - 2 : 0))"
backend_ip=127.244.9.1
backend_port="$(free_port)"
ref_port="$(free_port)"
haproxy_backend "$backend_ip" "$backend_port"
haproxy_reference "$ref_port" "$backend_ip" "$backend_port"

mkdir -p "$work/manifests"
cat > "$work/manifests/app.yaml" <<YAML
apiVersion: v1
kind: Service
metadata: {name: app, namespace: bench}
spec: {clusterIP: 127.96.9.9, selector: {app: app}, ports: [{port: 80, targetPort: $backend_port}]}
---
apiVersion: v1
kind: Pod
metadata: {name: app-1, namespace: bench, labels: {app: app}}
spec: {containers: [{name: app, image: app, ports: [{containerPort: $backend_port}]}]}
status: {phase: Running, podIP: $backend_ip}
YAML
# One event loop, as HAProxy's one thread; every JVM thread (JIT, GC) on the proxy core.
# shellcheck disable=SC2086
serve_clusterdns "$work/clusterdns.log" --manifests "$work/manifests" --node-address 127.0.0.1 --upstream none \
  --proxy-threads 1 ${PROXY_ARGS:-}
clusterdns_pid=${pids[-1]}
taskset -a -p -c "$proxy_core" "$clusterdns_pid" >/dev/null
curl -fs "http://127.96.9.9/" >/dev/null || { echo "no answer through the ClusterIP:"; cat "$work/clusterdns.log"; exit 1; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# measure LABEL PID URL [wrk args...] -> "req/s p99-ms us-per-request" (CPU time of PID, user + system,
# per request served; PID 0 = none)
measure() {
  local out c0 c1 n pid=$2
  c0=0; [ "$pid" = 0 ] || c0=$(cpu_ticks "$pid")
  out=$(timeout $((seconds + 30)) taskset -c "$load_cores" wrk -t1 -c64 -d"${seconds}s" --latency "${@:3}" 2>&1)
  c1=0; [ "$pid" = 0 ] || c1=$(cpu_ticks "$pid")
  echo "$out" > "$work/$1.out"
  n=$(echo "$out" | awk '/requests in/ {print $1}')
  echo "$out" | awk -v c0="$c0" -v c1="$c1" -v n="${n:-0}" -v hz="$(getconf CLK_TCK)" -v pid="$pid" '
    /Requests\/sec/ { rps = $2 }
    / 99%/ { v = $2; ms = v + 0; if (v ~ /us$/) ms /= 1000; else if (v ~ /[0-9]s$/ && v !~ /ms$/) ms *= 1000; p99 = ms }
    END { cpu = (n > 0 && pid != 0) ? sprintf("%.1f", (c1 - c0) * 1e6 / hz / n) : "-";
          printf "%s %.2f %s\n", rps ? rps : 0, p99, cpu }'
}

# Every path is warmed up, so the JIT has compiled the connect and close code before it is measured
# (keep-alive traffic alone opens only 64 connections).
echo "warming up (JIT) ..."
for _ in 1 2 3 4; do
  timeout 30 taskset -c "$load_cores" wrk -t1 -c64 -d4s http://127.96.9.9/ >/dev/null 2>&1 || true
  timeout 30 taskset -c "$load_cores" wrk -t1 -c64 -d4s http://127.96.9.9/ -H "Connection: close" >/dev/null 2>&1 || true
done
timeout 30 taskset -c "$load_cores" wrk -t1 -c64 -d2s "http://127.0.0.1:$ref_port/" -H "Connection: close" >/dev/null 2>&1 || true
echo "measuring $seconds s each, wrk -t1 -c64; proxies on core $proxy_core of $cores; ${PROXY_ARGS:+serve $PROXY_ARGS; }load before: $(cut -d' ' -f1-3 /proc/loadavg)"
read -r direct_ka direct_ka99 _ < <(measure direct-ka 0 "http://$backend_ip:$backend_port/")
read -r direct_new direct_new99 _ < <(measure direct-new 0 "http://$backend_ip:$backend_port/" -H "Connection: close")
read -r ours_ka ours_ka99 ours_ka_cpu < <(measure ours-ka "$clusterdns_pid" http://127.96.9.9/)
read -r ref_ka ref_ka99 ref_ka_cpu < <(measure ref-ka "$haproxy_pid" "http://127.0.0.1:$ref_port/")
read -r ours_new ours_new99 ours_new_cpu < <(measure ours-new "$clusterdns_pid" http://127.96.9.9/ -H "Connection: close")
read -r ref_new ref_new99 ref_new_cpu < <(measure ref-new "$haproxy_pid" "http://127.0.0.1:$ref_port/" -H "Connection: close")
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
added() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.2f", a - b }'; }
printf '\n| path | keep-alive req/s | p99 ms (added) | CPU µs/req | new connection req/s | p99 ms (added) | CPU µs/conn |\n'
printf '| --- | --- | --- | --- | --- | --- | --- |\n'
printf '| backend direct | %s | %s | | %s | %s | |\n' "$direct_ka" "$direct_ka99" "$direct_new" "$direct_new99"
printf '| clusterdns proxy | %s | %s (%s) | %s | %s | %s (%s) | %s |\n' "$ours_ka" "$ours_ka99" "$(added "$ours_ka99" "$direct_ka99")" \
  "$ours_ka_cpu" "$ours_new" "$ours_new99" "$(added "$ours_new99" "$direct_new99")" "$ours_new_cpu"
printf '| HAProxy %s (tcp, 1 thread) | %s | %s (%s) | %s | %s | %s (%s) | %s |\n' "$(haproxy -v | head -1 | awk '{print $3}')" \
  "$ref_ka" "$ref_ka99" "$(added "$ref_ka99" "$direct_ka99")" "$ref_ka_cpu" \
  "$ref_new" "$ref_new99" "$(added "$ref_new99" "$direct_new99")" "$ref_new_cpu"
awk -v a="$ours_ka" -v b="$ref_ka" -v c="$ours_new" -v d="$ref_new" -v e="$ours_ka_cpu" -v f="$ref_ka_cpu" \
    -v g="$ours_new_cpu" -v h="$ref_new_cpu" 'BEGIN {
  if (b > 0 && d > 0) printf "\nratio clusterdns/HAProxy req/s: keep-alive %.2f, new connections %.2f\n", a / b, c / d;
  if (f > 0 && h > 0) printf "ratio clusterdns/HAProxy CPU per request: keep-alive %.2f, new connections %.2f\n", e / f, g / h }'
