#!/usr/bin/env bash
# Measures signed Like activities accepted per second by one Plaudit inbox,
# end to end over loopback (verify, dedup, enqueue), with tools/inboxload,
# and what they cost: CPU seconds of the server processes per stored Like,
# and whether the worker keeps pace (the backlog after the load).
# Usage: scripts/bench-inbox.sh embedded|postgres|postgres-worker|postgres-split [requests] [connections]
#   embedded:        `plaudit serve` on SQLite with the embedded Redis (the
#                    worker runs in the same process and processes the Likes
#                    meanwhile)
#   postgres:        `plaudit serve --no-worker` on PostgreSQL and Redis at
#                    127.0.0.1 (database plaudit_bench is dropped and made
#                    anew; Redis database 6 is flushed)
#   postgres-worker: `plaudit serve` (worker in the same process) on the
#                    same PostgreSQL and Redis
#   postgres-split:  `plaudit serve --no-worker` and a separate `plaudit
#                    worker` process on the same PostgreSQL and Redis, as
#                    a scaled deployment runs them (here on the same two
#                    cores); both processes' CPU is counted
# The load: -actors 100 remote actors liking -notes 100 local notes.
# CPU is sampled from /proc/<pid>/stat (utime+stime) every 0.5 s from just
# before the load until the backlog is 0 (worker modes) or the load ends
# (--no-worker): plaudit; for PostgreSQL the postmaster, its background
# processes and every backend or autovacuum worker of plaudit_bench (other
# databases' backends are left out); redis-server (shared with whatever
# else uses it meanwhile). inboxload's own CPU is not counted.
# WEIGHTED=1 sends flattrs (Likes with the weight terms) instead of plain Likes.
# BACKLOG_WAIT (default 600) bounds the wait for the backlog, in seconds.
# BENCH_PORT (default 18181), BENCH_DB (default plaudit_bench) and
# BENCH_REDIS_DB (default 6) let runs on a shared machine use their own
# port, database and Redis database. BENCH_PLAUDIT names a plaudit binary
# to run instead of building this checkout (to compare two versions).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mode=${1:?embedded, postgres, postgres-worker or postgres-split}
n=${2:-30000}
conc=${3:-32}
backlog_wait=${BACKLOG_WAIT:-600}
work=$(mktemp -d)
port=${BENCH_PORT:-18181}
db=${BENCH_DB:-plaudit_bench}
redis_db=${BENCH_REDIS_DB:-6}
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

if [[ -n ${BENCH_PLAUDIT:-} ]]; then
	cp "$BENCH_PLAUDIT" "$work/plaudit"
else
	CGO_ENABLED=0 go build -trimpath -o "$work/plaudit" ./cmd/plaudit
fi
go build -o "$work/inboxload" ./tools/inboxload

export PLAUDIT_DOMAIN=127.0.0.1:$port PLAUDIT_LISTEN=127.0.0.1:$port PLAUDIT_SCHEME=http
export PLAUDIT_FEDERATION_ALLOW_HTTP=true PLAUDIT_FEDERATION_ALLOW_PRIVATE_ADDRESSES=true
export PLAUDIT_FEDERATION_INBOX_RATE_LIMIT=0 PLAUDIT_LOG_LEVEL=warn PLAUDIT_DATA_DIR=$work/data
export PLAUDIT_DEBUG_LISTEN=${PLAUDIT_DEBUG_LISTEN:-}
serve_args=(serve)
worker=yes
case $mode in
embedded) ;;
postgres | postgres-worker | postgres-split)
	psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
	redis-cli -n "$redis_db" flushdb >/dev/null
	export PLAUDIT_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db?sslmode=disable"
	export PLAUDIT_REDIS_URL="redis://127.0.0.1:6379/$redis_db"
	case $mode in
	postgres)
		serve_args=(serve --no-worker)
		worker=no
		;;
	postgres-split)
		serve_args=(serve --no-worker)
		;;
	esac
	;;
*)
	echo "unknown mode $mode" >&2
	exit 2
	;;
esac

# pending prints how many received activities are still pending.
pending() {
	local q="SELECT COUNT(*) FROM activities WHERE state = 'pending'"
	if [[ $mode == embedded ]]; then
		sqlite3 "$work/data/plaudit.db" "PRAGMA busy_timeout=5000; $q" | tail -1
	else
		psql -h 127.0.0.1 -U postgres -d "$db" -tAc "$q"
	fi
}

# CPU accounting: scripts/lib/cpu.sh, for plaudit and, on PostgreSQL, the
# postmaster, its background processes, this database's backends and Redis.
source scripts/lib/cpu.sh
cpu_file=$work/cpu
cpu_db=
[[ $mode == embedded ]] || cpu_db=$db

"$work/plaudit" migrate >/dev/null
echo 'a long password' | "$work/plaudit" user create alice >/dev/null
"$work/plaudit" "${serve_args[@]}" 2>"$work/serve.log" &
server=$!
until curl -sf -o /dev/null "http://127.0.0.1:$port/healthz"; do sleep 0.05; done
cpu_worker=
if [[ $mode == postgres-split ]]; then
	"$work/plaudit" worker 2>"$work/worker.log" &
	cpu_worker=$!
fi
# The Likes are of 100 notes alice posts (C2S): Likes of objects that do
# not exist are refused as they are processed, which is not what to time.
token=$("$work/plaudit" token create alice 2>/dev/null)
for i in $(seq 0 99); do
	curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/activity+json' \
		--data '{"@context":"https://www.w3.org/ns/activitystreams","type":"Note","content":"note '"$i"'","to":["https://www.w3.org/ns/activitystreams#Public"]}' \
		"http://127.0.0.1:$port/users/alice/outbox" | jq -r 'if (.object | type) == "object" then .object.id else .object end'
done >"$work/objects"
echo "mode $mode: ${serve_args[*]}"
cpu_server=$server
cpu_sample &
sampler=$!
"$work/inboxload" -inbox "http://127.0.0.1:$port/users/alice/inbox" -objects "$work/objects" \
	-actors 100 -n "$n" -c "$conc" ${WEIGHTED:+-weighted}
end=$(date +%s.%N)
echo "pending at the end of the load: $(pending)"
if [[ $worker == yes ]]; then
	# Poll from the end of the load: when the backlog is 0, and what is
	# left 10 s after the end.
	drained=
	while :; do
		left=$(pending)
		now=$(date +%s.%N)
		if [[ -z ${at10:-} ]] && awk -v a="$end" -v b="$now" 'BEGIN { exit !(b - a >= 10) }'; then
			at10=$left
			echo "pending 10 s after the load: $left"
		fi
		if [[ $left == 0 && -z $drained ]]; then
			drained=$now
			kill "$sampler" # the CPU counted ends with the backlog
			awk -v a="$end" -v b="$drained" 'BEGIN { printf "backlog 0 after %.1f s past the end of the load\n", b - a }'
		fi
		[[ -n $drained && -n ${at10:-} ]] && break
		if (($(date +%s) - ${end%.*} > backlog_wait)); then
			echo "backlog not drained within ${backlog_wait}s"
			break
		fi
		sleep 0.5
	done
fi
kill "$sampler" 2>/dev/null || true
wait "$sampler" 2>/dev/null || true
sleep 0.6
stored=$(if [[ $mode == embedded ]]; then sqlite3 "$work/data/plaudit.db" 'SELECT COUNT(*) FROM activities'; else psql -h 127.0.0.1 -U postgres -d "$db" -tAc 'SELECT COUNT(*) FROM activities'; fi)
processed=$(if [[ $mode == embedded ]]; then sqlite3 "$work/data/plaudit.db" "SELECT COUNT(*) FROM activities WHERE state = 'processed'"; else psql -h 127.0.0.1 -U postgres -d "$db" -tAc "SELECT COUNT(*) FROM activities WHERE state = 'processed'"; fi)
echo "activities stored: $stored (warm-up included), processed: $processed"
cpu_report "$stored" "stored Like"
