#!/usr/bin/env bash
# Proxy benchmark: wrk through the clusterdns proxy (a ClusterIP) and through HAProxy in TCP mode to
# the same backend, in the same run, on loopback; keep-alive requests and one connection per request.
# The backend is HAProxy answering a fixed 200 itself, so neither proxy is measured against a slow
# server.
#
#   bench/proxy.sh [SECONDS]     (default 15 s per measurement)
#
# Needs: wrk, haproxy, curl (Debian packages), a JDK and Maven.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-15}"
. "$root/bench/lib.sh"
need wrk haproxy curl python3

backend_ip=127.244.9.1
backend_port=18080
ref_port="$(free_port)"
cat > "$work/haproxy.cfg" <<CFG
global
  maxconn 4000
defaults
  timeout connect 5s
  timeout client 30s
  timeout server 30s
frontend backend
  bind $backend_ip:$backend_port
  mode http
  http-request return status 200 content-type text/plain string "ok"
frontend reference
  bind 127.0.0.1:$ref_port
  mode tcp
  default_backend app
backend app
  mode tcp
  server a $backend_ip:$backend_port
CFG
haproxy -f "$work/haproxy.cfg" -db >"$work/haproxy.log" 2>&1 &
haproxy_pid=$!
pids+=($haproxy_pid)

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
serve_clusterdns "$work/clusterdns.log" --manifests "$work/manifests" --node-address 127.0.0.1 --upstream none
clusterdns_pid=${pids[-1]}
curl -fs "http://127.96.9.9/" >/dev/null || { echo "no answer through the ClusterIP:"; cat "$work/clusterdns.log"; exit 1; }

rps() { awk '/Requests\/sec/ {print $2}'; }
p99() { awk '/ 99%/ {print $2}'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# measure label url [extra wrk args...] -> "req/s p99 clusterdns-us/req haproxy-us/req" (CPU time,
# user + system, of each process per request: less sensitive to a busy machine than req/s)
measure() {
  local out c0 h0 n
  c0=$(cpu_ticks "$clusterdns_pid"); h0=$(cpu_ticks "$haproxy_pid")
  out=$(wrk -t1 -c64 -d"${seconds}s" --latency "${@:2}" 2>&1)
  echo "$out" > "$work/$1.out"
  n=$(echo "$out" | awk '/requests in/ {print $1}')
  printf '%s %s %s\n' "$(echo "$out" | rps)" "$(echo "$out" | p99)" \
    "$(awk -v c0="$c0" -v c1="$(cpu_ticks "$clusterdns_pid")" -v h0="$h0" -v h1="$(cpu_ticks "$haproxy_pid")" \
        -v n="${n:-0}" -v hz="$(getconf CLK_TCK)" \
        'BEGIN { if (n > 0) printf "%.0f %.0f", (c1 - c0) * 1e6 / hz / n, (h1 - h0) * 1e6 / hz / n; else print "0 0" }')"
}

# Both paths are warmed up, so the JIT has compiled the connect and close code before it is measured
# (keep-alive traffic alone opens only 64 connections).
echo "warming up (JIT) ..."
wrk -t1 -c64 -d5s http://127.96.9.9/ >/dev/null 2>&1
wrk -t1 -c64 -d5s http://127.96.9.9/ -H "Connection: close" >/dev/null 2>&1
wrk -t1 -c64 -d2s "http://127.0.0.1:$ref_port/" -H "Connection: close" >/dev/null 2>&1
echo "measuring $seconds s each, wrk -t1 -c64 on $(nproc) cores"
read -r direct_ka direct_ka99 _ _ < <(measure direct-ka "http://$backend_ip:$backend_port/")
read -r ours_ka ours_ka99 _ _ < <(measure ours-ka http://127.96.9.9/)
read -r ref_ka ref_ka99 _ _ < <(measure ref-ka "http://127.0.0.1:$ref_port/")
read -r ours_new ours_new99 ours_cpu backend_cpu < <(measure ours-new http://127.96.9.9/ -H "Connection: close")
read -r ref_new ref_new99 _ ref_cpu < <(measure ref-new "http://127.0.0.1:$ref_port/" -H "Connection: close")
printf '\n| path | keep-alive req/s | p99 | new connection req/s | p99 |\n| --- | --- | --- | --- | --- |\n'
printf '| backend direct | %s | %s | | |\n' "$direct_ka" "$direct_ka99"
printf '| clusterdns proxy | %s | %s | %s | %s |\n' "$ours_ka" "$ours_ka99" "$ours_new" "$ours_new99"
printf '| HAProxy %s (tcp) | %s | %s | %s | %s |\n' "$(haproxy -v | head -1 | awk '{print $3}')" "$ref_ka" "$ref_ka99" "$ref_new" "$ref_new99"
# HAProxy's process is the backend too: its proxying cost is its CPU in ref-new minus the backend's
# share, measured during ours-new.
printf '\nCPU per new connection (user + system): clusterdns %s us, HAProxy %s us (backend %s us excluded)\n' \
  "$ours_cpu" "$((ref_cpu - backend_cpu))" "$backend_cpu"
awk -v a="$ours_ka" -v b="$ref_ka" -v c="$ours_new" -v d="$ref_new" 'BEGIN {
  if (b > 0) printf "\nratio clusterdns/HAProxy: keep-alive %.2f", a / b;
  if (d > 0) printf ", new connections %.2f", c / d; printf "\n" }'
