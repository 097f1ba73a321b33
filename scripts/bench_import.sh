#!/usr/bin/env bash
# Import benchmark: a generated Stack Exchange dump (1,000,000 posts by default, ~1 KB each, see
# gen_se_dump.py) imported into a fresh database, timed by /usr/bin/time -v (wall clock, CPU, peak
# memory). Usage: scripts/bench_import.sh [posts]
# (env: OUT=/tmp/se-bench-POSTS, DB=target/bench/import.db, NO_BUILD=1)
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
mkdir -p "$(dirname "$DB")"
rm -f "$DB" "$DB-wal" "$DB-shm"
/usr/bin/time -v "$BIN" --database "sqlite://$DB" import stackexchange "$SITE" 2>&1 |
  grep -E "imported|skipped|Elapsed|Maximum resident|User time|System time"
ls -l "$DB" | awk '{printf "database: %.0f MB\n", $5 / 1e6}'
