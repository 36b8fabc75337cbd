#!/usr/bin/env bash
# Measures the public pages a signed-out visitor reads, GET /things?url=
# (a thing page) and GET /@name (a profile with its things), on
# PostgreSQL and Redis at 127.0.0.1: requests per second, latency
# percentiles (tools/countload -path) and CPU per request
# (scripts/lib/cpu.sh). Signed-out visitors share a rendering of each page
# for web.DefaultPageCacheTTL, so most requests are served from memory
# and one per TTL renders the page (one query for a thing page, three for
# a profile).
# Usage: scripts/bench-pages.sh [connections] [seconds]
# The database plaudit_bench11 is dropped and made anew, Redis database 11
# flushed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib/cpu.sh
conc=${1:-64}
secs=${2:-20}
port=18511
db=plaudit_bench11
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

CGO_ENABLED=0 go build -trimpath -o "$work/plaudit" ./cmd/plaudit
go build -o "$work/countload" ./tools/countload

psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
redis-cli -n 11 flushdb >/dev/null
export PLAUDIT_DOMAIN=127.0.0.1:$port PLAUDIT_LISTEN=127.0.0.1:$port PLAUDIT_SCHEME=http
export PLAUDIT_LOG_LEVEL=warn PLAUDIT_DATA_DIR=$work/data PLAUDIT_METRICS_LISTEN=
export PLAUDIT_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db?sslmode=disable"
export PLAUDIT_REDIS_URL='redis://127.0.0.1:6379/11'
base=http://127.0.0.1:$port

"$work/plaudit" migrate >/dev/null
echo 'a long password' | "$work/plaudit" user create bob >/dev/null
token=$("$work/plaudit" token create bob 2>/dev/null)
"$work/plaudit" serve 2>"$work/serve.log" &
server=$!
until curl -sf -o /dev/null "$base/healthz"; do sleep 0.05; done

# Bob publishes a few notes: his profile lists them, each is a thing.
for i in 1 2 3 4 5; do
	curl -sf -o /dev/null -D "$work/headers" -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/activity+json' \
		-d '{"@context":"https://www.w3.org/ns/activitystreams","type":"Note","content":"Note '"$i"'","to":["https://www.w3.org/ns/activitystreams#Public"]}' \
		"$base/users/bob/outbox"
done
create=$(awk 'tolower($1) == "location:" {print $2}' "$work/headers" | tr -d '\r')
thing=$(psql -h 127.0.0.1 -U postgres -d "$db" -tAq -c "SELECT object_uri FROM activities WHERE uri = '$create'")
[[ -n $thing ]] || { echo "no Note for $create" >&2; exit 1; }
enc=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$thing")
curl -sf -o /dev/null -w 'thing page: %{http_code}, %{size_download} bytes\n' "$base/things?url=$enc"
curl -sf -o /dev/null -w 'profile page: %{http_code}, %{size_download} bytes\n' "$base/@bob"

for path in "/things?url=$enc" /@bob; do
	echo "== $path: $conc connections, ${secs}s; nproc $(nproc); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
	: >"$work/cpu"
	cpu_file=$work/cpu cpu_db=$db cpu_server=$server
	cpu_sample &
	sampler=$!
	"$work/countload" -base "$base" -path "$path" -header "Accept: text/html" -c "$conc" -d "${secs}s" -warmup 2s | tee "$work/load"
	kill "$sampler"
	wait "$sampler" 2>/dev/null || true
	cpu_report "$(awk '/^requests/ {print $2}' "$work/load")" request
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
