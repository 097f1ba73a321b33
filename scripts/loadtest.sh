#!/usr/bin/env bash
# Load benchmark: builds the release binary, generates a community (100,000 topics / 1,000,000
# posts by default) unless one is there, serves it on 127.0.0.1 and runs wrk against the home page,
# a topic page, a tag page, search and /api/v1/topics, printing requests/s, p50/p99 and non-2xx
# answers per route. Bounded: DURATION per route; the server is stopped at the end.
#
# Usage: scripts/loadtest.sh
# Env:   TOPICS=100000 POSTS=1000000 DB=target/loadtest/community.db (reused if present)
#        DURATION=10s THREADS=2 CONNECTIONS=64 WORKERS=2 PORT=18090
#        PAGE_CACHE_SECS=5 (0: no page cache)   UNCACHED=1: a second pass with the cache off
#        WEBCEIL=path/to/webceil: also run ../shared/bench/webceil's / the same way, for the ratio
set -euo pipefail
cd "$(dirname "$0")/.."
TOPICS=${TOPICS:-100000}
POSTS=${POSTS:-1000000}
DB=${DB:-target/loadtest/community.db}
DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
WORKERS=${WORKERS:-2}
PORT=${PORT:-18090}
BIN=${BIN:-target/release/threadwise}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

[[ -n "${NO_BUILD:-}" ]] || cargo build --release --quiet
mkdir -p "$(dirname "$DB")"
if [[ ! -f "$DB" ]]; then
  echo "== generating $TOPICS topics / $POSTS posts into $DB"
  timeout 3600 "$BIN" --database "sqlite://$DB" generate --topics "$TOPICS" --posts "$POSTS" --seed 7
fi
echo "== database: $DB ($(du -h "$DB" | cut -f1))"

SERVER=
stop_server() { [[ -z "$SERVER" ]] || { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; }; SERVER=; }
trap stop_server EXIT

wait_up() { # url
  for _ in $(seq 1 300); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "the server at $1 did not come up" >&2; exit 1
}

to_ms() { # wrk's "1.23ms" / "456.78us" / "1.02s" -> milliseconds
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}

# One wrk run: prints "req/s p50 p99 non-2xx errors" for a URL (errors: wrk's socket errors and
# timeouts, its timeout being 2 s).
measure() {
  local out rps p50 p99 non2xx errors
  curl -sf --max-time 60 -o /dev/null "$1" || { echo "GET $1 failed before the run" >&2; exit 1; }
  out=$(timeout 120 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$1")
  rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
  p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $5 }' <<<"$out")
  errors=$(awk '/Socket errors:/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' <<<"$out")
  echo "$rps $p50 $p99 ${non2xx:-0} ${errors:-0}"
}

row() { printf '%-34s %10s %9s %9s %8s %7s\n' "$@"; }

FAILED=0
measure_row() { # label url
  local result
  if result=$(measure "$2"); then
    # shellcheck disable=SC2086
    row "$1" $result
  else
    row "$1" FAILED; FAILED=1
  fi
}

run_threadwise() { # cache seconds
  local base="http://127.0.0.1:$PORT"
  RUST_LOG=warn "$BIN" --database "sqlite://$DB" serve --bind "127.0.0.1:$PORT" \
    --workers "$WORKERS" --page-cache-secs "$1" >"$(dirname "$DB")/server.log" 2>&1 &
  SERVER=$!
  wait_up "$base/"
  local topic tag words
  topic=$(curl -sf "$base/api/v1/topics" | python3 -c 'import json,sys; print(json.load(sys.stdin)["topics"][0]["id"])')
  tag=$(curl -sf "$base/api/v1/tags" | python3 -c 'import json,sys; print(json.load(sys.stdin)["tags"][0]["name"])')
  # A two-word query from a topic's title, as a reader would type it.
  words=$(curl -sf "$base/api/v1/topics/$topic" | python3 -c 'import json,sys,re; w=sorted(set(re.findall(r"[A-Za-z]{4,}", json.load(sys.stdin)["title"])), key=len)[-2:]; print("+".join(w) or "rust")')
  echo "== threadwise, page cache ${1}s, wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $WORKERS workers"
  row route "req/s" "p50 ms" "p99 ms" "non-2xx" "errors"
  for route in "/" "/t/$topic" "/tags/$tag" "/search?q=$words" "/api/v1/topics"; do
    measure_row "$route" "$base$route"
  done
  stop_server
}

run_threadwise "${PAGE_CACHE_SECS:-5}"
[[ -z "${UNCACHED:-}" ]] || run_threadwise 0

if [[ -n "${WEBCEIL:-}" ]]; then
  DB="$(dirname "$DB")/webceil.db" BIND="127.0.0.1:$((PORT + 1))" WORKERS="$WORKERS" "$WEBCEIL" >/dev/null 2>&1 &
  SERVER=$!
  wait_up "http://127.0.0.1:$((PORT + 1))/"
  echo "== webceil (bare actix-web + sqlx + askama), same wrk settings"
  row route "req/s" "p50 ms" "p99 ms" "non-2xx" "errors"
  measure_row "/" "http://127.0.0.1:$((PORT + 1))/"
  measure_row "/cached" "http://127.0.0.1:$((PORT + 1))/cached"
  stop_server
fi
exit "$FAILED"
