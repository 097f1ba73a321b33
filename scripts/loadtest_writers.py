#!/usr/bin/env python3
"""Writers for the mixed load test: each session cookie posts one reply and one vote a second
to a topic for the given seconds. Prints the answers' status counts at the end.

Usage: loadtest_writers.py BASE TOPIC SECONDS COOKIE...
Env:   WRITES_PER_SECOND=1 per writer (0: as fast as the server answers, for throughput)
"""
import json
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter

base, topic, seconds, cookies = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4:]
rate = float(__import__("os").environ.get("WRITES_PER_SECOND", "1"))
period = 1.0 / rate if rate > 0 else 0.0
statuses = Counter()
lock = threading.Lock()


def call(method, path, cookie, csrf, body):
    request = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"Cookie": cookie, "Content-Type": "application/json", "X-CSRF-Token": csrf},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def writer(cookie):
    status, me = call("GET", "/api/v1/me", cookie, "", None)
    csrf = json.loads(me).get("csrf_token", "") if status == 200 else ""
    name = json.loads(me).get("user", {}).get("username", "") if status == 200 else ""
    status, page = call("GET", f"/api/v1/topics/{topic}", cookie, csrf, None)
    # Not its own posts (an earlier run's replies): voting on them is refused with 403.
    posts = [p["id"] for p in json.loads(page).get("posts", []) if p.get("author") != name] \
        if status == 200 else []
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        started = time.monotonic()
        s1, _ = call("POST", f"/api/v1/topics/{topic}/replies", cookie, csrf,
                     {"body": f"A reply from the load test, number {n}."})
        s2 = 0
        if posts:
            s2, _ = call("POST", f"/api/v1/posts/{posts[n % len(posts)]}/vote", cookie, csrf,
                         {"value": 1 if n % 2 else -1})
        with lock:
            statuses[s1] += 1
            if s2:
                statuses[s2] += 1
        n += 1
        time.sleep(max(0.0, period - (time.monotonic() - started)))


threads = [threading.Thread(target=writer, args=(c,)) for c in cookies if c]
for t in threads:
    t.start()
for t in threads:
    t.join()
ok = sum(n for status, n in statuses.items() if 200 <= status < 300)
print("writes by status:", dict(sorted(statuses.items())), f"ok/s: {ok / seconds:.1f}")
