#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and benchmarks: `start DIR` initialises DIR (as an
# unprivileged user when run as root, since PostgreSQL refuses to run as root), starts it on a
# free port with a socket in DIR, creates the database `threadwise` and prints its URL;
# `stop DIR` stops it. Needs Debian's `postgresql` (PostgreSQL 15 or newer). Tests run without
# fsync; PG_DURABLE=1 keeps it (commits still asynchronous, like SQLite's WAL with
# synchronous=NORMAL), for benchmarks that compare the engines.
set -euo pipefail
cmd=${1:?usage: pg_cluster.sh start|stop DIR}
dir=${2:?usage: pg_cluster.sh start|stop DIR}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] || { echo "PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}
case $cmd in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown nobody "$dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    as_owner "$bin/initdb" -D "$dir/data" -U threadwise --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
    durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    [ -n "${PG_DURABLE:-}" ] && durability="-c synchronous_commit=off"
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 $durability -c max_connections=200" start >/dev/null
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U threadwise threadwise
    echo "postgres://threadwise@127.0.0.1:$port/threadwise"
    ;;
  stop)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null
    ;;
  *) echo "usage: pg_cluster.sh start|stop DIR" >&2; exit 2 ;;
esac
