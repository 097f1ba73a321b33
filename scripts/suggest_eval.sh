#!/usr/bin/env bash
# The forum's suggestions measured end to end: import TRAIN into a fresh forum, retrain, serve,
# and ask `POST /api/v1/tags/suggest` about every question of EVAL; prints the precision of all
# suggestions, the coverage (share of questions with at least one) and per-tag counts.
#
#   scripts/suggest_eval.sh [TRAIN] [EVAL]     (defaults: the Stack Exchange files)
#
# Needs a release build (`cargo build --release`); set NO_BUILD=1 to skip it. Extra arguments
# for the retrain go in RETRAIN_ARGS (e.g. "--train-threads 1").
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=../shared/data/stackexchange
TRAIN=${1:-$DATA/train.jsonl}
EVAL=${2:-$DATA/valid.jsonl}
PORT=${PORT:-8097}
WORK=$(mktemp -d)
trap 'kill "${SERVER:-}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
[ -n "${NO_BUILD:-}" ] || cargo build --release --quiet
BIN=target/release/threadwise
DB="sqlite://$WORK/forum.db"
"$BIN" --database "$DB" import jsonl "$TRAIN" >/dev/null
start=$(date +%s)
# shellcheck disable=SC2086
"$BIN" --database "$DB" retrain ${RETRAIN_ARGS:-}
echo "retrain: $(($(date +%s) - start)) s"
"$BIN" --database "$DB" serve --bind "127.0.0.1:$PORT" --tag-suggestions-per-minute 0 \
    >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$PORT/" >/dev/null 2>&1 && break
    sleep 0.2
done
python3 - "$EVAL" "$PORT" <<'EOF'
import collections, json, sys, urllib.request

path, port = sys.argv[1], sys.argv[2]
questions = [json.loads(line) for line in open(path) if line.strip()]
made = right = covered = 0
per_tag = collections.defaultdict(lambda: [0, 0])
for q in questions:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/tags/suggest",
        data=json.dumps({"title": q["title"], "body": q["body"]}).encode(),
        headers={"Content-Type": "application/json"},
    )
    tags = json.load(urllib.request.urlopen(request))["tags"]
    covered += bool(tags)
    for t in tags:
        made += 1
        ok = t["name"] in q["tags"]
        right += ok
        per_tag[t["name"]][0] += 1
        per_tag[t["name"]][1] += ok
print(f"{len(questions)} questions, {made} suggestions, precision {right / max(made, 1):.3f}, "
      f"coverage {covered / len(questions):.3f}")
for tag, (n, ok) in sorted(per_tag.items(), key=lambda kv: -kv[1][0]):
    print(f"  {tag}: {ok}/{n}")
EOF
