#!/usr/bin/env bash
# Screenshot of a dashboard page with headless Chromium, signed in as a moderator. Chromium takes
# no cookie on its command line, so a tiny local proxy adds the session cookie to each request.
# Needs a running server (e.g. the one of scripts/bench_dashboard.sh with KEEP=1) and a moderator.
# Usage: scripts/screenshot_dashboard.sh [path] [out.png]
#   env: PORT=18089 USERNAME=benchmod THREADWISE_PASSWORD=...
set -euo pipefail
cd "$(dirname "$0")/.."
PAGE=${1:-/mod?period=30}
OUT=${2:-$PWD/target/dashboard.png}
PORT=${PORT:-18089}
PROXY_PORT=${PROXY_PORT:-18190}
USERNAME=${USERNAME:-benchmod}
PASSWORD=${THREADWISE_PASSWORD:-bench moderator password}

TOKEN=$(curl -sf -D - -o /dev/null -H 'Content-Type: application/json' \
  -d "{\"username\":\"$USERNAME\",\"password\":\"$PASSWORD\"}" \
  "http://127.0.0.1:$PORT/api/v1/auth/login" | sed -n 's/^[Ss]et-[Cc]ookie: tw_session=\([^;]*\).*/\1/p')
[[ -n $TOKEN ]] || { echo "login failed" >&2; exit 1; }

python3 - "$PORT" "$PROXY_PORT" "$TOKEN" <<'PY' &
import http.server, sys, urllib.request
upstream, port, token = sys.argv[1], int(sys.argv[2]), sys.argv[3]
class Proxy(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        req = urllib.request.Request(f"http://127.0.0.1:{upstream}{self.path}",
                                     headers={"Cookie": f"tw_session={token}"})
        try:
            with urllib.request.urlopen(req) as r:
                status, headers, body = r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            status, headers, body = e.code, e.headers, e.read()
        self.send_response(status)
        for k in ("Content-Type",):
            if headers.get(k):
                self.send_header(k, headers[k])
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", port), Proxy).serve_forever()
PY
PROXY=$!
trap 'kill $PROXY 2>/dev/null || true' EXIT
# Wait for our proxy (and make sure it is ours: it must still be alive once the port answers).
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$PROXY_PORT/" && break; sleep 0.1; done
kill -0 $PROXY 2>/dev/null || { echo "the proxy could not start on port $PROXY_PORT" >&2; exit 1; }
chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --user-data-dir="$(mktemp -d)" \
  --hide-scrollbars --screenshot="$OUT" --window-size=1280,2400 "http://127.0.0.1:$PROXY_PORT$PAGE" 2>/dev/null
echo "saved $OUT"
