#!/usr/bin/env bash
# Measures two Mastodon client API endpoints a Mastodon app calls all the
# time, GET /api/v1/accounts/verify_credentials and GET
# /api/v1/timelines/home, with a bearer token, on PostgreSQL and Redis at
# 127.0.0.1: requests per second, latency percentiles (tools/countload
# -path) and CPU per request (scripts/lib/cpu.sh).
# Usage: [POSTS=n] scripts/bench-api.sh [connections] [seconds]
# Before measuring, carol follows dave and POSTS statuses (default 200)
# are posted through POST /api/v1/statuses, every other one by each, so
# that the home timeline measured holds full pages of both.
# The database plaudit_bench10 is dropped and made anew, Redis database 10
# flushed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib/cpu.sh
conc=${1:-64}
secs=${2:-20}
posts=${POSTS:-200}
port=18510
db=plaudit_bench10
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

CGO_ENABLED=0 go build -trimpath -o "$work/plaudit" ./cmd/plaudit
go build -o "$work/countload" ./tools/countload

psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
redis-cli -n 10 flushdb >/dev/null
export PLAUDIT_DOMAIN=127.0.0.1:$port PLAUDIT_LISTEN=127.0.0.1:$port PLAUDIT_SCHEME=http
export PLAUDIT_LOG_LEVEL=warn PLAUDIT_DATA_DIR=$work/data PLAUDIT_METRICS_LISTEN=
export PLAUDIT_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db?sslmode=disable"
export PLAUDIT_REDIS_URL='redis://127.0.0.1:6379/10'
base=http://127.0.0.1:$port

"$work/plaudit" migrate >/dev/null
echo 'a long password' | "$work/plaudit" user create carol >/dev/null
token=$("$work/plaudit" token create carol 2>/dev/null)
echo 'a long password' | "$work/plaudit" user create dave >/dev/null
dave_token=$("$work/plaudit" token create dave 2>/dev/null)
"$work/plaudit" serve 2>"$work/serve.log" &
server=$!
until curl -sf -o /dev/null "$base/healthz"; do sleep 0.05; done
curl -sf -H "Authorization: Bearer $token" "$base/api/v1/accounts/verify_credentials" | head -c 200
echo
dave_id=$(curl -sf -H "Authorization: Bearer $token" "$base/api/v1/accounts/lookup?acct=dave" | sed -E 's/^\{"id":"([0-9]+)".*/\1/')
curl -sf -o /dev/null -X POST -H "Authorization: Bearer $token" "$base/api/v1/accounts/$dave_id/follow"
for i in $(seq 1 "$posts"); do
	t=$token
	if ((i % 2 == 0)); then t=$dave_token; fi
	curl -sf -o /dev/null -X POST -H "Authorization: Bearer $t" -H 'Content-Type: application/json' \
		-d "{\"status\":\"status $i of the benchmark, https://example.com/$i\"}" "$base/api/v1/statuses"
done
shown=$(curl -sf -H "Authorization: Bearer $token" "$base/api/v1/timelines/home" | { grep -o '"uri":"[^"]*/objects/' || true; } | wc -l)
echo "$posts statuses posted; the home timeline's first page shows $shown"
# The rows above are minutes old; autovacuum has not analyzed them yet, and
# without statistics PostgreSQL plans the timeline as a scan of every
# thing. A server in use has them: gather them as autovacuum would.
psql -h 127.0.0.1 -U postgres -q -d "$db" -c ANALYZE

for path in /api/v1/accounts/verify_credentials /api/v1/timelines/home; do
	echo "== $path: $conc connections, ${secs}s; nproc $(nproc); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
	: >"$work/cpu"
	cpu_file=$work/cpu cpu_db=$db cpu_server=$server
	cpu_sample &
	sampler=$!
	"$work/countload" -base "$base" -path "$path" -header "Authorization: Bearer $token" -c "$conc" -d "${secs}s" -warmup 2s | tee "$work/load"
	kill "$sampler"
	wait "$sampler" 2>/dev/null || true
	cpu_report "$(awk '/^requests/ {print $2}' "$work/load")" request
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
