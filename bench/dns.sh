#!/usr/bin/env bash
# DNS benchmark: dnsperf against `clusterdns serve` and against NSD serving the same records, in the
# same run, on loopback. Prints queries per second for both and their ratio.
#
#   bench/dns.sh [SERVICES] [SECONDS]      (defaults: 1000 services, 15 s per measurement)
#
# Needs: dnsperf, nsd (Debian packages), a JDK and Maven (the jar is built if missing).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
services="${1:-1000}"
seconds="${2:-15}"
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

serve_clusterdns "$work/clusterdns.log" --manifests "$work/manifests" --zonefiles "$work/empty" --no-proxy --upstream none

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
printf '\n| server | queries/s |\n| --- | --- |\n| clusterdns | %s |\n| NSD %s | %s |\n' "$ours" "$(nsd -v 2>&1 | head -1 | awk '{print $3}')" "$ref"
awk -v a="$ours" -v b="$ref" 'BEGIN { if (b > 0) printf "\nratio clusterdns/NSD: %.2f\n", a / b }'
