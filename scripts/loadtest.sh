#!/usr/bin/env bash
# Load benchmark: builds the release binary, generates a community (100,000 topics / 1,000,000
# posts by default) unless one is there, serves it on 127.0.0.1 and runs wrk against the home page,
# a topic page, /api/v1/topics, the biggest tag, the 50th page of latest (by cursor) and a search
# for a common word (8 connections), each as an anonymous reader and as a signed-in member,
# printing requests/s, p50/p99 and non-2xx answers per route; then a mixed run (readers, half of
# them members, with 4 writers) and a search storm (distinct queries) while a member reads a topic.
# Bounded: DURATION per run; the server is stopped at the end.
#
# Usage: scripts/loadtest.sh
# Env:   TOPICS=100000 POSTS=1000000 DB=target/loadtest/community.db (reused if present)
#        DURATION=10s THREADS=2 CONNECTIONS=64 WORKERS=2 PORT=18090
#        PAGE_CACHE_SECS=5 (0: no page cache)   UNCACHED=1: a second pass with the cache off
#        SEARCH_WORD=production (the commonest word of the generated text)
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
# With WRK_COOKIE set, every request carries it (a member's session); CONNECTIONS may be given
# per call.
measure() {
  local out
  curl -sf --max-time 60 -o /dev/null ${WRK_COOKIE:+-H "Cookie: $WRK_COOKIE"} "$1" ||
    { echo "GET $1 failed before the run" >&2; exit 1; }
  out=$(timeout 120 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency \
    -s scripts/loadtest_cookie.lua "$1")
  summarise <<<"$out"
}

summarise() { # wrk's output on stdin -> "req/s p50 p99 non-2xx errors"
  local out rps p50 p99 non2xx errors
  out=$(cat)
  rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
  p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $5 }' <<<"$out")
  errors=$(awk '/Socket errors:/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' <<<"$out")
  echo "$rps $p50 $p99 ${non2xx:-0} ${errors:-0}"
}

row() { printf '%-34s %10s %9s %9s %8s %7s\n' "$@"; }

FAILED=0
measure_row() { # label url [connections]
  local result
  if result=$(CONNECTIONS=${3:-$CONNECTIONS} WRK_COOKIE="" measure "$2"); then
    # shellcheck disable=SC2086
    row "$1" $result
  else
    row "$1" FAILED; FAILED=1
  fi
}

# Members (issue 15): the load test signs in accounts made with `threadwise user create` (generated
# users have no password) and relaxes the abuse limits, which would otherwise refuse the writers.
MEMBER_PASSWORD="bench passphrase 15"
export THREADWISE_LOGIN_PER_MINUTE=100000 THREADWISE_REPLIES_PER_HOUR=100000 \
  THREADWISE_VOTES_PER_HOUR=100000 THREADWISE_TOPICS_PER_HOUR=100000 THREADWISE_NEW_ACCOUNT_HOURS=0
for name in bench_member bench_writer1 bench_writer2 bench_writer3 bench_writer4; do
  THREADWISE_PASSWORD="$MEMBER_PASSWORD" "$BIN" --database "sqlite://$DB" user create \
    --username "$name" --email "$name@bench.invalid" >/dev/null 2>&1 || true
done

login_cookie() { # base username -> "tw_session=..."
  curl -sf -c - -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"username\":\"$2\",\"password\":\"$MEMBER_PASSWORD\"}" "$1/api/v1/auth/login" |
    awk '$6 == "tw_session" { print "tw_session=" $7 }'
}

# measure with a session cookie: as a member.
measure_member_row() { # label url [connections]
  local result
  if result=$(CONNECTIONS=${3:-$CONNECTIONS} WRK_COOKIE="$COOKIE" measure "$2"); then
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
  local topic tag cursor word
  topic=$(curl -sf "$base/api/v1/topics" | python3 -c 'import json,sys; print(json.load(sys.stdin)["topics"][0]["id"])')
  tag=$(curl -sf "$base/api/v1/tags" | python3 -c 'import json,sys; print(max(json.load(sys.stdin)["tags"], key=lambda t: t.get("topic_count", t.get("topics", 0)))["name"])')
  # The 50th page of latest, reached by following the cursors as a reader would.
  cursor=""
  for _ in $(seq 1 49); do
    cursor=$(curl -sf "$base/api/v1/topics?order=latest${cursor:+&after=$cursor}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["next"])')
  done
  word=${SEARCH_WORD:-production}
  COOKIE=$(login_cookie "$base" bench_member)
  [[ -n "$COOKIE" ]] || { echo "could not sign in bench_member" >&2; exit 1; }
  echo "== threadwise, page cache ${1}s, wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $WORKERS workers"
  row route "req/s" "p50 ms" "p99 ms" "non-2xx" "errors"
  for route in "/" "/t/$topic" "/api/v1/topics" "/tags/$tag" "/latest?after=$cursor"; do
    measure_row "anon   $route" "$base$route"
    measure_member_row "member $route" "$base$route"
  done
  measure_row "anon   /search?q=$word (c8)" "$base/search?q=$word" 8
  measure_member_row "member /search?q=$word (c8)" "$base/search?q=$word" 8

  echo "== mixed: $CONNECTIONS readers (half members) on /, /t/{id}, /latest; 4 writers, 1 reply + 1 vote/s each"
  local w1 w2 w3 w4 writers
  w1=$(login_cookie "$base" bench_writer1); w2=$(login_cookie "$base" bench_writer2)
  w3=$(login_cookie "$base" bench_writer3); w4=$(login_cookie "$base" bench_writer4)
  python3 scripts/loadtest_writers.py "$base" "$topic" "${DURATION%s}" "$w1" "$w2" "$w3" "$w4" \
    >"$(dirname "$DB")/writers.log" 2>&1 &
  writers=$!
  local half=$((CONNECTIONS / 2)) anon_out member_out other
  anon_out=$(mktemp); member_out=$(mktemp)
  WRK_TOPIC=$topic wrk -t1 -c"$half" -d"$DURATION" --latency -s scripts/loadtest_mixed.lua "$base" >"$anon_out" &
  other=$!
  WRK_TOPIC=$topic WRK_COOKIE="$COOKIE" wrk -t1 -c"$half" -d"$DURATION" --latency \
    -s scripts/loadtest_mixed.lua "$base" >"$member_out"
  wait "$other"
  wait "$writers" || true
  row "mixed anon readers" $(summarise <"$anon_out")
  row "mixed member readers" $(summarise <"$member_out")
  echo "   writers: $(tail -1 "$(dirname "$DB")/writers.log")"

  echo "== search storm: $CONNECTIONS connections of distinct searches; a member loads /t/$topic"
  local storm_out
  storm_out=$(mktemp)
  wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -s scripts/loadtest_storm.lua "$base" >"$storm_out" &
  other=$!
  sleep 1
  WRK_COOKIE="$COOKIE" wrk -t1 -c4 -d"$(( ${DURATION%s} > 3 ? ${DURATION%s} - 2 : 1 ))s" --latency \
    -s scripts/loadtest_cookie.lua "$base/t/$topic" >"$member_out"
  wait "$other"
  row "storm searches (503s expected)" $(summarise <"$storm_out")
  row "member /t/$topic during it" $(summarise <"$member_out")
  rm -f "$anon_out" "$member_out" "$storm_out"
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
