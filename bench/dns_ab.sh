#!/usr/bin/env bash
# CPU per answered query of several servers in one run, phases alternated: the C UDP echo
# (udp_echo.c, the kernel's share), a Netty UDP echo on the DNS listener's Netty set-up
# (NettyUdpEcho.java: Netty's floor), a blocking JDK DatagramChannel echo (JdkUdpEcho.java), NSD and one `clusterdns serve` per launcher directory given
# (a checkout, or a copy holding `clusterdns` and `cli/target/clusterdns.jar`: old jar against new).
#
#   bench/dns_ab.sh [SECONDS] [ROUNDS] [RATE] [DIR...]   (defaults: 8 s, 3 rounds, 60000 q/s, this checkout)
#
# ECHOES=no leaves the three echoes out (NSD and clusterdns only: shorter runs for old against new).
#
# Every server runs on core 0, dnsperf on core 1; the records and queries are dns.sh's (10,000
# Services, one name in five absent). Each round measures every server once at RATE q/s offered, so
# a change of the machine's load hits all of them alike; the table gives user and system µs per
# answered query per round, and the median over the rounds.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-8}"
rounds="${2:-3}"
rate="${3:-60000}"
shift $(( $# < 3 ? $# : 3 ))
dirs=("$@")
[ ${#dirs[@]} -gt 0 ] || dirs=("$root")
services=10000
. "$root/bench/lib.sh"
need dnsperf nsd curl python3 cc java taskset

dns_data_set "$services" "$work"

names=() ports=() procs=()
add() { names+=("$1"); ports+=("$2"); procs+=("$3"); }

if [ "${ECHOES:-yes}" != no ]; then
port="$(free_port)"
cc -O2 -o "$work/udp_echo" "$root/bench/udp_echo.c"
taskset -c 0 "$work/udp_echo" "$port" &
pids+=($!); add c-echo "$port" $!

port="$(free_port)"
taskset -c 0 java -Xmx768m -XX:+UseG1GC -Dio.netty.leakDetection.level=disabled \
  -cp "${dirs[0]}/cli/target/clusterdns.jar" "$root/bench/NettyUdpEcho.java" "$port" >"$work/netty-echo.log" 2>&1 &
pids+=($!); add netty-echo "$port" $!

port="$(free_port)"
taskset -c 0 java -Xmx768m -XX:+UseG1GC "$root/bench/JdkUdpEcho.java" "$port" >"$work/jdk-echo.log" 2>&1 &
pids+=($!); add jdk-echo "$port" $!
fi

port="$(free_port)"
nsd_conf "$work/nsd" "$port"
taskset -c 0 nsd -d -c "$work/nsd/nsd.conf" >"$work/nsd.log" 2>&1 &
pids+=($!); add nsd "$port" $!

launch=(taskset -c 0)
i=0
for d in "${dirs[@]}"; do
  save="$root"; root="$d"
  serve_clusterdns "$work/clusterdns-$i.log" --manifests "$work/manifests" --zonefiles "$work/empty" --no-proxy --no-ingress --upstream none
  root="$save"
  add "clusterdns-$i" "$dns_port" "${pids[-1]}"
  echo "clusterdns-$i: $d ($(git -C "$d" rev-parse --short HEAD 2>/dev/null || cat "$d/COMMIT" 2>/dev/null || echo ?))"
  i=$(( i + 1 ))
done

perf() {
  local name="$1" port="$2"; shift 2
  taskset -c 1 dnsperf -s 127.0.0.1 -p "$port" -d "$work/queries.txt" -c 4 -q 500 -T 1 -t 1 "$@" > "$work/$name.out" 2>&1 || true
}
completed() { awk '/Queries completed/ {print $3}' "$work/$1.out"; }

echo "load before: $(uptime | sed 's/.*load average: //')"
for k in "${!names[@]}"; do perf warm "${ports[$k]}" -l 10; done
hz=$(getconf CLK_TCK)
for r in $(seq 1 "$rounds"); do
  for k in "${!names[@]}"; do
    before=$(cpu_ticks "${procs[$k]}")
    perf fixed "${ports[$k]}" -l "$seconds" -Q "$rate"
    after=$(cpu_ticks "${procs[$k]}")
    set -- $before $after
    awk -v name="${names[$k]}" -v u=$(( $3 - $1 )) -v s=$(( $4 - $2 )) -v hz="$hz" -v n="$(completed fixed)" 'BEGIN {
      if (n > 0) printf "%s %.2f %.2f %d\n", name, u / hz * 1e6 / n, s / hz * 1e6 / n, n }' >> "$work/results"
  done
  echo "round $r done, load $(uptime | sed 's/.*load average: //')"
done
echo
echo "| server | user µs/query per round | system µs/query per round | median user / system / total | answered q/s (median) |"
echo "| --- | --- | --- | --- | --- |"
for n in "${names[@]}"; do
  awk -v name="$n" -v secs="$seconds" '$1 == name { u[++c] = $2; s[c] = $3; t[c] = $2 + $3; q[c] = $4 / secs }
    function median(a, n,   i, j, x) { for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    END { us = ""; ss = ""; for (i = 1; i <= c; i++) { us = us sprintf("%s%.2f", i > 1 ? ", " : "", u[i]); ss = ss sprintf("%s%.2f", i > 1 ? ", " : "", s[i]) }
      printf "| %s | %s | %s | %.2f / %.2f / %.2f | %.0f |\n", name, us, ss, median(u, c), median(s, c), median(t, c), median(q, c) }' "$work/results"
done
echo "load after: $(uptime | sed 's/.*load average: //')"
