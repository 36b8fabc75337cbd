#!/usr/bin/env bash
# Measures flattrs recorded per second through the API (POST
# /api/v1/flattrs) with tools/flattrload, and the CPU they cost: `plaudit
# serve` on PostgreSQL and Redis at 127.0.0.1 (database plaudit_bench_f is
# dropped and made anew; Redis database 6 is flushed), F funders flattring
# T local notes of one creator, each request a new flattr until F×T.
# Usage: scripts/bench-flattr.sh [requests] [connections] [funders] [things]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib/cpu.sh
n=${1:-10000}
conc=${2:-32}
funders=${3:-20}
nthings=${4:-500}
work=$(mktemp -d)
port=18182
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

CGO_ENABLED=0 go build -trimpath -o "$work/plaudit" ./cmd/plaudit
go build -o "$work/flattrload" ./tools/flattrload

export PLAUDIT_DOMAIN=127.0.0.1:$port PLAUDIT_LISTEN=127.0.0.1:$port PLAUDIT_SCHEME=http
export PLAUDIT_LOG_LEVEL=warn PLAUDIT_DATA_DIR=$work/data
psql -h 127.0.0.1 -U postgres -q -c 'DROP DATABASE IF EXISTS plaudit_bench_f WITH (FORCE)' -c 'CREATE DATABASE plaudit_bench_f'
redis-cli -n 6 flushdb >/dev/null
export PLAUDIT_DATABASE_URL='postgres://postgres@127.0.0.1:5432/plaudit_bench_f?sslmode=disable'
export PLAUDIT_REDIS_URL='redis://127.0.0.1:6379/6'

"$work/plaudit" migrate >/dev/null
echo 'a long password' | "$work/plaudit" user create bob >/dev/null
bob=$("$work/plaudit" token create bob 2>/dev/null)
for i in $(seq 1 "$funders"); do
	echo 'a long password' | "$work/plaudit" user create "funder$i" >/dev/null
	"$work/plaudit" token create "funder$i" 2>/dev/null >>"$work/tokens"
done
"$work/plaudit" serve 2>"$work/serve.log" &
cpu_server=$!
until curl -sf -o /dev/null "http://127.0.0.1:$port/healthz"; do sleep 0.05; done
for i in $(seq 1 "$nthings"); do
	curl -sf -o /dev/null -X POST -H "Authorization: Bearer $bob" -H 'Content-Type: application/activity+json' \
		-d "{\"type\":\"Note\",\"content\":\"note $i\"}" "http://127.0.0.1:$port/users/bob/outbox"
done
psql -h 127.0.0.1 -U postgres -d plaudit_bench_f -tAc "SELECT uri FROM things WHERE local ORDER BY id" >"$work/things"
echo "$funders funders, $(wc -l <"$work/things") things, $n requests, $conc connections"
cpu_file=$work/cpu cpu_db=plaudit_bench_f
cpu_sample &
sampler=$!
"$work/flattrload" -base "http://127.0.0.1:$port" -tokens "$work/tokens" -things "$work/things" -n "$n" -c "$conc"
kill "$sampler"
wait "$sampler" 2>/dev/null || true
echo "flattrs stored: $(psql -h 127.0.0.1 -U postgres -d plaudit_bench_f -tAc 'SELECT COUNT(*) FROM flattrs')"
cpu_report "$n" request
