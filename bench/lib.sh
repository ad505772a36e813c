# Shared by the bench scripts: a work dir cleaned up on exit, background processes stopped on exit,
# free loopback ports, and waiting for `clusterdns serve` to be ready.
work="$(mktemp -d /tmp/clusterdns-bench.XXXXXX)"
pids=()
launch=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

need() { for tool in "$@"; do command -v "$tool" >/dev/null || { echo "$0: $tool is not installed (apt-get install $tool)" >&2; exit 2; }; done; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

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
