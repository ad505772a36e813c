#!/usr/bin/env bash
# Cluster-scale benchmark (issue 9): N namespace files of 100 Services and 1,500 ready Pods each,
# served by `clusterdns serve --no-proxy --upstream none --service-cidr 10.96.0.0/12`. Per size it
# reports the time to /ready, heap used after a full GC, RSS at ready and after the edits, change ->
# answer latency of a one-file edit (a Service appended, saved as an editor saves), and the latency
# of one Pod's readiness change through the Kubernetes API source (fabric8 mock server, in a JUnit
# harness). Prints one table at the end, with the machine's load before and after.
#
#   bench/scale.sh [--sizes 1,10,100] [--edits 30] [--rss-edits 100] [--flips 50] [--large-flips 10]
#                  [--api-sizes LIST] [--no-api] [--timeout SECONDS]
#
#   --sizes       namespaces per run (1 = 1.6k objects, 10 = 16k, 100 = 160k)
#   --edits       edits in the latency sample; --rss-edits: edits before RSS is read again (>= --edits)
#   --flips       Pod readiness flips through the API source per size; --large-flips at 100+ namespaces
#   --api-sizes   sizes for the API harness (default: --sizes)
#   --timeout     cap on each serve run and each API run, seconds (default 1200)
#
# Needs python3, curl, jcmd (the JDK) and Maven; builds the jar if needed. Uses only loopback, free
# ports and a temp dir; stops everything it started on exit. CLUSTERDNS_JAVA_OPTS passes through to
# the launcher (e.g. heap settings to compare).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
sizes="1,10,100"
edits=30
rss_edits=100
flips=50
large_flips=10
api_sizes=""
api=1
timeout_s=1200
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes="$2"; shift 2 ;;
    --edits) edits="$2"; shift 2 ;;
    --rss-edits) rss_edits="$2"; shift 2 ;;
    --flips) flips="$2"; shift 2 ;;
    --large-flips) large_flips="$2"; shift 2 ;;
    --api-sizes) api_sizes="$2"; shift 2 ;;
    --no-api) api=0; shift ;;
    --timeout) timeout_s="$2"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "$0: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -n "$api_sizes" ] || api_sizes="$sizes"
[ "$rss_edits" -ge "$edits" ] || rss_edits="$edits"

. "$root/bench/lib.sh"
trap 'exit 130' INT TERM # so that lib.sh's exit trap stops what was started
need python3 curl jcmd mvn

# Build the jar first so that no build is timed as start-up.
"$root/clusterdns" --version >/dev/null

load_before="$(uptime)"
results="$work/results.txt"
: > "$results"

# One serve run: start, measure (bench/scale_serve.py), stop. Appends "serve NS key=value..." to $results.
serve_run() {
  local ns="$1" data="$work/data-$1"
  rm -rf "$data" "$work/state-$ns"
  python3 "$root/bench/scale_data.py" "$data" "$ns"
  mkdir -p "$work/state-$ns"
  local dns_port http_port
  dns_port="$(free_port)"
  http_port="$(free_port)"
  local started; started="$(python3 -c 'import time; print(time.time_ns())')"
  # The launcher execs java, so this pid is the JVM's.
  "$root/clusterdns" serve --manifests "$data" --no-proxy --upstream none --service-cidr 10.96.0.0/12 \
    --dns-listen "127.0.0.1:$dns_port" --http-listen "127.0.0.1:$http_port" --state-dir "$work/state-$ns" \
    >"$work/serve-$ns.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  local line driver
  timeout "$timeout_s" python3 "$root/bench/scale_serve.py" --pid "$pid" --started "$started" \
      --dns-port "$dns_port" --http-port "$http_port" --dir "$data" --edits "$edits" --rss-edits "$rss_edits" \
      --ready-timeout "$timeout_s" --deadline "$((timeout_s * 3 / 4))" >"$work/serve-$ns.out" &
  driver=$!
  pids+=("$driver")
  if wait "$driver"; then
    line="$(cat "$work/serve-$ns.out")"
    echo "serve $ns $line" >> "$results"
  else
    line="$(cat "$work/serve-$ns.out")"
    # Stopped by the cap: scale_serve.py still prints what it measured, with stopped=timeout.
    echo "serve $ns ${line:-stopped=no-output}" >> "$results"
    echo "  serve at $ns namespace(s) did not finish within ${timeout_s} s; the end of its log:" >&2
    tail -20 "$work/serve-$ns.log" >&2
  fi
  echo "  serve $ns: $(tail -1 "$results" | cut -d' ' -f3-)"
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$data"
}

# One API run: the JUnit harness in discovery-agent (opt-in with -Dscale.bench=true).
api_run() {
  local ns="$1" data="$work/api-data-$1" out="$work/api-$1.txt" n="$flips"
  [ "$ns" -lt 100 ] || n="$large_flips"
  rm -rf "$data"
  python3 "$root/bench/scale_data.py" "$data" "$ns"
  # In the background so that the exit trap can stop it (timeout passes the signal on to Maven; the
  # forked test JVM exits when Maven is gone).
  (cd "$root" && exec timeout "$timeout_s" mvn -B -q -o -pl discovery-agent test -Dtest=ApiEventMeasurement \
        -Dsurefire.failIfNoSpecifiedTests=false -Dscale.bench=true -Dscale.manifests="$data" \
        -Dscale.flips="$n" -Dscale.deadline="$((timeout_s * 3 / 4))" -Dscale.out="$out") >"$work/api-$ns.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  if wait "$pid" && [ -s "$out" ]; then
    echo "$(cut -d' ' -f1 "$out") $ns $(cut -d' ' -f2- "$out")" >> "$results"
  else
    echo "api $ns failed=see-log" >> "$results"
    echo "  API harness at $ns namespace(s) failed; the end of its log:" >&2
    grep -v '^\s*at ' "$work/api-$ns.log" | tail -15 >&2
  fi
  echo "  api $ns: $(tail -1 "$results" | cut -d' ' -f3-)"
  rm -rf "$data"
}

echo "scale benchmark on $(nproc) cores, $(date -u +%FT%TZ), commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "load before: $load_before"
IFS=, read -r -a size_list <<< "$sizes"
IFS=, read -r -a api_list <<< "$api_sizes"
# Smallest size first, serve then API, so that a capped large run still leaves the small results.
all_sizes="$(printf '%s\n' "${size_list[@]}" "${api_list[@]}" | sort -n -u)"
for ns in $all_sizes; do
  if printf '%s\n' "${size_list[@]}" | grep -qx "$ns"; then
    echo "serve, $ns namespace(s) ($((ns * 1600)) objects) ..."
    serve_run "$ns"
  fi
  if [ "$api" = 1 ] && printf '%s\n' "${api_list[@]}" | grep -qx "$ns"; then
    echo "API source, $ns namespace(s) ($((ns * 1600)) objects + $((ns * 100)) EndpointSlices) ..."
    api_run "$ns"
  fi
done
load_after="$(uptime)"

python3 "$root/bench/scale_table.py" "$results" "$edits" "$rss_edits" "$flips"
[ -z "${SCALE_RESULTS:-}" ] || cp "$results" "$SCALE_RESULTS"
echo
echo "load before: $load_before"
echo "load after:  $load_after"
