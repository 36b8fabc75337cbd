#!/usr/bin/env bash
# Measures the month close on PostgreSQL at 127.0.0.1: database
# plaudit_bench_close is dropped and made anew, filled in SQL (not timed)
# with F funders (each topped up through a ledger transaction, a third
# with a budget of 5.00, the rest on the minimum of 2.00), T things (60 %
# local with a confirmed owner, a tenth of those with three co-creators;
# 20 % on other servers with a confirmed owner; 20 % unclaimed links) and
# N flattrs of 2026-11 (N/F per funder, weights 1–10, a tip on every
# twentieth), vacuumed and analyzed as a past month's rows would be, then
# `plaudit month close --month 2026-11 --early` is
# timed: wall time, CPU of plaudit and of PostgreSQL, peak RSS of
# plaudit. Then `plaudit ledger check` is timed the same way, and the
# database dropped.
# Usage: scripts/bench-close.sh [flattrs] [funders] [things]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib/cpu.sh
n=${1:-100000}
funders=${2:-10000}
nthings=${3:-5000}
per=$((n / funders))
db=plaudit_bench_close
work=$(mktemp -d)
# BENCH_KEEP=1 keeps the database (for EXPLAIN), BENCH_GENERATE_ONLY=1 stops
# after filling it.
cleanup() {
	kill $(jobs -p) 2>/dev/null || true
	rm -rf "$work"
	[[ -n ${BENCH_KEEP:-} ]] || psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"
}
trap cleanup EXIT

CGO_ENABLED=0 go build -trimpath -o "$work/plaudit" ./cmd/plaudit
export PLAUDIT_DOMAIN=bench.example PLAUDIT_SCHEME=https PLAUDIT_LOG_LEVEL=warn PLAUDIT_DATA_DIR=$work/data
export PLAUDIT_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db?sslmode=disable"
export PLAUDIT_MONEY_FEE_PERCENT=5
psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
"$work/plaudit" migrate >/dev/null

gen_start=$(date +%s.%N)
psql -h 127.0.0.1 -U postgres -d $db -q -v ON_ERROR_STOP=1 -v funders="$funders" -v things="$nthings" -v per="$per" <<'SQL'
CREATE FUNCTION pg_temp.funder(i int) RETURNS text IMMUTABLE LANGUAGE sql AS $$ SELECT 'https://bench.example/users/f' || lpad(i::text, 7, '0') $$;
CREATE FUNCTION pg_temp.thing(i int) RETURNS text IMMUTABLE LANGUAGE sql AS $$
  SELECT CASE WHEN i % 10 < 6 THEN 'https://bench.example/objects/' || i
              WHEN i % 10 < 8 THEN 'https://m' || (i % 50) || '.example/statuses/' || i
              ELSE 'https://blog' || (i % 500) || '.example/posts/' || i END $$;
CREATE FUNCTION pg_temp.wallet(i int) RETURNS bigint IMMUTABLE LANGUAGE sql AS $$ SELECT (100 + (i * 37) % 1900)::bigint $$;

INSERT INTO things (uri, owner_uri, owner_confirmed, kind, url, host, local, created_at, updated_at)
SELECT pg_temp.thing(i),
       CASE WHEN i % 10 < 6 THEN 'https://bench.example/users/c' || (i % 5000)
            WHEN i % 10 < 8 THEN 'https://m' || (i % 50) || '.example/users/a' || (i % 2000) ELSE '' END,
       i % 10 < 8, CASE WHEN i % 10 < 8 THEN 'Note' ELSE 'Link' END, pg_temp.thing(i),
       split_part(pg_temp.thing(i), '/', 3), i % 10 < 6, now(), now()
FROM generate_series(0, :things - 1) i;
INSERT INTO recipients (subject_uri, recipient_uri, share)
SELECT pg_temp.thing(i), 'https://bench.example/users/c' || ((i + r * 1000) % 5000), 10 * r + i % 7 + 1
FROM generate_series(0, :things - 1) i, generate_series(0, 2) r WHERE i % 10 = 0;

INSERT INTO ledger_accounts (kind, key, currency, balance, updated_at)
SELECT 'money_in', 'manual', 'EUR', -SUM(pg_temp.wallet(i)), now() FROM generate_series(1, :funders) i;
INSERT INTO ledger_accounts (kind, key, currency, balance, updated_at)
SELECT 'wallet', pg_temp.funder(i), 'EUR', pg_temp.wallet(i), now() FROM generate_series(1, :funders) i;
INSERT INTO ledger_transactions (idem_key, kind, memo, currency, created_at)
SELECT 'topup:bench:' || i, 'topup', 'bench', 'EUR', now() FROM generate_series(1, :funders) i;
INSERT INTO ledger_postings (transaction_id, account_id, amount)
SELECT t.id, m.id, -pg_temp.wallet(i) FROM generate_series(1, :funders) i
JOIN ledger_transactions t ON t.idem_key = 'topup:bench:' || i, ledger_accounts m WHERE m.kind = 'money_in' AND m.key = 'manual'
UNION ALL
SELECT t.id, w.id, pg_temp.wallet(i) FROM generate_series(1, :funders) i
JOIN ledger_transactions t ON t.idem_key = 'topup:bench:' || i
JOIN ledger_accounts w ON w.kind = 'wallet' AND w.key = pg_temp.funder(i);
INSERT INTO budgets (funder_uri, amount_minor, currency, updated_at)
SELECT pg_temp.funder(i), 500, 'EUR', now() FROM generate_series(1, :funders) i WHERE i % 3 = 0;

INSERT INTO flattrs (activity_uri, funder_uri, funder_key, thing_uri, owner_uri, month, weight, tip, local, state, changed_at, created_at, updated_at)
SELECT pg_temp.funder(i) || '/likes/' || k, pg_temp.funder(i), pg_temp.funder(i),
       pg_temp.thing(((i::bigint * 7919 + k * (:things / :per)) % :things)::int), '', '2026-11', 1 + (i + k) % 10,
       CASE WHEN (i + k) % 20 = 0 THEN 100 ELSE 0 END, TRUE, 'active', '2026-11-10', '2026-11-10', '2026-11-10'
FROM generate_series(1, :funders) i, generate_series(0, :per - 1) k;
VACUUM ANALYZE;
CHECKPOINT;
SQL
echo "generated in $(echo "$(date +%s.%N) - $gen_start" | bc) s: $(psql -h 127.0.0.1 -U postgres -d $db -tAc \
	"SELECT (SELECT COUNT(*) FROM flattrs) || ' flattrs, ' || (SELECT COUNT(DISTINCT funder_uri) FROM flattrs) || ' funders, ' || (SELECT COUNT(*) FROM things) || ' things'")"

[[ -z ${BENCH_GENERATE_ONLY:-} ]] || exit 0

# timed runs "$label" ops what cmd…: wall time, peak RSS, CPU of plaudit
# (from /usr/bin/time) and of PostgreSQL (sampled).
timed() {
	local label=$1 ops=$2 what=$3
	shift 3
	cpu_file=$work/cpu.$label cpu_db=$db cpu_server=$$
	: >"$cpu_file"
	cpu_sample &
	local sampler=$!
	sleep 0.6
	/usr/bin/time -f "%e %U %S %M" -o "$work/time.$label" "$work/plaudit" "$@" >"$work/out.$label"
	kill "$sampler"
	wait "$sampler" 2>/dev/null || true
	tail -n 1 "$work/out.$label"
	read -r wall user sys rss <"$work/time.$label"
	echo "$label: wall $wall s, plaudit CPU $(echo "$user + $sys" | bc) s (user $user, sys $sys), peak RSS $((rss / 1024)) MiB"
	cpu_report "$ops" "$what" | grep -E 'postgres'
}
timed close "$n" flattr month close --month 2026-11 --early
timed check "$n" flattr ledger check
echo "rows: $(psql -h 127.0.0.1 -U postgres -d $db -tAc \
	"SELECT (SELECT COUNT(*) FROM ledger_transactions) || ' transactions, ' || (SELECT COUNT(*) FROM ledger_postings) || ' postings, ' || (SELECT COUNT(*) FROM month_close_lines) || ' close lines, ' || (SELECT COUNT(*) FROM ledger_accounts) || ' accounts'")"
timed again "$n" flattr month close --month 2026-11 --early
