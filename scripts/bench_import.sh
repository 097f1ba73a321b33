#!/usr/bin/env bash
# Import benchmark: a generated Stack Exchange dump (1,000,000 posts by default, ~1 KB each, see
# gen_se_dump.py) imported into a fresh database, timed by /usr/bin/time -v (wall clock, CPU, peak
# memory). Usage: scripts/bench_import.sh [posts]
# (env: OUT=/tmp/se-bench-POSTS, DB=target/bench/import.db, NO_BUILD=1; DB may be a postgres://
# URL, e.g. from scripts/pg_cluster.sh, whose public schema is then emptied first)
set -euo pipefail
cd "$(dirname "$0")/.."
POSTS=${1:-1000000}
OUT=${OUT:-/tmp/se-bench-$POSTS}
DB=${DB:-target/bench/import.db}
BIN=${BIN:-target/release/threadwise}

[[ -n "${NO_BUILD:-}" ]] || cargo build --release --quiet
SITE="$OUT/bench.stackexchange.com"
[[ -f "$SITE/Posts.xml" ]] || python3 scripts/gen_se_dump.py --posts "$POSTS" --out "$SITE"
ls -l "$SITE"/*.xml | awk '{printf "%s: %.0f MB\n", $9, $5 / 1e6}'
if [[ $DB == postgres://* ]]; then
  PSQL="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/psql"
  "$PSQL" -q "$DB" -c 'DROP SCHEMA public CASCADE' -c 'CREATE SCHEMA public'
  URL=$DB
else
  mkdir -p "$(dirname "$DB")"
  rm -f "$DB" "$DB-wal" "$DB-shm"
  URL="sqlite://$DB"
fi
/usr/bin/time -v "$BIN" --database "$URL" import stackexchange "$SITE" 2>&1 |
  grep -E "imported|skipped|Elapsed|Maximum resident|User time|System time"
if [[ $DB == postgres://* ]]; then
  "$PSQL" -qtA "$DB" -c 'SELECT pg_database_size(current_database())' |
    awk '{printf "database: %.0f MB\n", $1 / 1e6}'
else
  ls -l "$DB" | awk '{printf "database: %.0f MB\n", $5 / 1e6}'
fi
