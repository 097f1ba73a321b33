#!/usr/bin/env bash
# The engines side by side, same data, same machine, one run: one server on SQLite, one on
# PostgreSQL, and two on PostgreSQL behind one address (nginx, round robin). For each: a signed-in
# member's home and topic pages and an anonymous home page (wrk, CONNECTIONS connections), then
# write throughput (WRITERS members posting a reply and a vote each as fast as they are answered).
#
# Usage: scripts/bench_engines.sh SQLITE_DB POSTGRES_URL
#        the PostgreSQL database a `threadwise migrate` of the SQLite one, e.g. of
#        `threadwise generate --topics 100000 --posts 1000000` (both are written to: bench accounts
#        and the writers' replies)
# Env:   DURATION=10s CONNECTIONS=32 THREADS=2 WORKERS=2 WRITERS=4 BIN=target/release/threadwise
#        READ_TOPIC=50000 WRITE_TOPIC=50001 (the writers' replies never land on the page read)
# Needs: wrk, nginx (apt-get install wrk nginx), curl, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
SQLITE_DB=${1:?usage: bench_engines.sh SQLITE_DB POSTGRES_URL}
PG_URL=${2:?usage: bench_engines.sh SQLITE_DB POSTGRES_URL}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
WORKERS=${WORKERS:-2}
WRITERS=${WRITERS:-4}
BIN=${BIN:-target/release/threadwise}
for tool in wrk nginx curl python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing" >&2; exit 1; }
done
work=$(mktemp -d)
PIDS=()
stop_all() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; PIDS=(); }
trap 'stop_all; rm -rf "$work"' EXIT

PASSWORD="bench passphrase 20"
export THREADWISE_LOGIN_PER_MINUTE=100000 THREADWISE_REPLIES_PER_HOUR=1000000 \
  THREADWISE_VOTES_PER_HOUR=1000000 THREADWISE_TOPICS_PER_HOUR=100000 THREADWISE_NEW_ACCOUNT_HOURS=0
names=(bench_member)
for i in $(seq 1 "$WRITERS"); do names+=("bench_writer$i"); done
for database in "sqlite://$SQLITE_DB" "$PG_URL"; do
  for name in "${names[@]}"; do
    THREADWISE_PASSWORD="$PASSWORD" "$BIN" --database "$database" user create \
      --username "$name" --email "$name@bench.invalid" >/dev/null 2>&1 || true
  done
done

wait_up() { for _ in $(seq 1 300); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done; echo "$1 did not come up" >&2; exit 1; }
serve() { # database port
  RUST_LOG=warn "$BIN" --database "$1" serve --bind "127.0.0.1:$2" --workers "$WORKERS" \
    --trusted-proxies 127.0.0.1/32 >"$work/server-$2.log" 2>&1 &
  PIDS+=($!)
  wait_up "http://127.0.0.1:$2/"
}
proxy() { # port upstream-port...
  local port=$1; shift
  { echo "worker_processes 1; daemon off; pid $work/nginx.pid; error_log $work/nginx.err;"
    echo "events { worker_connections 1024; }"
    echo "http { access_log off; upstream forum { keepalive 64;"
    for up in "$@"; do echo "server 127.0.0.1:$up;"; done
    echo "} server { listen 127.0.0.1:$port; location / { proxy_pass http://forum;"
    echo "proxy_http_version 1.1; proxy_set_header Connection \"\"; proxy_set_header Host \$host;"
    echo "proxy_set_header X-Forwarded-For \$remote_addr; } } }"
  } >"$work/nginx.conf"
  nginx -c "$work/nginx.conf" -p "$work" &
  PIDS+=($!)
  wait_up "http://127.0.0.1:$port/"
}
login_cookie() { # base username
  curl -sf -c - -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"username\":\"$2\",\"password\":\"$PASSWORD\"}" "$1/api/v1/auth/login" |
    awk '$6 == "tw_session" { print "tw_session=" $7 }'
}
rate() { # url [cookie] -> requests/s
  timeout 120 env WRK_COOKIE="${2:-}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" \
    -s scripts/loadtest_cookie.lua "$1" | awk '/Requests\/sec/ { print $2 }'
}
measure() { # label base
  local base=$2 member cookies=() writes
  member=$(login_cookie "$base" bench_member)
  [[ -n "$member" ]] || { echo "could not sign in on $base" >&2; exit 1; }
  for i in $(seq 1 "$WRITERS"); do cookies+=("$(login_cookie "$base" "bench_writer$i")"); done
  local home topic_page anon
  home=$(rate "$base/" "$member")
  topic_page=$(rate "$base/t/${READ_TOPIC:-50000}" "$member")
  anon=$(rate "$base/")
  writes=$(WRITES_PER_SECOND=0 python3 scripts/loadtest_writers.py "$base" "${WRITE_TOPIC:-50001}" "${DURATION%s}" \
    "${cookies[@]}" | sed -n 's/.*ok\/s: //p')
  printf '| %s | %s | %s | %s | %s |\n' "$1" "$home" "$topic_page" "$anon" "$writes"
}

echo "| setup | member / (req/s) | member /t/{id} (req/s) | anonymous / (req/s) | writes/s (reply + vote) |"
echo "|---|---:|---:|---:|---:|"
serve "sqlite://$SQLITE_DB" 18101
measure "one server, SQLite" http://127.0.0.1:18101
stop_all
serve "$PG_URL" 18102
measure "one server, PostgreSQL" http://127.0.0.1:18102
stop_all
serve "$PG_URL" 18103
serve "$PG_URL" 18104
proxy 18105 18103 18104
measure "two servers, PostgreSQL, behind nginx" http://127.0.0.1:18105
stop_all
