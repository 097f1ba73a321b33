#!/usr/bin/env python3
"""Writes a random but valid DML script (portable SQLite/PostgreSQL) to stdout: topics, posts,
tags on topics, votes, hides, re-dates, moves and deletes, in the forum's own tables, with ids from
BASE up so it touches nothing of dml.sql (nor of another run with another BASE). Mostly single-row statements; with --multi also the
multi-row ones whose only difference between the engines is SQLite's intermediate zero rows.

    fuzz.py SEED COUNT BASE [--multi]    (ids and tag ids from BASE up)

It keeps a model of what exists so that every statement succeeds on both engines (users 1-4 and 6
of dml.sql must exist)."""
import random
import sys

seed, count, base = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
multi = "--multi" in sys.argv
rnd = random.Random(seed)
USERS = [1, 2, 3, 4, 6]
DAY0 = 1701000000 // 86400 * 86400
TAGS = list(range(base + 1, base + 7))
out = []
topics = {}      # id -> {"created": int, "hidden": int}
posts = {}       # id -> topic id
firsts = {}      # topic id -> first post id
tt = {}          # (topic, tag) -> status
votes = set()
next_topic, next_post = base, base

def emit(sql):
    out.append(sql + ";")

for tag in TAGS:
    emit(f"INSERT INTO tags (id, name, created_at) VALUES ({tag}, 'fuzz{tag}', {DAY0})")

def when():
    return DAY0 + rnd.randrange(4) * 86400 + rnd.randrange(86400)

def new_topic():
    global next_topic, next_post
    t, p = next_topic, next_post
    next_topic += 1
    next_post += 1
    created = when()
    hidden = 1 if rnd.random() < 0.15 else 0
    emit(f"INSERT INTO topics (id, title, author_id, created_at, last_posted_at, hidden) VALUES "
         f"({t}, 'Fuzz topic {t} word{rnd.randrange(20)}', {rnd.choice(USERS)}, {created}, {created}, {hidden})")
    emit(f"INSERT INTO posts (id, topic_id, author_id, is_first, body_md, body_html, created_at) VALUES "
         f"({p}, {t}, {rnd.choice(USERS)}, 1, 'body word{rnd.randrange(20)}', '<p>b</p>', {created})")
    topics[t] = {"created": created, "hidden": hidden}
    posts[p] = t
    firsts[t] = p

def pick_topic():
    return rnd.choice(sorted(topics)) if topics else None

def op():
    global next_post
    r = rnd.random()
    t = pick_topic()
    if t is None or r < 0.12:
        new_topic()
        return
    if r < 0.20:  # reply, maybe the first response
        p = next_post
        next_post += 1
        at = topics[t]["created"] + rnd.choice([-100, 0, 30, 70, 200, 700, 5000, 90000, 400000])
        emit(f"INSERT INTO posts (id, topic_id, author_id, body_md, body_html, created_at, hidden) VALUES "
             f"({p}, {t}, {rnd.choice(USERS)}, 'reply word{rnd.randrange(20)}', '<p>r</p>', {at}, {int(rnd.random() < 0.1)})")
        posts[p] = t
        emit(f"UPDATE topics SET first_response_at = {at}, reply_count = reply_count + 1 WHERE id = {t}")
        return
    if r < 0.26:
        h = 1 - topics[t]["hidden"]
        topics[t]["hidden"] = h
        emit(f"UPDATE topics SET hidden = {h} WHERE id = {t}")
        return
    if r < 0.30:
        c = when()
        topics[t]["created"] = c
        emit(f"UPDATE topics SET created_at = {c} WHERE id = {t}")
        return
    if r < 0.33:
        emit(f"UPDATE topics SET first_response_at = NULL WHERE id = {t}")
        return
    if r < 0.36:
        emit(f"UPDATE topics SET title = 'Retitled {t} word{rnd.randrange(20)}', score = {rnd.randrange(-3, 9)}, "
             f"hot_rank = {rnd.random():.6f} WHERE id = {t}")
        return
    if r < 0.52:  # a new tag row
        free = [g for g in TAGS if (t, g) not in tt]
        if not free:
            return
        g = rnd.choice(free)
        s = rnd.choice(["active", "active", "suggested", "suggested", "rejected"])
        emit(f"INSERT INTO topic_tags (topic_id, tag_id, source, status, created_at) VALUES "
             f"({t}, {g}, 'model', '{s}', {topics[t]['created']})")
        tt[(t, g)] = s
        return
    mine = sorted(k for k in tt if k[0] == t)
    if r < 0.58:  # upsert: insert or update
        g = rnd.choice(TAGS)
        s = rnd.choice(["active", "suggested", "rejected"])
        emit(f"INSERT INTO topic_tags (topic_id, tag_id, source, status, created_at) VALUES "
             f"({t}, {g}, 'author', '{s}', {topics[t]['created']}) "
             f"ON CONFLICT (topic_id, tag_id) DO UPDATE SET status = excluded.status")
        tt[(t, g)] = s
        return
    if r < 0.68 and mine:  # review decision
        k = rnd.choice(mine)
        s = rnd.choice(["active", "suggested", "rejected"])
        emit(f"UPDATE topic_tags SET status = '{s}' WHERE topic_id = {t} AND tag_id = {k[1]}")
        tt[k] = s
        return
    if r < 0.71 and mine:  # a row moved to another tag
        k = rnd.choice(mine)
        free = [g for g in TAGS if (t, g) not in tt]
        if free:
            g = rnd.choice(free)
            emit(f"UPDATE topic_tags SET tag_id = {g} WHERE topic_id = {t} AND tag_id = {k[1]}")
            tt[(t, g)] = tt.pop(k)
        return
    if r < 0.78 and mine:
        k = rnd.choice(mine)
        emit(f"DELETE FROM topic_tags WHERE topic_id = {t} AND tag_id = {k[1]}")
        del tt[k]
        return
    if r < 0.82 and multi:
        kind = rnd.randrange(4)
        if kind == 0:
            emit(f"DELETE FROM topic_tags WHERE topic_id = {t} AND status = 'suggested'")
            for k in [k for k in mine if tt[k] == "suggested"]:
                del tt[k]
        elif kind == 1:
            s = rnd.choice(["active", "rejected"])
            emit(f"UPDATE topic_tags SET status = '{s}' WHERE topic_id = {t} AND status = 'suggested'")
            for k in [k for k in mine if tt[k] == "suggested"]:
                tt[k] = s
        elif kind == 2:
            gs = rnd.sample([g for g in TAGS if (t, g) not in tt] or [None], 1)
            g2 = [g for g in TAGS if (t, g) not in tt and g not in gs]
            if gs[0] is None or not g2:
                return
            a, b = gs[0], rnd.choice(g2)
            emit(f"INSERT INTO topic_tags (topic_id, tag_id, source, status, created_at) VALUES "
                 f"({t}, {a}, 'model', 'suggested', 1), ({t}, {b}, 'author', 'active', 1)")
            tt[(t, a)], tt[(t, b)] = "suggested", "active"
        else:
            ids = rnd.sample(sorted(topics), min(3, len(topics)))
            emit(f"UPDATE topics SET hidden = 1 - hidden WHERE id IN ({', '.join(map(str, ids))})")
            for i in ids:
                topics[i]["hidden"] = 1 - topics[i]["hidden"]
        return
    if r < 0.86:  # a vote
        p = rnd.choice(sorted(posts))
        u = rnd.choice(USERS)
        if (u, p) not in votes:
            emit(f"INSERT INTO votes (user_id, post_id, value, created_at) VALUES ({u}, {p}, {rnd.choice([-1, 1])}, {when()})")
            votes.add((u, p))
        return
    if r < 0.92:  # hide / unhide / edit a post
        p = rnd.choice(sorted(posts))
        if rnd.random() < 0.5:
            emit(f"UPDATE posts SET hidden = {rnd.randrange(2)} WHERE id = {p}")
        else:
            emit(f"UPDATE posts SET body_md = 'edited word{rnd.randrange(20)}', body_text = "
                 f"{rnd.choice(['NULL', repr('text word' + str(rnd.randrange(20)))])} WHERE id = {p}")
        return
    if r < 0.95:  # delete a reply
        replies = sorted(p for p, tp in posts.items() if firsts.get(tp) != p)
        if replies:
            p = rnd.choice(replies)
            emit(f"DELETE FROM posts WHERE id = {p}")
            del posts[p]
            votes.difference_update({v for v in votes if v[1] == p})
        return
    if r < 0.97:  # delete a whole topic
        emit(f"DELETE FROM topics WHERE id = {t}")
        del topics[t]
        for k in [k for k in tt if k[0] == t]:
            del tt[k]
        for p in [p for p, tp in posts.items() if tp == t]:
            del posts[p]
            votes.difference_update({v for v in votes if v[1] == p})
        firsts.pop(t, None)
        return
    if r < 0.98 and multi and len(TAGS) > 2:  # a whole tag deleted
        g = rnd.choice(TAGS)
        TAGS.remove(g)
        emit(f"DELETE FROM tags WHERE id = {g}")
        for k in [k for k in tt if k[1] == g]:
            del tt[k]
        return

for _ in range(count):
    op()
print("\n".join(out))
