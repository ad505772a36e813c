#!/usr/bin/env bash
# Ingress benchmark: wrk (keep-alive, and one connection per request; plain HTTP and TLS) and, when
# installed, h2load (HTTP/2 over TLS) through clusterdns's Ingress controller, through HAProxy in
# HTTP mode and through nginx as a reverse proxy (when installed), to the same backend, in the same
# run. Each proxy is pinned to the same core (taskset), the load generator to the other ones. The
# backend is a second HAProxy answering a fixed 200 itself.
#
#   bench/ingress.sh [SECONDS]     (default 10 s per measurement)
#
# Needs: wrk, haproxy, curl, openssl (Debian packages), a JDK and Maven; optional: nginx, h2load
# (nghttp2-client).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-10}"
. "$root/bench/lib.sh"
need wrk haproxy curl openssl python3 taskset

cores=$(nproc)
proxy_core=$((cores - 1))
load_cores="0-$((cores > 1 ? cores - 2 : 0))"
backend_ip=127.244.9.2
backend_port="$(free_port)"
haproxy_http="$(free_port)"; haproxy_https="$(free_port)"
nginx_http="$(free_port)"; nginx_https="$(free_port)"
ingress_http="$(free_port)"; ingress_https="$(free_port)"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=bench.test \
  -addext subjectAltName=DNS:bench.test -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null
cat "$work/tls.crt" "$work/tls.key" > "$work/tls.pem"

cat > "$work/backend.cfg" <<CFG
global
  maxconn 4000
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
frontend backend
  bind $backend_ip:$backend_port
  http-request return status 200 content-type text/plain string "ok"
CFG
haproxy -f "$work/backend.cfg" -db >"$work/backend.log" 2>&1 &
pids+=($!)

cat > "$work/haproxy.cfg" <<CFG
global
  maxconn 4000
  nbthread 1
defaults
  mode http
  option http-keep-alive
  timeout connect 5s
  timeout client 30s
  timeout server 30s
frontend web
  bind 127.0.0.1:$haproxy_http
  bind 127.0.0.1:$haproxy_https ssl crt $work/tls.pem alpn h2,http/1.1
  option forwardfor
  default_backend app
backend app
  http-reuse always
  server a $backend_ip:$backend_port
CFG
taskset -c "$proxy_core" haproxy -f "$work/haproxy.cfg" -db >"$work/haproxy.log" 2>&1 &
haproxy_pid=$!
pids+=($haproxy_pid)

nginx_pid=
if command -v nginx >/dev/null; then
  mkdir -p "$work/nginx"
  cat > "$work/nginx.conf" <<CFG
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
  upstream app { server $backend_ip:$backend_port; keepalive 64; }
  server {
    listen 127.0.0.1:$nginx_http;
    listen 127.0.0.1:$nginx_https ssl http2;
    ssl_certificate $work/tls.crt; ssl_certificate_key $work/tls.key;
    location / {
      proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header Host \$host; proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    }
  }
}
CFG
  taskset -c "$proxy_core" nginx -c "$work/nginx.conf" -g 'daemon off;' >"$work/nginx.log" 2>&1 &
  nginx_pid=$!
  pids+=($nginx_pid)
fi

mkdir -p "$work/manifests"
cat > "$work/manifests/app.yaml" <<YAML
apiVersion: v1
kind: Service
metadata: {name: app, namespace: bench}
spec: {selector: {app: app}, ports: [{port: 80, targetPort: $backend_port}]}
---
apiVersion: v1
kind: Pod
metadata: {name: app-1, namespace: bench, labels: {app: app}}
spec: {containers: [{name: app, image: app, ports: [{containerPort: $backend_port}]}]}
status: {phase: Running, podIP: $backend_ip}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: app, namespace: bench}
spec:
  rules:
  - http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: app, port: {number: 80}}}}]}
YAML
# One event-loop thread, pinned like the others.
JAVA_TOOL_OPTIONS="${JAVA_TOOL_OPTIONS:-} -XX:ActiveProcessorCount=1" \
  serve_clusterdns "$work/clusterdns.log" --manifests "$work/manifests" --no-proxy --upstream none \
  --ingress-http "127.0.0.1:$ingress_http" --ingress-https "127.0.0.1:$ingress_https" --ingress-threads 1
clusterdns_pid=${pids[-1]}
for p in $(pgrep -P "$clusterdns_pid") "$clusterdns_pid"; do taskset -a -p -c "$proxy_core" "$p" >/dev/null 2>&1 || true; done
curl -fs "http://127.0.0.1:$ingress_http/" >/dev/null || { echo "no answer through the Ingress:"; cat "$work/clusterdns.log"; exit 1; }

rps() { awk '/Requests\/sec/ {print $2}'; }
p99() { awk '/ 99%/ {print $2}'; }
# measure NAME URL [wrk args] -> "req/s p99"
measure() {
  local out
  out=$(timeout $((seconds + 30)) taskset -c "$load_cores" wrk -t1 -c64 -d"${seconds}s" --latency "${@:2}" 2>&1)
  echo "$out" > "$work/$1.out"
  printf '%s %s\n' "$(echo "$out" | rps)" "$(echo "$out" | p99)"
}
h2() {
  command -v h2load >/dev/null || { echo "- -"; return; }
  local out
  out=$(timeout $((seconds + 30)) taskset -c "$load_cores" h2load -c16 -m16 -D"$seconds" "$1" 2>&1) || true
  echo "$out" > "$work/h2-$2.out"
  printf '%s %s\n' "$(echo "$out" | awk '/finished in/ {print $4}')" "-"
}

echo "warming up (JIT) ..."
for i in 1 2; do
  # Bounded: on an overloaded machine a tool can stall; the run goes on without it.
  timeout 30 wrk -t1 -c64 -d4s "http://127.0.0.1:$ingress_http/" >/dev/null 2>&1 || true
  timeout 30 wrk -t1 -c64 -d3s "http://127.0.0.1:$ingress_http/" -H "Connection: close" >/dev/null 2>&1 || true
  timeout 30 wrk -t1 -c64 -d3s "https://127.0.0.1:$ingress_https/" >/dev/null 2>&1 || true
  if command -v h2load >/dev/null; then timeout 30 h2load -c16 -m16 -n 5000 "https://127.0.0.1:$ingress_https/" >/dev/null 2>&1 || true; fi
done
echo "measuring $seconds s each, wrk -t1 -c64; proxies on core $proxy_core of $cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"

row() { # label http https
  read -r ka ka99 < <(measure "$1-ka" "http://127.0.0.1:$2/")
  read -r nc nc99 < <(measure "$1-new" "http://127.0.0.1:$2/" -H "Connection: close")
  read -r tls tls99 < <(measure "$1-tls" "https://127.0.0.1:$3/")
  read -r h2r _ < <(h2 "https://127.0.0.1:$3/" "$1")
  printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$4" "$ka" "$ka99" "$nc" "$nc99" "$tls" "$tls99" "$h2r"
  echo "$1 $ka $nc $tls $h2r" >> "$work/summary"
}
printf '\n| proxy | keep-alive req/s | p99 | new conn req/s | p99 | TLS keep-alive req/s | p99 | h2load req/s |\n'
printf '| --- | --- | --- | --- | --- | --- | --- | --- |\n'
row ours "$ingress_http" "$ingress_https" "clusterdns Ingress"
row haproxy "$haproxy_http" "$haproxy_https" "HAProxy $(haproxy -v | head -1 | awk '{print $3}') (http)"
if [ -n "$nginx_pid" ]; then row nginx "$nginx_http" "$nginx_https" "nginx $(nginx -v 2>&1 | sed 's/.*\///')"; fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
awk '{ v[$1, 2] = $2; v[$1, 3] = $3; v[$1, 4] = $4; v[$1, 5] = $5; names[$1] = 1 }
  END {
    split("keep-alive new-connection tls h2", label, " ");
    for (c = 2; c <= 5; c++) {
      best = 0; for (n in names) if (n != "ours" && v[n, c] + 0 > best) best = v[n, c] + 0;
      if (best > 0 && v["ours", c] + 0 > 0) printf "ratio clusterdns / faster reference, %s: %.2f\n", label[c - 1], v["ours", c] / best;
    }
  }' "$work/summary"
