#!/usr/bin/env python3
"""Writes a synthetic Stack Exchange dump (Posts.xml + Users.xml) for import benchmarks.

    python3 scripts/gen_se_dump.py --posts 1000000 --out /tmp/se-bench/bench.stackexchange.com

Rows look like the real dumps (same attributes, HTML-escaped bodies with paragraphs, inline code,
code blocks and links, `<a><b>` tags, one row per line), about 1 KB each. A third of the posts are
questions; answers follow their question, as in real dumps. Seeded, so runs are comparable.
"""
import argparse
import os
import random
from datetime import datetime, timedelta, timezone
from xml.sax.saxutils import quoteattr

WORDS = (
    "the a model network layer train loss gradient python rust tensor memory thread async "
    "query index database server request error build compile test deploy cache vector "
    "function value type state lock queue batch stream parse token label score graph node"
).split()
TAGS = [f"tag-{i}" for i in range(400)] + ["python", "rust", "machine-learning", "c++", "c#", ".net"]


def sentence(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def body(rng):
    parts = []
    for _ in range(rng.randint(2, 4)):
        parts.append(f"<p>{sentence(rng, 14)} <code>{rng.choice(WORDS)}()</code> {sentence(rng, 10)}.</p>")
    if rng.random() < 0.5:
        parts.append(f"<pre><code>let x = {rng.randint(0, 99)};\nprintln!(\"{{x}} &lt; 100\");\n</code></pre>")
    if rng.random() < 0.3:
        parts.append(f'<p>See <a href="https://example.org/{rng.randint(0, 9999)}">this page</a>.</p>')
    return "\n".join(parts) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--posts", type=int, default=1_000_000)
    ap.add_argument("--users", type=int, default=None, help="default: posts / 10")
    ap.add_argument("--out", default="/tmp/se-bench/bench.stackexchange.com")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    users = args.users or max(1, args.posts // 10)
    os.makedirs(args.out, exist_ok=True)
    start = datetime(2015, 1, 1, tzinfo=timezone.utc)
    fmt = "%Y-%m-%dT%H:%M:%S.000"

    with open(os.path.join(args.out, "Users.xml"), "w", encoding="utf-8") as f:
        f.write('\ufeff<?xml version="1.0" encoding="utf-8"?>\n<users>\n')
        for uid in range(1, users + 1):
            created = (start + timedelta(minutes=uid)).strftime(fmt)
            name = quoteattr(f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()}")
            f.write(f'  <row Id="{uid}" Reputation="1" CreationDate="{created}" DisplayName={name} Views="0" />\n')
        f.write("</users>\n")

    with open(os.path.join(args.out, "Posts.xml"), "w", encoding="utf-8") as f:
        f.write('\ufeff<?xml version="1.0" encoding="utf-8"?>\n<posts>\n')
        question = None
        for pid in range(1, args.posts + 1):
            when = (start + timedelta(minutes=pid)).strftime(fmt)
            owner = rng.randint(1, users)
            text = quoteattr(body(rng))
            if question is None or rng.random() < 1 / 3:
                question = pid
                tags = "".join(f"<{t}>" for t in rng.sample(TAGS, rng.randint(1, 4)))
                title = quoteattr(sentence(rng, 8).capitalize() + "?")
                f.write(
                    f'  <row Id="{pid}" PostTypeId="1" CreationDate="{when}" Score="{rng.randint(-2, 50)}" '
                    f'ViewCount="{rng.randint(10, 9999)}" Body={text} OwnerUserId="{owner}" '
                    f'LastActivityDate="{when}" Title={title} Tags={quoteattr(tags)} '
                    f'AnswerCount="2" CommentCount="0" ContentLicense="CC BY-SA 4.0" />\n'
                )
            else:
                f.write(
                    f'  <row Id="{pid}" PostTypeId="2" ParentId="{question}" CreationDate="{when}" '
                    f'Score="{rng.randint(-2, 50)}" Body={text} OwnerUserId="{owner}" '
                    f'LastActivityDate="{when}" CommentCount="0" ContentLicense="CC BY-SA 4.0" />\n'
                )
        f.write("</posts>\n")


if __name__ == "__main__":
    main()
