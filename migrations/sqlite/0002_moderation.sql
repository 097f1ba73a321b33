-- Moderation (flags, the moderation log) and what the moderators' dashboards read: daily roll-ups
-- kept by triggers and a few indexes, so every report over a 100k-topic / 1M-post community is a
-- scan of at most a few hundred thousand index entries.

-- A member's report that a post needs a moderator. One per reporter and post: flagging twice only
-- updates the reason. A moderator resolves every open flag of a post at once, by hiding the post
-- ('hidden') or by deciding it is fine ('dismissed').
CREATE TABLE flags (
    id          INTEGER PRIMARY KEY,
    post_id     INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    reporter_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    reason      TEXT    NOT NULL CHECK (reason IN ('spam', 'abuse', 'off_topic', 'other')),
    note        TEXT    NOT NULL DEFAULT '',
    status      TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'hidden', 'dismissed')),
    created_at  INTEGER NOT NULL,
    resolved_by INTEGER REFERENCES users(id),
    resolved_at INTEGER,
    UNIQUE (post_id, reporter_id)
);
-- The queue: open flags, oldest first; partial, so resolved history does not slow it down.
CREATE INDEX flags_open ON flags(post_id, created_at) WHERE status = 'open';

-- Every moderator action, for accountability: who did what to which topic, post, user or tag.
-- `topic_id` is kept beside the target so each row links to its thread even when it names a post.
CREATE TABLE moderation_log (
    id           INTEGER PRIMARY KEY,
    moderator_id INTEGER NOT NULL REFERENCES users(id),
    action       TEXT    NOT NULL,
    target_kind  TEXT    NOT NULL CHECK (target_kind IN ('topic', 'post', 'user', 'tag', 'model')),
    target_id    INTEGER NOT NULL,
    topic_id     INTEGER,
    detail       TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL
);
CREATE INDEX moderation_log_recent ON moderation_log(created_at DESC);

-- Daily counters (day = unix seconds / 86400, UTC). Counting 1M posts per page view would take
-- seconds; these rows make the activity report read at most 180 rows. Kept by triggers so every
-- writer (forms, API, importer, generator, tests) is counted. Hidden content still counts: it was
-- activity that day.
CREATE TABLE daily_activity (
    day          INTEGER PRIMARY KEY,
    signups      INTEGER NOT NULL DEFAULT 0,
    active_users INTEGER NOT NULL DEFAULT 0,
    topics       INTEGER NOT NULL DEFAULT 0,
    posts        INTEGER NOT NULL DEFAULT 0,
    votes        INTEGER NOT NULL DEFAULT 0,
    flags        INTEGER NOT NULL DEFAULT 0
);

-- Who was active on which day, and how: an active user posted or voted that day. DAU is the row
-- count of a day (kept in daily_activity.active_users by the trigger below: an upsert that only
-- updates does not fire AFTER INSERT); MAU is the number of distinct users over 30 days; top
-- contributors sum `posts` over the period.
CREATE TABLE daily_user_activity (
    day     INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    posts   INTEGER NOT NULL DEFAULT 0,
    votes   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, user_id)
) WITHOUT ROWID;
-- One user's days, for the previous-period figures of the top contributors.
CREATE INDEX daily_user_activity_by_user ON daily_user_activity(user_id, day);

CREATE TRIGGER daily_user_activity_count AFTER INSERT ON daily_user_activity BEGIN
    INSERT INTO daily_activity (day, active_users) VALUES (NEW.day, 1)
    ON CONFLICT (day) DO UPDATE SET active_users = active_users + 1;
END;

-- When each user first posted, for "new contributors" (first post inside the period).
CREATE TABLE contributors (
    user_id       INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    first_post_at INTEGER NOT NULL
);
CREATE INDEX contributors_by_first_post ON contributors(first_post_at);

CREATE TRIGGER daily_signups AFTER INSERT ON users BEGIN
    INSERT INTO daily_activity (day, signups) VALUES (NEW.created_at / 86400, 1)
    ON CONFLICT (day) DO UPDATE SET signups = signups + 1;
END;

CREATE TRIGGER daily_topics AFTER INSERT ON topics BEGIN
    INSERT INTO daily_activity (day, topics) VALUES (NEW.created_at / 86400, 1)
    ON CONFLICT (day) DO UPDATE SET topics = topics + 1;
END;

CREATE TRIGGER daily_posts AFTER INSERT ON posts BEGIN
    INSERT INTO daily_activity (day, posts) VALUES (NEW.created_at / 86400, 1)
    ON CONFLICT (day) DO UPDATE SET posts = posts + 1;
    INSERT INTO daily_user_activity (day, user_id, posts) VALUES (NEW.created_at / 86400, NEW.author_id, 1)
    ON CONFLICT (day, user_id) DO UPDATE SET posts = posts + 1;
    INSERT INTO contributors (user_id, first_post_at) VALUES (NEW.author_id, NEW.created_at)
    ON CONFLICT (user_id) DO UPDATE SET first_post_at = MIN(first_post_at, excluded.first_post_at);
END;

-- A changed vote is an UPDATE (one vote per user and post) and is not counted again.
CREATE TRIGGER daily_votes AFTER INSERT ON votes BEGIN
    INSERT INTO daily_activity (day, votes) VALUES (NEW.created_at / 86400, 1)
    ON CONFLICT (day) DO UPDATE SET votes = votes + 1;
    INSERT INTO daily_user_activity (day, user_id, votes) VALUES (NEW.created_at / 86400, NEW.user_id, 1)
    ON CONFLICT (day, user_id) DO UPDATE SET votes = votes + 1;
END;

CREATE TRIGGER daily_flags AFTER INSERT ON flags BEGIN
    INSERT INTO daily_activity (day, flags) VALUES (NEW.created_at / 86400, 1)
    ON CONFLICT (day) DO UPDATE SET flags = flags + 1;
END;

-- Backfill from what the forum already holds.
INSERT INTO daily_user_activity (day, user_id, posts, votes)
    SELECT day, user_id, SUM(posts), SUM(votes) FROM (
        SELECT created_at / 86400 AS day, author_id AS user_id, 1 AS posts, 0 AS votes FROM posts
        UNION ALL SELECT created_at / 86400, user_id, 0, 1 FROM votes)
    GROUP BY day, user_id;
INSERT INTO contributors (user_id, first_post_at)
    SELECT author_id, MIN(created_at) FROM posts GROUP BY author_id;
INSERT INTO daily_activity (day, signups) SELECT created_at / 86400, COUNT(*) FROM users GROUP BY 1
    ON CONFLICT (day) DO UPDATE SET signups = excluded.signups;
INSERT INTO daily_activity (day, topics) SELECT created_at / 86400, COUNT(*) FROM topics GROUP BY 1
    ON CONFLICT (day) DO UPDATE SET topics = excluded.topics;
INSERT INTO daily_activity (day, posts) SELECT created_at / 86400, COUNT(*) FROM posts GROUP BY 1
    ON CONFLICT (day) DO UPDATE SET posts = excluded.posts;
INSERT INTO daily_activity (day, votes) SELECT created_at / 86400, COUNT(*) FROM votes GROUP BY 1
    ON CONFLICT (day) DO UPDATE SET votes = excluded.votes;

-- Report indexes. Topics by creation time carry first_response_at so response-time reports read
-- the index alone.
CREATE INDEX topics_by_created ON topics(created_at, hidden, first_response_at);
CREATE INDEX users_by_created ON users(created_at);
-- Unanswered topics for the needs-attention list, without scanning answered ones.
CREATE INDEX topics_unanswered ON topics(created_at) WHERE first_response_at IS NULL AND hidden = 0;
-- Model suggestions awaiting review, by confidence (needs-attention: contradictions, unsure ones).
CREATE INDEX topic_tags_attention ON topic_tags(confidence) WHERE status = 'suggested';
