#!/usr/bin/env bash
# Measures signed Like activities accepted per second by one Plaudit inbox,
# end to end over loopback (verify, dedup, enqueue), with tools/inboxload.
# Usage: scripts/bench-inbox.sh embedded|postgres [requests] [connections]
#   embedded: `plaudit serve` on SQLite with the embedded Redis (the worker
#             runs in the same process and processes the Likes meanwhile)
#   postgres: `plaudit serve --no-worker` on PostgreSQL and Redis at
#             127.0.0.1 (database plaudit_bench is dropped and made anew;
#             Redis database 6 is flushed)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mode=${1:?embedded or postgres}
n=${2:-30000}
conc=${3:-32}
work=$(mktemp -d)
port=18181
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

CGO_ENABLED=0 go build -trimpath -o "$work/plaudit" ./cmd/plaudit
go build -o "$work/inboxload" ./tools/inboxload

export PLAUDIT_DOMAIN=127.0.0.1:$port PLAUDIT_LISTEN=127.0.0.1:$port PLAUDIT_SCHEME=http
export PLAUDIT_FEDERATION_ALLOW_HTTP=true PLAUDIT_FEDERATION_ALLOW_PRIVATE_ADDRESSES=true
export PLAUDIT_FEDERATION_INBOX_RATE_LIMIT=0 PLAUDIT_LOG_LEVEL=warn PLAUDIT_DATA_DIR=$work/data
export PLAUDIT_DEBUG_LISTEN=${PLAUDIT_DEBUG_LISTEN:-}
serve_args=(serve)
if [[ $mode == postgres ]]; then
	psql -h 127.0.0.1 -U postgres -q -c 'DROP DATABASE IF EXISTS plaudit_bench WITH (FORCE)' -c 'CREATE DATABASE plaudit_bench'
	redis-cli -n 6 flushdb >/dev/null
	export PLAUDIT_DATABASE_URL='postgres://postgres@127.0.0.1:5432/plaudit_bench?sslmode=disable'
	export PLAUDIT_REDIS_URL='redis://127.0.0.1:6379/6'
	serve_args=(serve --no-worker)
fi
"$work/plaudit" migrate >/dev/null
echo 'a long password' | "$work/plaudit" user create alice >/dev/null
"$work/plaudit" "${serve_args[@]}" 2>"$work/serve.log" &
until curl -sf -o /dev/null "http://127.0.0.1:$port/healthz"; do sleep 0.05; done
echo "mode $mode: ${serve_args[*]}"
"$work/inboxload" -inbox "http://127.0.0.1:$port/users/alice/inbox" -object "http://127.0.0.1:$port/users/alice" -n "$n" -c "$conc"
if [[ $mode == postgres ]]; then
	echo "activities stored: $(psql -h 127.0.0.1 -U postgres -d plaudit_bench -tAc 'SELECT COUNT(*) FROM activities')"
fi
