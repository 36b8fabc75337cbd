#!/usr/bin/env bash
# Measures what docs/benchmarks.md reports for the embedded default: binary
# size, time from exec to the first 200 from /healthz (fresh data folder and
# existing one), and resident memory after the server has idled.
# Usage: scripts/bench-startup.sh [runs]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs=${1:-10}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
port=18089

CGO_ENABLED=0 go build -trimpath -o "$work/plaudit" ./cmd/plaudit
CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$work/plaudit-stripped" ./cmd/plaudit
echo "binary size: $(stat -c %s "$work/plaudit") bytes; stripped (-ldflags='-s -w'): $(stat -c %s "$work/plaudit-stripped") bytes"

# start DIR: starts the server in DIR, sets $pid and $ms (exec until the
# first 200 from /healthz).
start() {
	local dir=$1 t0 t1
	t0=$(date +%s%N)
	(cd "$dir" && exec "$work/plaudit" serve --listen 127.0.0.1:$port --log-level warn >/dev/null 2>&1) &
	pid=$!
	until curl -sf -o /dev/null "http://127.0.0.1:$port/healthz"; do sleep 0.005; done
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
}

stop() { kill -TERM "$pid"; wait "$pid" || true; }

cold=() warm=()
for i in $(seq "$runs"); do
	dir="$work/run$i"; mkdir -p "$dir"
	start "$dir"; cold+=("$ms"); stop
	start "$dir"; warm+=("$ms"); stop
done
summary() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "min %d ms, median %d ms, max %d ms (n=%d)", a[1], a[int((NR+1)/2)], a[NR], NR}'; }
echo "cold start, fresh data folder (creates and migrates SQLite): $(summary "${cold[@]}")"
echo "warm start, existing data folder: $(summary "${warm[@]}")"

dir="$work/idle"; mkdir -p "$dir"
start "$dir"
sleep 10
echo "idle RSS after 10 s: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"
for i in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/healthz"; done
sleep 2
echo "RSS after 100 /healthz requests: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"
stop
