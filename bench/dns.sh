#!/usr/bin/env bash
# DNS benchmark: dnsperf against `clusterdns serve`, against NSD serving the same records, and against
# a bare UDP echo (bench/udp_echo.c, the physical limit), in the same run, on loopback.
#
#   bench/dns.sh [SERVICES] [SECONDS] [RATE]   (defaults: 10000 services, 15 s per measurement, 60000 q/s)
#   DNS_SOCKETS=1 bench/dns.sh ...             clusterdns with `--dns-sockets 1` (one UDP serving thread
#                                              on the server's core, as NSD's one process; default: serve's own)
#
# The query list asks every Service's A record in turn, with one name in five that does not exist
# (80 % answers, 20 % NXDOMAIN). With two cores or more each server runs pinned to core 0 and dnsperf
# to core 1 (taskset), so they do not compete for a core. Per server:
#   - the most queries per second dnsperf gets answered (UDP; TCP too for clusterdns and NSD);
#   - the CPU the server spends per answered query (utime+stime of its processes over the answers) at
#     a fixed RATE q/s: the figure to compare on a shared machine (it depends on the load only through
#     how many datagrams a server finds per wake-up, alike for every server: compare ratios within a
#     run) (clusterdns's also split by thread: event loop, GC and VM, JIT, other);
#   - the same split into user and system time, and the system calls per answered query by kind
#     (perf's syscall tracepoints, a shorter run of its own at RATE q/s);
#   - latency p50 / p99 / p99.9 at 20,000 q/s (dnsperf -v, per answer).
#
# Needs: dnsperf, nsd (Debian packages), a C compiler, a JDK and Maven (the jar is built if missing).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
services="${1:-10000}"
seconds="${2:-15}"
rate="${3:-60000}"
. "$root/bench/lib.sh"
need dnsperf nsd curl python3 cc

dns_data_set "$services" "$work"

# Server on core 0, dnsperf on core 1 (when there are two cores and taskset).
server_cpu=() client_cpu=()
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
  server_cpu=(taskset -c 0) client_cpu=(taskset -c 1)
fi

echo_port="$(free_port)"
cc -O2 -o "$work/udp_echo" "$root/bench/udp_echo.c"
"${server_cpu[@]}" "$work/udp_echo" "$echo_port" &
pids+=($!)
echo_pid=$!

nsd_port="$(free_port)"
nsd_conf "$work/nsd" "$nsd_port"
"${server_cpu[@]}" nsd -d -c "$work/nsd/nsd.conf" >"$work/nsd.log" 2>&1 &
pids+=($!)
nsd_pid=$!

launch=("${server_cpu[@]}")
serve_clusterdns "$work/clusterdns.log" --manifests "$work/manifests" --zonefiles "$work/empty" --no-proxy --no-ingress --upstream none \
  ${DNS_SOCKETS:+--dns-sockets "$DNS_SOCKETS"}
ours_pid="${pids[-1]}"

# perf NAME PORT [DNSPERF ARGS...]: dnsperf from core 1 against PORT, its report kept in $work/NAME.out.
perf() {
  local name="$1" port="$2"; shift 2
  "${client_cpu[@]}" dnsperf -s 127.0.0.1 -p "$port" -d "$work/queries.txt" -c 4 -q 500 -T 1 -t 1 "$@" > "$work/$name.out" 2>&1 || true
}
qps() { awk '/Queries per second/ {printf "%.0f", $4}' "$work/$1.out"; }
completed() { awk '/Queries completed/ {print $3}' "$work/$1.out"; }
lost() { awk '/Queries lost/ {print $3}' "$work/$1.out"; }

# cpu_per_query NAME PORT PID: µs of server CPU per answered query at a fixed $rate q/s; the split
# into user and system time is kept in $work/NAME-split ("user system", µs per query).
cpu_per_query() {
  local before after hz
  hz=$(getconf CLK_TCK)
  before=$(cpu_ticks "$3")
  perf "$1-fixed" "$2" -l "$seconds" -Q "$rate"
  after=$(cpu_ticks "$3")
  set -- "$1" $before $after
  awk -v u=$(( $4 - $2 )) -v s=$(( $5 - $3 )) -v hz="$hz" -v n="$(completed "$1-fixed")" 'BEGIN {
    if (n > 0) printf "%.2f %.2f", u / hz * 1e6 / n, s / hz * 1e6 / n }' > "$work/$1-split"
  awk '{ if (NF == 2) printf "%.2f", $1 + $2 }' "$work/$1-split"
}
split_of() { awk '{ if (NF == 2) printf "%s / %s", $1, $2; else printf "-" }' "$work/$1-split"; }

# System calls per answered query at $rate q/s (a separate, shorter run: counting them costs the
# kernel a little per call, so it is kept out of the CPU figure), when perf can count the syscall
# tracepoints (root, or perf_event_paranoid ≤ -1). Prints "name count, ..." per query.
syscall_events="recvmmsg sendmmsg recvmsg sendmsg recvfrom sendto epoll_wait epoll_pwait epoll_pwait2 getsockopt read write futex"
counting=no
if command -v perf >/dev/null && command perf stat -e syscalls:sys_enter_sendmmsg -x, -o /dev/null true 2>/dev/null; then
  counting=yes
fi
syscalls_per_query() { # NAME PORT PID
  [ "$counting" = yes ] || { echo "(perf cannot count system calls here)"; return; }
  local events="raw_syscalls:sys_enter" e
  for e in $syscall_events; do events="$events,syscalls:sys_enter_$e"; done
  command perf stat -e "$events" -p "$(family "$3" | tr ' ' ',')" -x, -o "$work/$1-syscalls" -- sleep $(( seconds / 2 + 2 )) &
  local counter=$!
  sleep 0.5
  perf "$1-count" "$2" -l $(( seconds / 2 )) -Q "$rate"
  wait "$counter" || true
  awk -F, -v n="$(completed "$1-count")" '
    $3 ~ /sys_enter/ && $1 ~ /^[0-9]+$/ && n > 0 && $1 / n >= 0.005 {
      name = $3; sub(/.*sys_enter_?/, "", name); if (name == "") name = "all"
      line = line sprintf("%s%s %.2f", line == "" ? "" : ", ", name, $1 / n) }
    END { print line }' "$work/$1-syscalls"
}

# thread_ticks PID: "user system name" of each thread of PID, in clock ticks (a JVM's event loop, GC and
# JIT threads apart: the JIT still compiling or a concurrent GC cycle in the fixed-rate phase shows here).
thread_ticks() {
  local t
  for t in /proc/"$1"/task/*; do
    [ -r "$t/stat" ] || continue
    sed 's/.*) //' "$t/stat" | awk -v name="$(cat "$t/comm" 2>/dev/null)" '{print $12, $13, name}'
  done
}
# by_thread BEFORE AFTER N: µs per query by kind of thread, from two thread_ticks listings over N answers.
by_thread() {
  awk -v hz="$(getconf CLK_TCK)" -v n="$3" '
    function kind(name) {
      if (name ~ /^dns-/) return "event loop"
      if (name ~ /^(GC Thread|G1 |VM Thread)/) return "GC and VM"
      if (name ~ /^C[12] Compiler/) return "JIT"
      return "other"
    }
    { name = $3; for (i = 4; i <= NF; i++) name = name " " $i }
    FNR == NR { u[name] -= $1; s[name] -= $2; next }
    { u[name] += $1; s[name] += $2 }
    END {
      for (t in u) { k = kind(t); ku[k] += u[t]; ks[k] += s[t] }
      if (n <= 0) exit
      line = ""
      for (k in ku) if (ku[k] + ks[k] > 0)
        line = line sprintf("%s%s %.2f (user %.2f, system %.2f)", line == "" ? "" : "; ", k,
          (ku[k] + ks[k]) / hz * 1e6 / n, ku[k] / hz * 1e6 / n, ks[k] / hz * 1e6 / n)
      print line }' "$1" "$2"
}

# latency NAME PORT: p50 / p99 / p99.9 in µs of every answer at 20,000 q/s.
latency() {
  "${client_cpu[@]}" dnsperf -s 127.0.0.1 -p "$2" -d "$work/queries.txt" -c 4 -q 500 -T 1 -t 1 -l "$seconds" -Q 20000 -v \
    2>/dev/null | awk '/^> / {print $NF * 1e6}' | sort -n | awk '{v[NR] = $1} END {
      if (NR == 0) { print "-"; exit }
      printf "%d / %d / %d", v[int(NR * 0.5) + 1], v[int(NR * 0.99) + 1], v[int(NR * 0.999) + 1] }'
}

check() { # the servers must answer, or the numbers mean nothing
  echo "  $1: completed $(completed "$1"), lost $(lost "$1"), $(grep -E 'Response codes' "$work/$1.out" | sed 's/^ *//')"
}

echo "commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown), load before: $(uptime | sed 's/.*load average: //')"
echo "warming up (JIT) ..."
perf warmup "$dns_port" -l 5
perf warmup-tcp "$dns_port" -l 3 -m tcp
echo "measuring $services services, $seconds s each, dnsperf -c 4 -q 500 on $(nproc) cores${server_cpu:+ (servers on core 0, dnsperf on core 1)}"
for s in clusterdns:$dns_port nsd:$nsd_port echo:$echo_port; do
  perf "${s%%:*}" "${s##*:}" -l "$seconds"
  check "${s%%:*}"
done
for s in clusterdns:$dns_port nsd:$nsd_port; do
  perf "${s%%:*}-tcp" "${s##*:}" -l "$seconds" -m tcp
  check "${s%%:*}-tcp"
done
thread_ticks "$ours_pid" > "$work/threads-before"
ours_cpu=$(cpu_per_query clusterdns "$dns_port" "$ours_pid")
thread_ticks "$ours_pid" > "$work/threads-after"
ref_cpu=$(cpu_per_query nsd "$nsd_port" "$nsd_pid")
echo_cpu=$(cpu_per_query echo "$echo_port" "$echo_pid")
ours_calls=$(syscalls_per_query clusterdns "$dns_port" "$ours_pid")
ref_calls=$(syscalls_per_query nsd "$nsd_port" "$nsd_pid")
echo_calls=$(syscalls_per_query echo "$echo_port" "$echo_pid")
ours_lat=$(latency clusterdns "$dns_port")
ref_lat=$(latency nsd "$nsd_port")
echo_lat=$(latency echo "$echo_port")
echo "load after: $(uptime | sed 's/.*load average: //')"
printf '\n| server | UDP q/s | TCP q/s | CPU µs per query at %s q/s | latency µs p50 / p99 / p99.9 at 20k q/s |\n| --- | --- | --- | --- | --- |\n' "$rate"
printf '| clusterdns | %s | %s | %s | %s |\n' "$(qps clusterdns)" "$(qps clusterdns-tcp)" "$ours_cpu" "$ours_lat"
printf '| NSD %s | %s | %s | %s | %s |\n' "$(nsd -v 2>&1 | head -1 | awk '{print $3}')" "$(qps nsd)" "$(qps nsd-tcp)" "$ref_cpu" "$ref_lat"
printf '| UDP echo (limit) | %s | | %s | %s |\n' "$(qps echo)" "$echo_cpu" "$echo_lat"
awk -v a="$(qps clusterdns)" -v b="$(qps nsd)" -v c="$ours_cpu" -v d="$ref_cpu" -v e="$echo_cpu" -v t="$(qps clusterdns-tcp)" 'BEGIN {
  if (b > 0) printf "\nclusterdns/NSD: %.2f q/s", a / b
  if (d > 0) printf ", %.2f CPU per query", c / d
  if (e > 0) printf "; above the echo: clusterdns %.2f µs, NSD %.2f µs", c - e, d - e
  if (a > 0) printf "; clusterdns TCP/UDP %.2f", t / a
  print "" }'
echo "clusterdns CPU µs per query at $rate q/s by thread: $(by_thread "$work/threads-before" "$work/threads-after" "$(completed clusterdns-fixed)")"
echo "CPU µs per query at $rate q/s, user / system: clusterdns $(split_of clusterdns), NSD $(split_of nsd), echo $(split_of echo)"
echo "system calls per answered query at $rate q/s:"
echo "  clusterdns: $ours_calls"
echo "  NSD: $ref_calls"
echo "  echo: $echo_calls"
