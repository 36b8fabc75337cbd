#!/usr/bin/env bash
# Measures the flattr button's count endpoint, GET /api/v1/things/count,
# on PostgreSQL and Redis at 127.0.0.1: requests per second, latency
# percentiles (tools/countload) and CPU per request (scripts/lib/cpu.sh:
# plaudit; PostgreSQL's postmaster, background processes and the backends
# of the bench database; redis-server, shared with whatever else uses it).
# Usage: scripts/bench-count.sh [connections] [seconds] [cache]
#   cache: the count cache TTL (default 1s, as shipped; "off" reads the
#          database on every request)
# The database plaudit_bench9 is dropped and made anew, Redis database 9
# flushed. ETAG=1 sends If-None-Match with the last ETag seen (revalidating
# browsers: 304s). PLAUDIT_DEBUG_LISTEN and PROFILE=file save a CPU profile. Seed: bob publishes 100 notes, carol flattrs 50 of them; the
# load cycles through the 100 notes' ids and 100 pages never flattred
# (zeros, as a button on a new page shows).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib/cpu.sh
conc=${1:-64}
secs=${2:-20}
cache=${3:-1s}
port=18500
db=plaudit_bench9
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

CGO_ENABLED=0 go build -trimpath -o "$work/plaudit" ./cmd/plaudit
go build -o "$work/countload" ./tools/countload

psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
redis-cli -n 9 flushdb >/dev/null
export PLAUDIT_DOMAIN=127.0.0.1:$port PLAUDIT_LISTEN=127.0.0.1:$port PLAUDIT_SCHEME=http
export PLAUDIT_LOG_LEVEL=warn PLAUDIT_DATA_DIR=$work/data PLAUDIT_DEBUG_LISTEN=${PLAUDIT_DEBUG_LISTEN:-} PLAUDIT_METRICS_LISTEN=
export PLAUDIT_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db?sslmode=disable"
export PLAUDIT_REDIS_URL='redis://127.0.0.1:6379/9'
if [[ $cache == off ]]; then
	export PLAUDIT_BUTTON_COUNT_CACHE=-1ns
else
	export PLAUDIT_BUTTON_COUNT_CACHE=$cache
fi
base=http://127.0.0.1:$port

"$work/plaudit" migrate >/dev/null
for u in bob carol; do echo 'a long password' | "$work/plaudit" user create $u >/dev/null; done
bob=$("$work/plaudit" token create bob 2>/dev/null)
carol=$("$work/plaudit" token create carol 2>/dev/null)
"$work/plaudit" serve 2>"$work/serve.log" &
server=$!
until curl -sf -o /dev/null "$base/healthz"; do sleep 0.05; done

for i in $(seq 1 100); do
	curl -sf -o /dev/null -H "Authorization: Bearer $bob" -H 'Content-Type: application/activity+json' \
		-d "{\"@context\":\"https://www.w3.org/ns/activitystreams\",\"type\":\"Note\",\"content\":\"note $i\",\"to\":[\"https://www.w3.org/ns/activitystreams#Public\"]}" \
		"$base/users/bob/outbox"
done
psql -h 127.0.0.1 -U postgres -d $db -tAc 'SELECT uri FROM things ORDER BY id' >"$work/urls"
head -50 "$work/urls" | while read -r uri; do
	curl -sf -o /dev/null -H "Authorization: Bearer $carol" -H 'Content-Type: application/json' \
		-d "{\"url\":\"$uri\",\"weight\":$((RANDOM % 10 + 1))}" "$base/api/v1/flattrs"
done
for i in $(seq 1 100); do echo "https://blog.example/never-flattred/$i"; done >>"$work/urls"
echo "things: $(psql -h 127.0.0.1 -U postgres -d $db -tAc 'SELECT COUNT(*) FROM things'), flattrs: $(psql -h 127.0.0.1 -U postgres -d $db -tAc 'SELECT COUNT(*) FROM flattrs')"
curl -s "$base/api/v1/things/count?url=$(head -1 "$work/urls")"

echo "load: $conc connections, ${secs}s, count cache $cache; nproc $(nproc); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
cpu_file=$work/cpu cpu_db=$db cpu_server=$server
cpu_sample &
sampler=$!
# PROFILE=file (with PLAUDIT_DEBUG_LISTEN set) saves a 10 s CPU profile of the load.
if [[ -n ${PROFILE:-} ]]; then
	(sleep 3 && curl -s -o "$PROFILE" "http://$PLAUDIT_DEBUG_LISTEN/debug/pprof/profile?seconds=10") &
fi
etag=()
[[ -n ${ETAG:-} ]] && etag=(-etag)
"$work/countload" -base "$base" -urls "$work/urls" -c "$conc" -d "${secs}s" -warmup 0s "${etag[@]}" | tee "$work/load"
kill "$sampler"
wait "$sampler" 2>/dev/null || true
cpu_report "$(awk '/^requests/ {print $2}' "$work/load")" request
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
