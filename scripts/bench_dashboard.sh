#!/usr/bin/env bash
# Dashboard benchmark: generates a community (100,000 topics / 1,000,000 posts by default) into a
# fresh database, starts a release server on it, signs a moderator in and times every dashboard
# page and report with curl (cold first request, then the median and max of RUNS more).
# Usage: scripts/bench_dashboard.sh [topics] [posts]   (env: RUNS=5, DB=target/bench/forum.db, KEEP=1)
set -euo pipefail
cd "$(dirname "$0")/.."
TOPICS=${1:-100000}
POSTS=${2:-1000000}
RUNS=${RUNS:-5}
DB=${DB:-target/bench/forum.db}
PORT=${PORT:-18089}
BIN=${BIN:-target/release/threadwise}
export THREADWISE_PASSWORD='bench moderator password'

[[ -n "${NO_BUILD:-}" ]] || cargo build --release --quiet
mkdir -p "$(dirname "$DB")"
if [[ ! -f "$DB" || -z "${KEEP:-}" ]]; then
  rm -f "$DB" "$DB-wal" "$DB-shm"
  echo "== generating $TOPICS topics / $POSTS posts"
  /usr/bin/time -f "generator wall time: %e s, max RSS %M KiB" \
    "$BIN" --database "sqlite://$DB" generate --topics "$TOPICS" --posts "$POSTS" --seed 7
  "$BIN" --database "sqlite://$DB" user create --username benchmod --email benchmod@example.org --role moderator >/dev/null
fi
ls -lh "$DB" | awk '{print "database size: " $5}'

THREADWISE_BIND="127.0.0.1:$PORT" "$BIN" --database "sqlite://$DB" serve >target/bench/server.log 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/" >/dev/null 2>&1 && break; sleep 0.1; done

JAR=$(mktemp)
curl -sf -c "$JAR" -H 'Content-Type: application/json' \
  -d "{\"username\":\"benchmod\",\"password\":\"$THREADWISE_PASSWORD\"}" \
  "http://127.0.0.1:$PORT/api/v1/auth/login" >/dev/null

time_url() { # prints seconds of one request, failing on a non-200 answer
  local out
  out=$(curl -s -b "$JAR" -o /dev/null -w '%{http_code} %{time_total}' "http://127.0.0.1:$PORT$1")
  [[ ${out%% *} == 200 ]] || { echo "GET $1 answered ${out%% *}" >&2; exit 1; }
  echo "${out##* }"
}

printf '%-48s %8s %8s %8s\n' "page" "cold ms" "median" "max"
PAGES=(/mod /mod/response /mod/tags /mod/content /mod/people /mod/flags /mod/log)
for period in 7 30 90; do
  for page in "${PAGES[@]}"; do
    url="$page?period=$period"
    cold=$(time_url "$url")
    samples=()
    for _ in $(seq 1 "$RUNS"); do samples+=("$(time_url "$url")"); done
    sorted=$(printf '%s\n' "${samples[@]}" | sort -n)
    median=$(echo "$sorted" | sed -n "$(( (RUNS + 1) / 2 ))p")
    max=$(echo "$sorted" | tail -1)
    awk -v u="$url" -v c="$cold" -v m="$median" -v x="$max" \
      'BEGIN { printf "%-48s %8.0f %8.0f %8.0f\n", u, c*1000, m*1000, x*1000 }'
  done
done
for report in summary activity response-by-tag trending-tags tag-pairs hot needs-attention top-contributors new-contributors; do
  url="/api/v1/mod/reports/$report?period=90&format=csv"
  t=$(time_url "$url")
  awk -v u="$url" -v c="$t" 'BEGIN { printf "%-48s %8.0f\n", u, c*1000 }'
done
rm -f "$JAR"
