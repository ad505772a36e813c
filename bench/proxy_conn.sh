#!/usr/bin/env bash
# Cost of one proxied connection (one connection per request), in figures a shared machine disturbs
# little: system calls per connection (`strace -c` on clusterdns's event-loop thread and on HAProxy's
# process while wrk runs, divided by the accept4 calls that succeeded) and CPU time per connection of
# that thread (user and system time from /proc over wrk runs with `Connection: close`). Up to two
# clusterdns builds (jars) and HAProxy (`mode tcp`, one thread) take turns in the same window, all
# pinned to the last core, wrk and the backend on the others, as in bench/proxy.sh.
#
#   bench/proxy_conn.sh [SECONDS] [ROUNDS] [JAR_A [JAR_B]]
#     SECONDS per CPU measurement (default 6), ROUNDS of A/B/HAProxy turns (default 4);
#     without jars: this checkout's build (cli/target/clusterdns.jar, built if missing).
#   KEEPALIVE=1 bench/proxy_conn.sh ...   the same for keep-alive requests (64 connections kept
#     open): system calls and CPU per request instead of per connection.
#   FLOOR=1 bench/proxy_conn.sh ...   adds F, a minimal relay on Netty's channels, and I, one on
#     Netty's epoll loop without channels (IoHandles over its unix Socket) (bench/netty_floor, same
#     Netty, one loop, pinned the same way): the floors a Netty proxy starts from.
#
# Prints, per build: system calls per connection by name, and per round: connections per second,
# wrk's p99, and the event-loop thread's CPU µs per connection (user + system). Rounds with few
# connections per second (another program took the core) count fixed costs over few connections;
# compare the quieter ones. Needs: wrk, haproxy, strace, curl, taskset, a JDK and Maven.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-6}"
rounds="${2:-4}"
. "$root/bench/lib.sh"
need wrk haproxy strace curl python3 taskset
jars=("${@:3}")
if [ ${#jars[@]} -eq 0 ]; then
  [ -f "$root/cli/target/clusterdns.jar" ] || (cd "$root" && mvn -B -q -ntp -DskipTests -pl cli -am package)
  jars=("$root/cli/target/clusterdns.jar")
fi

cores=$(nproc)
proxy_core=$((cores - 1))
load_cores="0-$((cores > 1 ? cores - 2 : 0))"
backend_ip=127.244.9.2
backend_port="$(free_port)"
ref_port="$(free_port)"
haproxy_backend "$backend_ip" "$backend_port"
haproxy_reference "$ref_port" "$backend_ip" "$backend_port"

# ClusterIPs of their own (bench/proxy.sh uses 127.96.9.9), so both scripts can run side by side.
names=()
declare -A url pid stat
java_opts=(-Xmx768m -XX:+UseG1GC -Xss512k -Dio.netty.leakDetection.level=disabled)
if java --enable-native-access=ALL-UNNAMED -version >/dev/null 2>&1; then
  java_opts+=(--enable-native-access=ALL-UNNAMED)
fi
i=0
for jar in "${jars[@]}"; do
  name=$([ $i -eq 0 ] && echo A || echo B)
  ip="127.96.9.$((21 + i))"
  mkdir -p "$work/m$name"
  cat > "$work/m$name/app.yaml" <<YAML
apiVersion: v1
kind: Service
metadata: {name: app, namespace: bench}
spec: {clusterIP: $ip, selector: {app: app}, ports: [{port: 80, targetPort: $backend_port}]}
---
apiVersion: v1
kind: Pod
metadata: {name: app-1, namespace: bench, labels: {app: app}}
spec: {containers: [{name: app, image: app, ports: [{containerPort: $backend_port}]}]}
status: {phase: Running, podIP: $backend_ip}
YAML
  http="$(free_port)"
  taskset -c "$proxy_core" java -Dclusterdns.home="$root" "${java_opts[@]}" -jar "$jar" serve \
    --dns-listen "127.0.0.1:$(free_port)" --http-listen "127.0.0.1:$http" --manifests "$work/m$name" \
    --node-address 127.0.0.1 --upstream none --proxy-threads 1 >"$work/$name.log" 2>&1 &
  pids+=($!)
  pid[$name]=$!
  for _ in $(seq 1 600); do curl -fs "http://127.0.0.1:$http/ready" >/dev/null 2>&1 && break; sleep 0.1; done
  curl -fs "http://$ip/" >/dev/null || { echo "no answer through $ip ($jar):"; cat "$work/$name.log"; exit 1; }
  url[$name]="http://$ip/"
  names+=("$name")
  echo "$name = $jar ($ip)"
  i=$((i + 1))
done
if [ "${FLOOR:-0}" = 1 ]; then
  for floor in F:NettyFloor I:IoHandleFloor; do
    n=${floor%%:*}
    floor_port="$(free_port)"
    taskset -c "$proxy_core" java "${java_opts[@]}" -cp "${jars[0]}" "$root/bench/netty_floor/${floor#*:}.java" \
      127.0.0.1 "$floor_port" "$backend_ip" "$backend_port" >"$work/$n.log" 2>&1 &
    pids+=($!)
    pid[$n]=$!
    for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$floor_port/" >/dev/null 2>&1 && break; sleep 0.1; done
    url[$n]="http://127.0.0.1:$floor_port/"
    names+=("$n")
    echo "$n = bench/netty_floor/${floor#*:}.java (127.0.0.1:$floor_port)"
  done
fi
url[R]="http://127.0.0.1:$ref_port/"
pid[R]=$haproxy_pid
stat[R]=/proc/$haproxy_pid/stat

if [ "${KEEPALIVE:-0}" = 1 ]; then
  unit=req
  wrk_close() { timeout 60 taskset -c "$load_cores" wrk -t1 -c64 "$@" 2>&1; }
else
  unit=conn
  wrk_close() { timeout 60 taskset -c "$load_cores" wrk -t1 -c64 "$@" -H "Connection: close" 2>&1; }
fi
# JIT warm-up; then the event-loop thread ("clusterdns-proxy-io-…", the busiest thread of that name).
for _ in 1 2 3 4; do for n in "${names[@]}"; do wrk_close -d4s "${url[$n]}" >/dev/null; done; done
wrk_close -d2s "${url[R]}" >/dev/null
declare -A task
for n in "${names[@]}"; do
  task[$n]=$(for t in /proc/${pid[$n]}/task/*; do
    if [ "$(cat "$t/comm")" = clusterdns-prox ]; then echo "$(basename "$t") $(awk '{print $14 + $15}' "$t/stat")"; fi
  done | sort -k2 -n | tail -1 | cut -d' ' -f1)
  stat[$n]=/proc/${pid[$n]}/task/${task[$n]}/stat
done
task[R]=$haproxy_pid

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for n in "${names[@]}" R; do
  strace -c -p "${task[$n]}" -o "$work/count-$n.txt" 2>/dev/null &
  s=$!
  sleep 1
  requests=$(wrk_close -d3s "${url[$n]}" | awk '/requests in/ {print $1}')
  sleep 0.3
  kill -INT $s
  wait $s 2>/dev/null || true
  # Per connection: the accept4 calls that succeeded; per keep-alive request: wrk's count.
  awk -v n="$n" -v unit="$unit" -v requests="${requests:-0}" '$NF == "accept4" { acc = $4 - ($5 ~ /^[0-9]+$/ ? $5 : 0) }
    $1 ~ /^[0-9.]+$/ && NF >= 5 && $NF != "total" { c[$NF] = $4; t += $4 }
    END { if (unit == "req") acc = requests
          printf "%s: %.1f system calls per %s (%d):", n, t / acc, unit, acc
          for (k in c) if (c[k] / acc >= 0.05) printf " %s %.2f", k, c[k] / acc; printf "\n" }' "$work/count-$n.txt"
done
hz=$(getconf CLK_TCK)
for r in $(seq 1 "$rounds"); do
  for n in "${names[@]}" R; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    read -r u0 s0 < <(awk '{print $14, $15}' "${stat[$n]}")
    out=$(wrk_close -d"${seconds}s" --latency "${url[$n]}")
    read -r u1 s1 < <(awk '{print $14, $15}' "${stat[$n]}")
    echo "$out" | awk -v n="$n" -v r="$r" -v unit="$unit" -v load="$load" -v hz="$hz" -v u="$((u1 - u0))" -v s="$((s1 - s0))" '
      /requests in/ { conns = $1 } /Requests\/sec/ { rps = $2 } / 99%/ { p99 = $2 }
      END { k = 1e6 / hz / conns; printf "round %d %s (load %s): %s %s/s, p99 %s, CPU %.1f µs/%s (user %.1f, system %.1f)\n",
            r, n, load, rps, unit, p99, (u + s) * k, unit, u * k, s * k }'
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
