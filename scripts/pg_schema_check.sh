#!/usr/bin/env bash
# Checks that migrations/postgres/ is the same schema as the SQLite migrations and that its
# triggers write the same rows:
#   1. a fresh SQLite database from the SQLite migrations (sqlite3 CLI, in order) and a fresh
#      PostgreSQL database from migrations/postgres/ (psql, ON_ERROR_STOP);
#   2. shape: every table's columns (order, type, NOT NULL, default, generated), every index
#      (columns, order, unique, partial), the views and the triggers, with the differences the
#      PostgreSQL schema documents allowed by name below;
#   3. the same DML (scripts/pg_schema_check/dml.sql) against both, then the full contents of
#      every table and of the search_source view compared (floats rounded to 6 places), and the
#      search index: the posts it holds, the posts each test word finds (in any column and in
#      titles only), FTS5's integrity-check and PostgreSQL's search_index = search_source;
#      then multi-row statements (dml_multirow.sql), compared the same way except for roll-up
#      rows holding 0 that only SQLite's row-by-row triggers create (counted, printed); then the
#      constraints: each statement of must_fail.sql must be refused by both engines; random
#      writes from fuzz.py in both phases;
#   4. which PostgreSQL trigger functions the DML never called (printed, not a failure).
# Exits non-zero on any difference, printing the diff.
#
# Usage: scripts/pg_schema_check.sh
#   PG_URL=postgres://user@host:port/db  use that server (a scratch database is created in it
#                                        and dropped); without it a throwaway cluster is started
#                                        with scripts/pg_cluster.sh (PG_CLUSTER_SH overrides).
#   PG_MIGRATIONS=DIR                    the PostgreSQL migrations to check (default migrations/postgres).
#   FUZZ_SEEDS="1 2 3", FUZZ_COUNT=400  the random writes of fuzz.py (after dml.sql: single-row
#                                        ones, compared exactly; after dml_multirow.sql: with
#                                        multi-row ones, compared as that phase is).
#   KEEP=1                               keep the work directory (the SQLite database, the
#                                        dumps) and the PostgreSQL database (and cluster).
# Needs sqlite3 (apt-get install sqlite3), psql, python3.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
here=$root/scripts/pg_schema_check
if compgen -G "$root/migrations/sqlite/[0-9]*.sql" >/dev/null; then
  sqlite_dir=$root/migrations/sqlite
else
  sqlite_dir=$root/migrations
fi
pg_dir=${PG_MIGRATIONS:-$root/migrations/postgres}
command -v sqlite3 >/dev/null || { echo "sqlite3 is missing (apt-get install -y sqlite3)" >&2; exit 1; }
command -v psql >/dev/null || { echo "psql is missing (apt-get install -y postgresql-client)" >&2; exit 1; }

work=$(mktemp -d /tmp/pg_schema_check.XXXXXX)
cluster=
db_name=tw_schema_check_$$
base_url=${PG_URL:-}
cleanup() {
  if [ "${KEEP:-0}" = 1 ]; then
    echo "kept: $work, ${db_url:-no PostgreSQL database}" >&2
    [ -z "$cluster" ] || echo "stop the cluster with: $cluster_sh stop $cluster" >&2
    return
  fi
  if [ -n "$base_url" ] && [ -n "${db_url:-}" ]; then
    psql -X -q "$base_url" -c "DROP DATABASE IF EXISTS $db_name" >/dev/null 2>&1 || true
  fi
  if [ -n "$cluster" ]; then
    "$cluster_sh" stop "$cluster" >/dev/null 2>&1 || true
    rm -rf "$cluster"
  fi
  rm -rf "$work"
}
trap cleanup EXIT

if [ -z "$base_url" ]; then
  cluster_sh=${PG_CLUSTER_SH:-$root/scripts/pg_cluster.sh}
  [ -x "$cluster_sh" ] || { echo "no PG_URL and no $cluster_sh to start a cluster" >&2; exit 1; }
  cluster=$(mktemp -d /tmp/pg_schema_check_pg.XXXXXX)
  chmod 755 "$cluster"
  base_url=$("$cluster_sh" start "$cluster")
fi
psql -X -q -v ON_ERROR_STOP=1 "$base_url" -c "CREATE DATABASE $db_name" >/dev/null
db_url=${base_url%/*}/$db_name

lite=$work/sqlite.db
sq() { sqlite3 -bail -cmd 'PRAGMA foreign_keys = ON' "$lite" "$@"; }
pg() { psql -X -q -v ON_ERROR_STOP=1 "$db_url" "$@"; }

# 1. Both schemas.
for f in "$sqlite_dir"/[0-9]*.sql; do sqlite3 -bail "$lite" <"$f"; done
for f in "$pg_dir"/[0-9]*.sql; do pg -f "$f" >/dev/null; done
echo "schemas: SQLite from $(ls "$sqlite_dir"/[0-9]*.sql | wc -l) migrations in ${sqlite_dir#$root/}, PostgreSQL from ${pg_dir#$root/}"

failed=0
compare() { # name, sqlite output file, pg output file
  if ! diff -u --label "sqlite:$1" --label "postgres:$1" "$2" "$3"; then
    echo "DIFFERENT: $1" >&2
    failed=1
  fi
}

# 2. Shape.
mkdir -p "$work/shape"
sq -csv "
  SELECT m.name, p.cid, p.name,
         CASE upper(p.type) WHEN 'INTEGER' THEN 'bigint' WHEN 'REAL' THEN 'double precision'
              WHEN 'TEXT' THEN 'text' WHEN 'BLOB' THEN 'bytea' ELSE p.type END,
         CASE WHEN p.\"notnull\" OR p.pk > 0 THEN 'not null' ELSE '' END,
         COALESCE(p.dflt_value, ''),
         CASE WHEN p.hidden IN (2, 3) THEN 'generated' ELSE '' END
  FROM sqlite_master m, pragma_table_xinfo(m.name) p
  WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
    AND m.name NOT LIKE 'search\\_index%' ESCAPE '\\'" | python3 "$here/canon.py" >"$work/shape/columns.sqlite"
pg --csv -t -c "
  SELECT c.table_name, c.ordinal_position - 1, c.column_name,
         c.data_type,
         CASE WHEN c.is_nullable = 'NO' THEN 'not null' ELSE '' END,
         COALESCE(regexp_replace(c.column_default, '::[a-z ]+$', ''), ''),
         CASE WHEN c.is_generated = 'ALWAYS' THEN 'generated' ELSE '' END
  FROM information_schema.columns c
  JOIN information_schema.tables t USING (table_catalog, table_schema, table_name)
  WHERE t.table_schema = 'public' AND t.table_type = 'BASE TABLE'
    AND c.table_name <> 'search_index'" | python3 "$here/canon.py" >"$work/shape/columns.pg"
compare columns "$work/shape/columns.sqlite" "$work/shape/columns.pg"

# Indexes made by CREATE INDEX (not those of PRIMARY KEY / UNIQUE constraints). PostgreSQL's own:
# the full-text index.
pg_only_indexes="'search_index_tsv'"
sq -csv "
  SELECT il.name, m.name, il.\"unique\", il.partial,
         (SELECT group_concat(col, ',') FROM (
             SELECT COALESCE(x.name, '<expr>') || CASE WHEN x.\"desc\" THEN ' DESC' ELSE '' END AS col
             FROM pragma_index_xinfo(il.name) x WHERE x.key = 1 ORDER BY x.seqno))
  FROM sqlite_master m, pragma_index_list(m.name) il
  WHERE m.type = 'table' AND il.origin = 'c'" | python3 "$here/canon.py" >"$work/shape/indexes.sqlite"
pg --csv -t -c "
  SELECT i.relname, t.relname, ix.indisunique::int, (ix.indpred IS NOT NULL)::int,
         string_agg(pg_get_indexdef(ix.indexrelid, k, true)
                    || CASE WHEN (ix.indoption[k - 1] & 1) = 1 THEN ' DESC' ELSE '' END, ','
                    ORDER BY k)
  FROM pg_index ix
  JOIN pg_class i ON i.oid = ix.indexrelid
  JOIN pg_class t ON t.oid = ix.indrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
  CROSS JOIN LATERAL generate_series(1, ix.indnkeyatts::int) k
  WHERE n.nspname = 'public'
    AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid)
    AND i.relname NOT IN ($pg_only_indexes)
  GROUP BY i.relname, t.relname, ix.indisunique, ix.indpred" | python3 "$here/canon.py" >"$work/shape/indexes.pg"
compare indexes "$work/shape/indexes.sqlite" "$work/shape/indexes.pg"

# Triggers by name and table. PostgreSQL's own: the statement trigger that counts topic_tags
# inserts (SQLite counts them in the row trigger response_rollup_tag_insert; see the schema), and
# the notify_ triggers that announce changes to the other app servers (0003_notify.sql).
sq -csv "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'" \
  | python3 "$here/canon.py" >"$work/shape/triggers.sqlite"
pg --csv -t -c "
  SELECT tg.tgname, c.relname FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = 'public' AND NOT tg.tgisinternal
    AND tg.tgname NOT IN ('response_rollup_tag_insert_after')
    AND tg.tgname NOT LIKE 'notify\\_%'" | python3 "$here/canon.py" >"$work/shape/triggers.pg"
compare triggers "$work/shape/triggers.sqlite" "$work/shape/triggers.pg"

sq -csv "SELECT name FROM sqlite_master WHERE type = 'view'" | python3 "$here/canon.py" >"$work/shape/views.sqlite"
pg --csv -t -c "SELECT table_name FROM information_schema.views WHERE table_schema = 'public'" \
  | python3 "$here/canon.py" >"$work/shape/views.pg"
compare views "$work/shape/views.sqlite" "$work/shape/views.pg"

# Seed rows, before any DML.
mkdir -p "$work/seed"
for t in session_epoch search_text_backfill wait_buckets; do
  sq -csv "SELECT * FROM $t" | python3 "$here/canon.py" >"$work/seed/$t.sqlite"
  pg --csv -t -c "SELECT * FROM $t" | python3 "$here/canon.py" >"$work/seed/$t.pg"
  compare "seed $t" "$work/seed/$t.sqlite" "$work/seed/$t.pg"
done

# 3. The same DML on both.
sq <"$here/dml.sql"
PGOPTIONS='-c track_functions=all' pg -f "$here/dml.sql" >/dev/null
echo "DML applied to both ($(grep -cE '^(INSERT|UPDATE|DELETE)' "$here/dml.sql") statements)"

# Dumps every table and view of both databases into $work/data/$1 and compares them; $2 = 1
# leaves out roll-up rows holding 0 (see dml_multirow.sql).
relations=$(sq "SELECT name FROM sqlite_master
                WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
                  AND name NOT LIKE 'search\\_index%' ESCAPE '\\' ORDER BY name")
null="''<null>''"
compare_data() {
  local dir=$work/data/$1 t sel_sqlite sel_pg where
  mkdir -p "$dir"
  for t in $relations; do
    sel_sqlite=$(sq "SELECT group_concat(CASE upper(type)
          WHEN 'REAL' THEN 'CASE WHEN \"' || name || '\" IS NULL THEN $null ELSE printf(''%.6f'', \"' || name || '\") END'
          WHEN 'BLOB' THEN 'CASE WHEN \"' || name || '\" IS NULL THEN $null ELSE hex(\"' || name || '\") END'
          ELSE 'COALESCE(CAST(\"' || name || '\" AS TEXT), $null)' END, ', ')
        FROM (SELECT name, type FROM pragma_table_xinfo('$t') ORDER BY cid)")
    sel_pg=$(sq "SELECT group_concat(CASE upper(type)
          WHEN 'REAL' THEN 'COALESCE(round(\"' || name || '\"::numeric, 6)::text, $null)'
          WHEN 'BLOB' THEN 'COALESCE(upper(encode(\"' || name || '\", ''hex'')), $null)'
          ELSE 'COALESCE(\"' || name || '\"::text, $null)' END, ', ')
        FROM (SELECT name, type FROM pragma_table_xinfo('$t') ORDER BY cid)")
    where=
    if [ "$2" = 1 ]; then
      case $t in
        response_waits|tag_pair_rollup) where="WHERE topics <> 0" ;;
        response_rollup) where="WHERE topics <> 0 OR answered <> 0" ;;
      esac
    fi
    sq -csv "SELECT $sel_sqlite FROM \"$t\" $where" | python3 "$here/canon.py" >"$dir/$t.sqlite"
    pg --csv -t -c "SELECT $sel_pg FROM \"$t\" $where" | python3 "$here/canon.py" >"$dir/$t.pg"
    compare "$1: $t" "$dir/$t.sqlite" "$dir/$t.pg"
  done
  echo "$1: compared $(echo "$relations" | wc -w) tables and views, $(cat "$dir"/*.sqlite | wc -l) rows"
}
compare_data single 0

# Random single-row writes (fuzz.py, seeds FUZZ_SEEDS): compared exactly as well.
fuzz_seeds=${FUZZ_SEEDS:-1 2 3}
fuzz_count=${FUZZ_COUNT:-400}
base=1000
for seed in $fuzz_seeds; do
  python3 "$here/fuzz.py" "$seed" "$fuzz_count" "$base" >"$work/fuzz_single_$seed.sql"
  sq <"$work/fuzz_single_$seed.sql"
  pg -f "$work/fuzz_single_$seed.sql" >/dev/null
  base=$((base + 1000))
done
echo "fuzz (single-row): seeds $fuzz_seeds, $fuzz_count operations each"
compare_data fuzz-single 0

# The search index.
mkdir -p "$work/search"
sq "INSERT INTO search_index (search_index, rank) VALUES ('integrity-check', 1)" \
  || { echo "SQLite FTS5 integrity-check failed" >&2; failed=1; }
bad=$(pg -t -A -c "
  SELECT count(*) FROM search_source s FULL JOIN search_index i ON i.post_id = s.id
  WHERE s.id IS NULL OR i.post_id IS NULL OR i.tsv IS DISTINCT FROM search_document(s.title, s.body)")
[ "$bad" = 0 ] || { echo "PostgreSQL search_index differs from search_source in $bad rows" >&2; failed=1; }
sq -csv "CREATE VIRTUAL TABLE temp.search_vocab USING fts5vocab(main, search_index, instance);
         SELECT DISTINCT doc FROM temp.search_vocab" | python3 "$here/canon.py" >"$work/search/docs.sqlite"
pg --csv -t -c "SELECT post_id FROM search_index" | python3 "$here/canon.py" >"$work/search/docs.pg"
compare "search_index documents" "$work/search/docs.sqlite" "$work/search/docs.pg"
: >"$work/search/words.sqlite.csv"
: >"$work/search/words.pg.csv"
while read -r word; do
  [ -n "$word" ] || continue
  sq -csv "SELECT '$word', 'any', rowid FROM search_index WHERE search_index MATCH '\"$word\"';
           SELECT '$word', 'title', rowid FROM search_index WHERE search_index MATCH 'title : \"$word\"'" \
    >>"$work/search/words.sqlite.csv"
  pg --csv -t -c "SELECT '$word', 'any', post_id FROM search_index WHERE tsv @@ to_tsquery('english', '$word')
                  UNION ALL
                  SELECT '$word', 'title', post_id FROM search_index WHERE tsv @@ to_tsquery('english', '$word:A')" \
    >>"$work/search/words.pg.csv"
done <"$here/search_words.txt"
python3 "$here/canon.py" <"$work/search/words.sqlite.csv" >"$work/search/words.sqlite"
python3 "$here/canon.py" <"$work/search/words.pg.csv" >"$work/search/words.pg"
compare "search words" "$work/search/words.sqlite" "$work/search/words.pg"
echo "search: $(wc -l <"$work/search/docs.pg") posts indexed, $(wc -l <"$work/search/words.pg") word hits"

# 3b. Multi-row statements: the same values; SQLite's extra zero rows are counted, not compared.
sq <"$here/dml_multirow.sql"
PGOPTIONS='-c track_functions=all' pg -f "$here/dml_multirow.sql" >/dev/null
echo "multi-row DML applied to both ($(grep -cE '^(INSERT|UPDATE|DELETE)' "$here/dml_multirow.sql") statements)"
for seed in $fuzz_seeds; do
  python3 "$here/fuzz.py" "$seed" "$fuzz_count" "$base" --multi >"$work/fuzz_multi_$seed.sql"
  sq <"$work/fuzz_multi_$seed.sql"
  pg -f "$work/fuzz_multi_$seed.sql" >/dev/null
  base=$((base + 1000))
done
echo "fuzz (with multi-row): seeds $fuzz_seeds, $fuzz_count operations each"
compare_data multirow 1
for t in response_waits response_rollup tag_pair_rollup; do
  sq -csv "SELECT * FROM $t" | python3 "$here/canon.py" >"$work/data/multirow/$t.all.sqlite"
  pg --csv -t -c "SELECT * FROM $t" | python3 "$here/canon.py" >"$work/data/multirow/$t.all.pg"
  lite_only=$(comm -23 "$work/data/multirow/$t.all.sqlite" "$work/data/multirow/$t.all.pg" | wc -l)
  pg_only=$(comm -13 "$work/data/multirow/$t.all.sqlite" "$work/data/multirow/$t.all.pg" | wc -l)
  [ "$lite_only" = 0 ] || echo "multirow: $t: $lite_only zero rows in SQLite only (its intermediate states; expected)"
  if [ "$pg_only" != 0 ]; then
    echo "multirow: $t: $pg_only rows in PostgreSQL only:" >&2
    comm -13 "$work/data/multirow/$t.all.sqlite" "$work/data/multirow/$t.all.pg" >&2
    failed=1
  fi
done

# 3c. Constraints: every statement of must_fail.sql is refused by both engines (run last: one
# that is not changes the data).
refused=0
while IFS= read -r stmt; do
  case $stmt in ''|--*) continue ;; esac
  lite_ok=1; pg_ok=1
  sq "$stmt" >/dev/null 2>&1 || lite_ok=0
  pg -c "$stmt" >/dev/null 2>&1 || pg_ok=0
  if [ "$lite_ok" = 0 ] && [ "$pg_ok" = 0 ]; then
    refused=$((refused + 1))
  else
    echo "NOT REFUSED (sqlite accepted: $lite_ok, postgres accepted: $pg_ok): $stmt" >&2
    failed=1
  fi
done <"$here/must_fail.sql"
echo "constraints: $refused statements refused by both engines"

# 4. Trigger functions the DML did not call (stats are flushed when the DML's session ends).
sleep 1
unexercised=$(pg -t -A -c "
  SELECT string_agg(DISTINCT tg.tgname || ' (' || p.proname || ')', ', ')
  FROM pg_trigger tg JOIN pg_proc p ON p.oid = tg.tgfoid
  LEFT JOIN pg_stat_user_functions f ON f.funcid = p.oid
  WHERE NOT tg.tgisinternal AND COALESCE(f.calls, 0) = 0")
if [ -n "$unexercised" ]; then
  echo "triggers the DML does not fire (PostgreSQL side): $unexercised"
else
  echo "every PostgreSQL trigger function was called by the DML"
fi

if [ "$failed" != 0 ]; then
  echo "FAILED: the engines differ (see the diffs above)" >&2
  exit 1
fi
echo "OK: the PostgreSQL schema matches the SQLite migrations"
