#!/usr/bin/env bash
# DNS benchmark: dnsperf against `clusterdns serve` and against NSD serving the same records, in the
# same run, on loopback. Prints queries per second for both and their ratio.
#
#   bench/dns.sh [SERVICES] [SECONDS] [RATE]   (defaults: 1000 services, 15 s per measurement, 20000 q/s)
#
# Two figures per server: the most queries per second dnsperf gets answered, and the CPU the server
# spends per answered query (utime+stime of its processes over the answers) at a fixed RATE q/s. The
# second is the one to compare on a shared machine: it hardly depends on what else runs.
#
# Needs: dnsperf, nsd (Debian packages), a JDK and Maven (the jar is built if missing).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
services="${1:-1000}"
seconds="${2:-15}"
rate="${3:-20000}"
. "$root/bench/lib.sh"
need dnsperf nsd curl python3

# The same records two ways: Service manifests for clusterdns, a zone file for NSD.
mkdir -p "$work/manifests" "$work/nsd" "$work/empty"
zone="$work/nsd/cluster.local.zone"
{
  echo '$ORIGIN cluster.local.'
  echo '$TTL 5'
  echo '@ IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 86400 5'
  echo '@ IN NS ns.dns.cluster.local.'
  echo 'ns.dns IN A 127.0.0.1'
} > "$zone"
: > "$work/queries.txt"
for ((i = 0; i < services; i++)); do
  ip="127.96.$(( 16 + i / 250 )).$(( 1 + i % 250 ))"
  printf 'apiVersion: v1\nkind: Service\nmetadata: {name: svc-%d, namespace: bench}\nspec: {clusterIP: %s, ports: [{name: http, port: 80}]}\n---\n' "$i" "$ip" >> "$work/manifests/services.yaml"
  echo "svc-$i.bench.svc IN A $ip" >> "$zone"
  echo "svc-$i.bench.svc.cluster.local A" >> "$work/queries.txt"
done

nsd_port="$(free_port)"
cat > "$work/nsd/nsd.conf" <<CONF
server:
  ip-address: 127.0.0.1@$nsd_port
  username: ""
  chroot: ""
  zonesdir: "$work/nsd"
  pidfile: "$work/nsd/nsd.pid"
  database: ""
  xfrdfile: "$work/nsd/xfrd.state"
  zonelistfile: "$work/nsd/zone.list"
  server-count: 2
  verbosity: 0
remote-control:
  control-enable: no
zone:
  name: cluster.local
  zonefile: cluster.local.zone
CONF
nsd -d -c "$work/nsd/nsd.conf" >"$work/nsd.log" 2>&1 &
pids+=($!)
nsd_pid=$!

serve_clusterdns "$work/clusterdns.log" --manifests "$work/manifests" --zonefiles "$work/empty" --no-proxy --upstream none
ours_pid="${pids[-1]}"

# cpu_ticks PID: utime+stime of PID and its descendants (NSD forks its workers), in clock ticks.
cpu_ticks() {
  local total=0 p
  for p in $1 $(pgrep -P "$1" 2>/dev/null) $(for c in $(pgrep -P "$1" 2>/dev/null); do pgrep -P "$c"; done); do
    [ -r "/proc/$p/stat" ] || continue
    # Fields after "pid (comm) ": the name may hold spaces ("nsd: server 1"); utime, stime are 12th, 13th.
    total=$(( total + $(sed 's/.*) //' "/proc/$p/stat" | awk '{print $12 + $13}') ))
  done
  echo "$total"
}
# cpu_per_query NAME PORT PID: µs of server CPU per answered query at a fixed $rate q/s.
cpu_per_query() {
  local before after answered hz
  hz=$(getconf CLK_TCK)
  before=$(cpu_ticks "$3")
  dnsperf -s 127.0.0.1 -p "$2" -d "$work/queries.txt" -l "$seconds" -c 4 -q 500 -T 1 -Q "$rate" > "$work/$1-fixed.out" 2>&1
  after=$(cpu_ticks "$3")
  answered=$(awk '/Queries completed/ {print $3}' "$work/$1-fixed.out")
  awk -v t=$(( after - before )) -v hz="$hz" -v n="$answered" 'BEGIN { if (n > 0) printf "%.2f", t / hz * 1e6 / n }'
}

run() { # name port seconds -> prints qps
  dnsperf -s 127.0.0.1 -p "$2" -d "$work/queries.txt" -l "$3" -c 4 -q 500 -T 1 2>&1 | tee "$work/$1.out" |
    awk '/Queries per second/ {print $4}'
}
check() { # the servers must answer, or the numbers mean nothing
  local lost; lost=$(awk '/Queries lost/ {print $3}' "$work/$1.out")
  local completed; completed=$(awk '/Queries completed/ {print $3}' "$work/$1.out")
  echo "  $1: completed $completed, lost $lost, $(grep -E 'Response codes' "$work/$1.out" | sed 's/^ *//')"
}

echo "warming up (JIT) ..."
run warmup "$dns_port" 5 >/dev/null
echo "measuring $services services, $seconds s each, dnsperf -c 4 -q 500 on $(nproc) cores"
ours=$(run clusterdns "$dns_port" "$seconds")
ref=$(run nsd "$nsd_port" "$seconds")
check clusterdns
check nsd
ours_cpu=$(cpu_per_query clusterdns "$dns_port" "$ours_pid")
ref_cpu=$(cpu_per_query nsd "$nsd_port" "$nsd_pid")
echo "load: $(uptime | sed 's/.*load average: //')"
printf '\n| server | queries/s | CPU µs per query at %s q/s |\n| --- | --- | --- |\n| clusterdns | %s | %s |\n| NSD %s | %s | %s |\n' \
  "$rate" "$ours" "$ours_cpu" "$(nsd -v 2>&1 | head -1 | awk '{print $3}')" "$ref" "$ref_cpu"
awk -v a="$ours" -v b="$ref" -v c="$ours_cpu" -v d="$ref_cpu" 'BEGIN {
  if (b > 0) printf "\nratio clusterdns/NSD: %.2f q/s", a / b
  if (d > 0) printf ", %.2f CPU per query", c / d
  print "" }'
