-- One definition of the wait buckets (issue 19). Migration 0007 spelt the 58 bucket edges out as
-- a SQL CASE (beside `domain::report::WAIT_BUCKET_EDGES`) and kept one column per bucket, listed
-- again in every trigger and query. Here the histogram is narrow, one row per (tag, day, bucket),
-- with the (day, tag) totals beside it, and the edges live in `wait_buckets`, which
-- `db::connect` fills from WAIT_BUCKET_EDGES, the only place they are written. When the table
-- does not match the constant (this migration leaves it empty; a later change of the edges would
-- too), `db::connect` rebuilds the roll-ups from the topics in one transaction (2 s for 100k
-- topics). Migration 0007 itself stays as it was: sqlx refuses a database whose applied
-- migrations have changed.
--
-- Semantics are 0007's: only visible topics count, under tag 0 (the whole forum) and under their
-- active tags, or their suggestions when they have no active tag; triggers subtract a topic's old
-- contribution and add its new one.

DROP TRIGGER response_rollup_topic_insert;
DROP TRIGGER response_rollup_topic_update;
DROP TRIGGER response_rollup_topic_delete;
DROP TRIGGER response_rollup_tag_insert;
DROP TRIGGER response_rollup_tag_update_before;
DROP TRIGGER response_rollup_tag_update_after;
DROP TRIGGER response_rollup_tag_delete_before;
DROP TRIGGER response_rollup_tag_delete_after;
DROP TABLE response_rollup;
ALTER TABLE topics DROP COLUMN wait_bucket;

-- Seconds from a topic's creation to its first response (NULL while unanswered; a response
-- dated before the topic, as imports can have, counts as 0). Virtual: stores nothing.
ALTER TABLE topics ADD COLUMN wait_s INTEGER GENERATED ALWAYS AS (
    MAX(first_response_at - created_at, 0)) VIRTUAL;

-- Bucket k holds waits from lower_s up to the next bucket's lower_s (the last is open-ended).
CREATE TABLE wait_buckets (
    lower_s INTEGER PRIMARY KEY,
    bucket  INTEGER NOT NULL UNIQUE
);

-- Per tag (0 = the whole forum), day of creation (UTC) and wait bucket (-1 = unanswered):
-- visible topics. Tag first: a histogram reads one tag's days. Rows are never deleted: a row whose
-- topics left it keeps 0.
CREATE TABLE response_waits (
    tag_id INTEGER NOT NULL,
    day    INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    topics INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tag_id, day, bucket)
) WITHOUT ROWID;

-- Per day and tag: the sums of response_waits over the buckets (topics) and over buckets >= 0
-- (answered), for the per-tag counts, which read every tag of a period: a fifth of the rows.
-- Kept by the two triggers below from every change of response_waits.
CREATE TABLE response_rollup (
    day      INTEGER NOT NULL,
    tag_id   INTEGER NOT NULL,
    topics   INTEGER NOT NULL DEFAULT 0,
    answered INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, tag_id)
) WITHOUT ROWID;

CREATE TRIGGER response_waits_insert AFTER INSERT ON response_waits BEGIN
    INSERT INTO response_rollup (day, tag_id, topics, answered)
    VALUES (NEW.day, NEW.tag_id, NEW.topics, (NEW.bucket >= 0) * NEW.topics)
    ON CONFLICT (day, tag_id) DO UPDATE SET
        topics = topics + excluded.topics, answered = answered + excluded.answered;
END;

CREATE TRIGGER response_waits_update AFTER UPDATE OF topics ON response_waits BEGIN
    INSERT INTO response_rollup (day, tag_id, topics, answered)
    VALUES (NEW.day, NEW.tag_id, NEW.topics - OLD.topics,
            (NEW.bucket >= 0) * (NEW.topics - OLD.topics))
    ON CONFLICT (day, tag_id) DO UPDATE SET
        topics = topics + excluded.topics, answered = answered + excluded.answered;
END;

-- The triggers of 0007 with the bucket looked up instead of spelt out; tag_pair_rollup's
-- statements are unchanged.
CREATE TRIGGER response_rollup_topic_insert AFTER INSERT ON topics BEGIN
    INSERT INTO response_waits (day, tag_id, bucket, topics)
    SELECT NEW.created_at / 86400, 0,
           COALESCE((SELECT bucket FROM wait_buckets WHERE lower_s <= NEW.wait_s
                     ORDER BY lower_s DESC LIMIT 1), -1),
           1
    WHERE NEW.hidden = 0
    ON CONFLICT (tag_id, day, bucket) DO UPDATE SET topics = topics + excluded.topics;
END;

-- Hide/unhide, the first reply (first_response_at) or a re-dated import moves the topic: out of its
-- old rows with the old values, into the new ones. Its tags do not change in this statement.
CREATE TRIGGER response_rollup_topic_update
AFTER UPDATE OF created_at, hidden, first_response_at ON topics
WHEN (OLD.created_at, OLD.hidden, OLD.first_response_at)
     IS NOT (NEW.created_at, NEW.hidden, NEW.first_response_at)
BEGIN
    INSERT INTO response_waits (day, tag_id, bucket, topics)
    SELECT OLD.created_at / 86400, 0,
           COALESCE((SELECT bucket FROM wait_buckets WHERE lower_s <= OLD.wait_s
                     ORDER BY lower_s DESC LIMIT 1), -1),
           -1
    WHERE OLD.hidden = 0
    ON CONFLICT (tag_id, day, bucket) DO UPDATE SET topics = topics + excluded.topics;
    INSERT INTO response_waits (day, tag_id, bucket, topics)
    SELECT NEW.created_at / 86400, 0,
           COALESCE((SELECT bucket FROM wait_buckets WHERE lower_s <= NEW.wait_s
                     ORDER BY lower_s DESC LIMIT 1), -1),
           1
    WHERE NEW.hidden = 0
    ON CONFLICT (tag_id, day, bucket) DO UPDATE SET topics = topics + excluded.topics;
    INSERT INTO response_waits (day, tag_id, bucket, topics)
    SELECT OLD.created_at / 86400, tt.tag_id,
           COALESCE((SELECT bucket FROM wait_buckets WHERE lower_s <= OLD.wait_s
                     ORDER BY lower_s DESC LIMIT 1), -1),
           -1
    FROM topic_tags tt
    WHERE OLD.hidden = 0 AND tt.topic_id = OLD.id
      AND (tt.status = 'active'
           OR (tt.status = 'suggested' AND NOT EXISTS (
                   SELECT 1 FROM topic_tags a
                   WHERE a.topic_id = OLD.id AND a.status = 'active')))
    ON CONFLICT (tag_id, day, bucket) DO UPDATE SET topics = topics + excluded.topics;
    INSERT INTO response_waits (day, tag_id, bucket, topics)
    SELECT NEW.created_at / 86400, tt.tag_id,
           COALESCE((SELECT bucket FROM wait_buckets WHERE lower_s <= NEW.wait_s
                     ORDER BY lower_s DESC LIMIT 1), -1),
           1
    FROM topic_tags tt
    WHERE NEW.hidden = 0 AND tt.topic_id = NEW.id
      AND (tt.status = 'active'
           OR (tt.status = 'suggested' AND NOT EXISTS (
                   SELECT 1 FROM topic_tags a
                   WHERE a.topic_id = NEW.id AND a.status = 'active')))
    ON CONFLICT (tag_id, day, bucket) DO UPDATE SET topics = topics + excluded.topics;
    INSERT INTO tag_pair_rollup (day, tag_a, tag_b, topics)
    SELECT OLD.created_at / 86400, x.tag_id, y.tag_id, -1
    FROM topic_tags x JOIN topic_tags y ON y.topic_id = x.topic_id AND y.tag_id > x.tag_id
    WHERE OLD.hidden = 0 AND x.topic_id = OLD.id AND x.status = 'active' AND y.status = 'active'
    ON CONFLICT (day, tag_a, tag_b) DO UPDATE SET topics = topics + excluded.topics;
    INSERT INTO tag_pair_rollup (day, tag_a, tag_b, topics)
    SELECT NEW.created_at / 86400, x.tag_id, y.tag_id, 1
    FROM topic_tags x JOIN topic_tags y ON y.topic_id = x.topic_id AND y.tag_id > x.tag_id
    WHERE NEW.hidden = 0 AND x.topic_id = NEW.id AND x.status = 'active' AND y.status = 'active'
    ON CONFLICT (day, tag_a, tag_b) DO UPDATE SET topics = topics + excluded.topics;
END;

-- Deleting a topic cascades to its topic_tags after the topic row is gone, when their triggers no
-- longer find it; so everything it counted is subtracted here, while it and its tags still exist.
CREATE TRIGGER response_rollup_topic_delete BEFORE DELETE ON topics BEGIN
    INSERT INTO response_waits (day, tag_id, bucket, topics)
    SELECT OLD.created_at / 86400, 0,
           COALESCE((SELECT bucket FROM wait_buckets WHERE lower_s <= OLD.wait_s
                     ORDER BY lower_s DESC LIMIT 1), -1),
           -1
    WHERE OLD.hidden = 0
    ON CONFLICT (tag_id, day, bucket) DO UPDATE SET topics = topics + excluded.topics;
    INSERT INTO response_waits (day, tag_id, bucket, topics)
    SELECT OLD.created_at / 86400, tt.tag_id,
           COALESCE((SELECT bucket FROM wait_buckets WHERE lower_s <= OLD.wait_s
                     ORDER BY lower_s DESC LIMIT 1), -1),
           -1
    FROM topic_tags tt
    WHERE OLD.hidden = 0 AND tt.topic_id = OLD.id
      AND (tt.status = 'active'
           OR (tt.status = 'suggested' AND NOT EXISTS (
                   SELECT 1 FROM topic_tags a
                   WHERE a.topic_id = OLD.id AND a.status = 'active')))
    ON CONFLICT (tag_id, day, bucket) DO UPDATE SET topics = topics + excluded.topics;
    INSERT INTO tag_pair_rollup (day, tag_a, tag_b, topics)
    SELECT OLD.created_at / 86400, x.tag_id, y.tag_id, -1
    FROM topic_tags x JOIN topic_tags y ON y.topic_id = x.topic_id AND y.tag_id > x.tag_id
    WHERE OLD.hidden = 0 AND x.topic_id = OLD.id AND x.status = 'active' AND y.status = 'active'
    ON CONFLICT (day, tag_a, tag_b) DO UPDATE SET topics = topics + excluded.topics;
END;

-- A new tag row: subtract what the topic counted without it, add what it counts with it. Only
-- AFTER INSERT: an upsert that turns into an update, or DO NOTHING, fires no AFTER INSERT (its
-- UPDATE triggers below cover the first). A rejected suggestion changes nothing.
CREATE TRIGGER response_rollup_tag_insert AFTER INSERT ON topic_tags
WHEN NEW.status <> 'rejected'
BEGIN
    INSERT INTO response_waits (day, tag_id, bucket, topics)
    SELECT t.created_at / 86400, tt.tag_id,
           COALESCE((SELECT bucket FROM wait_buckets WHERE lower_s <= t.wait_s
                     ORDER BY lower_s DESC LIMIT 1), -1),
           -1
    FROM topic_tags tt JOIN topics t ON t.id = tt.topic_id
    WHERE t.hidden = 0 AND tt.topic_id = NEW.topic_id AND tt.tag_id IS NOT NEW.tag_id
      AND (tt.status = 'active'
           OR (tt.status = 'suggested' AND NOT EXISTS (
                   SELECT 1 FROM topic_tags a
                   WHERE a.topic_id = NEW.topic_id AND a.status = 'active'
                     AND a.tag_id IS NOT NEW.tag_id)))
    ON CONFLICT (tag_id, day, bucket) DO UPDATE SET topics = topics + excluded.topics;
    INSERT INTO response_waits (day, tag_id, bucket, topics)
    SELECT t.created_at / 86400, tt.tag_id,
           COALESCE((SELECT bucket FROM wait_buckets WHERE lower_s <= t.wait_s
                     ORDER BY lower_s DESC LIMIT 1), -1),
           1
    FROM topic_tags tt JOIN topics t ON t.id = tt.topic_id
    WHERE t.hidden = 0 AND tt.topic_id = NEW.topic_id
      AND (tt.status = 'active'
           OR (tt.status = 'suggested' AND NOT EXISTS (
                   SELECT 1 FROM topic_tags a
                   WHERE a.topic_id = NEW.topic_id AND a.status = 'active')))
    ON CONFLICT (tag_id, day, bucket) DO UPDATE SET topics = topics + excluded.topics;
    INSERT INTO tag_pair_rollup (day, tag_a, tag_b, topics)
    SELECT t.created_at / 86400, x.tag_id, y.tag_id, -1
    FROM topic_tags x JOIN topic_tags y ON y.topic_id = x.topic_id AND y.tag_id > x.tag_id
    JOIN topics t ON t.id = x.topic_id
    WHERE t.hidden = 0 AND x.topic_id = NEW.topic_id
      AND x.status = 'active' AND y.status = 'active'
      AND x.tag_id IS NOT NEW.tag_id AND y.tag_id IS NOT NEW.tag_id
    ON CONFLICT (day, tag_a, tag_b) DO UPDATE SET topics = topics + excluded.topics;
    INSERT INTO tag_pair_rollup (day, tag_a, tag_b, topics)
    SELECT t.created_at / 86400, x.tag_id, y.tag_id, 1
    FROM topic_tags x JOIN topic_tags y ON y.topic_id = x.topic_id AND y.tag_id > x.tag_id
    JOIN topics t ON t.id = x.topic_id
    WHERE t.hidden = 0 AND x.topic_id = NEW.topic_id AND x.status = 'active' AND y.status = 'active'
    ON CONFLICT (day, tag_a, tag_b) DO UPDATE SET topics = topics + excluded.topics;
END;

-- Accept/reject (status) or any move of a tag row: the topic's contribution is taken out before
-- the change and put back after it (both topics, should a row ever move between topics).
CREATE TRIGGER response_rollup_tag_update_before
BEFORE UPDATE OF topic_id, tag_id, status ON topic_tags
WHEN (OLD.topic_id, OLD.tag_id, OLD.status) IS NOT (NEW.topic_id, NEW.tag_id, NEW.status)
BEGIN
    INSERT INTO response_waits (day, tag_id, bucket, topics)
    SELECT t.created_at / 86400, tt.tag_id,
           COALESCE((SELECT bucket FROM wait_buckets WHERE lower_s <= t.wait_s
                     ORDER BY lower_s DESC LIMIT 1), -1),
           -1
    FROM topic_tags tt JOIN topics t ON t.id = tt.topic_id
    WHERE t.hidden = 0 AND tt.topic_id = OLD.topic_id
      AND (tt.status = 'active'
           OR (tt.status = 'suggested' AND NOT EXISTS (
                   SELECT 1 FROM topic_tags a
                   WHERE a.topic_id = OLD.topic_id AND a.status = 'active')))
    ON CONFLICT (tag_id, day, bucket) DO UPDATE SET topics = topics + excluded.topics;
    INSERT INTO tag_pair_rollup (day, tag_a, tag_b, topics)
    SELECT t.created_at / 86400, x.tag_id, y.tag_id, -1
    FROM topic_tags x JOIN topic_tags y ON y.topic_id = x.topic_id AND y.tag_id > x.tag_id
    JOIN topics t ON t.id = x.topic_id
    WHERE t.hidden = 0 AND x.topic_id = OLD.topic_id AND x.status = 'active' AND y.status = 'active'
    ON CONFLICT (day, tag_a, tag_b) DO UPDATE SET topics = topics + excluded.topics;
    INSERT INTO response_waits (day, tag_id, bucket, topics)
    SELECT t.created_at / 86400, tt.tag_id,
           COALESCE((SELECT bucket FROM wait_buckets WHERE lower_s <= t.wait_s
                     ORDER BY lower_s DESC LIMIT 1), -1),
           -1
    FROM topic_tags tt JOIN topics t ON t.id = tt.topic_id
    WHERE NEW.topic_id <> OLD.topic_id AND t.hidden = 0 AND tt.topic_id = NEW.topic_id
      AND (tt.status = 'active'
           OR (tt.status = 'suggested' AND NOT EXISTS (
                   SELECT 1 FROM topic_tags a
                   WHERE a.topic_id = NEW.topic_id AND a.status = 'active')))
    ON CONFLICT (tag_id, day, bucket) DO UPDATE SET topics = topics + excluded.topics;
    INSERT INTO tag_pair_rollup (day, tag_a, tag_b, topics)
    SELECT t.created_at / 86400, x.tag_id, y.tag_id, -1
    FROM topic_tags x JOIN topic_tags y ON y.topic_id = x.topic_id AND y.tag_id > x.tag_id
    JOIN topics t ON t.id = x.topic_id
    WHERE NEW.topic_id <> OLD.topic_id AND t.hidden = 0 AND x.topic_id = NEW.topic_id
       AND x.status = 'active' AND y.status = 'active'
    ON CONFLICT (day, tag_a, tag_b) DO UPDATE SET topics = topics + excluded.topics;
END;

CREATE TRIGGER response_rollup_tag_update_after
AFTER UPDATE OF topic_id, tag_id, status ON topic_tags
WHEN (OLD.topic_id, OLD.tag_id, OLD.status) IS NOT (NEW.topic_id, NEW.tag_id, NEW.status)
BEGIN
    INSERT INTO response_waits (day, tag_id, bucket, topics)
    SELECT t.created_at / 86400, tt.tag_id,
           COALESCE((SELECT bucket FROM wait_buckets WHERE lower_s <= t.wait_s
                     ORDER BY lower_s DESC LIMIT 1), -1),
           1
    FROM topic_tags tt JOIN topics t ON t.id = tt.topic_id
    WHERE t.hidden = 0 AND tt.topic_id = OLD.topic_id
      AND (tt.status = 'active'
           OR (tt.status = 'suggested' AND NOT EXISTS (
                   SELECT 1 FROM topic_tags a
                   WHERE a.topic_id = OLD.topic_id AND a.status = 'active')))
    ON CONFLICT (tag_id, day, bucket) DO UPDATE SET topics = topics + excluded.topics;
    INSERT INTO tag_pair_rollup (day, tag_a, tag_b, topics)
    SELECT t.created_at / 86400, x.tag_id, y.tag_id, 1
    FROM topic_tags x JOIN topic_tags y ON y.topic_id = x.topic_id AND y.tag_id > x.tag_id
    JOIN topics t ON t.id = x.topic_id
    WHERE t.hidden = 0 AND x.topic_id = OLD.topic_id AND x.status = 'active' AND y.status = 'active'
    ON CONFLICT (day, tag_a, tag_b) DO UPDATE SET topics = topics + excluded.topics;
    INSERT INTO response_waits (day, tag_id, bucket, topics)
    SELECT t.created_at / 86400, tt.tag_id,
           COALESCE((SELECT bucket FROM wait_buckets WHERE lower_s <= t.wait_s
                     ORDER BY lower_s DESC LIMIT 1), -1),
           1
    FROM topic_tags tt JOIN topics t ON t.id = tt.topic_id
    WHERE NEW.topic_id <> OLD.topic_id AND t.hidden = 0 AND tt.topic_id = NEW.topic_id
      AND (tt.status = 'active'
           OR (tt.status = 'suggested' AND NOT EXISTS (
                   SELECT 1 FROM topic_tags a
                   WHERE a.topic_id = NEW.topic_id AND a.status = 'active')))
    ON CONFLICT (tag_id, day, bucket) DO UPDATE SET topics = topics + excluded.topics;
    INSERT INTO tag_pair_rollup (day, tag_a, tag_b, topics)
    SELECT t.created_at / 86400, x.tag_id, y.tag_id, 1
    FROM topic_tags x JOIN topic_tags y ON y.topic_id = x.topic_id AND y.tag_id > x.tag_id
    JOIN topics t ON t.id = x.topic_id
    WHERE NEW.topic_id <> OLD.topic_id AND t.hidden = 0 AND x.topic_id = NEW.topic_id
       AND x.status = 'active' AND y.status = 'active'
    ON CONFLICT (day, tag_a, tag_b) DO UPDATE SET topics = topics + excluded.topics;
END;

-- Removing a tag row (retagging, replacing suggestions): out before, back in after, without it.
CREATE TRIGGER response_rollup_tag_delete_before BEFORE DELETE ON topic_tags
WHEN OLD.status <> 'rejected'
BEGIN
    INSERT INTO response_waits (day, tag_id, bucket, topics)
    SELECT t.created_at / 86400, tt.tag_id,
           COALESCE((SELECT bucket FROM wait_buckets WHERE lower_s <= t.wait_s
                     ORDER BY lower_s DESC LIMIT 1), -1),
           -1
    FROM topic_tags tt JOIN topics t ON t.id = tt.topic_id
    WHERE t.hidden = 0 AND tt.topic_id = OLD.topic_id
      AND (tt.status = 'active'
           OR (tt.status = 'suggested' AND NOT EXISTS (
                   SELECT 1 FROM topic_tags a
                   WHERE a.topic_id = OLD.topic_id AND a.status = 'active')))
    ON CONFLICT (tag_id, day, bucket) DO UPDATE SET topics = topics + excluded.topics;
    INSERT INTO tag_pair_rollup (day, tag_a, tag_b, topics)
    SELECT t.created_at / 86400, x.tag_id, y.tag_id, -1
    FROM topic_tags x JOIN topic_tags y ON y.topic_id = x.topic_id AND y.tag_id > x.tag_id
    JOIN topics t ON t.id = x.topic_id
    WHERE t.hidden = 0 AND x.topic_id = OLD.topic_id AND x.status = 'active' AND y.status = 'active'
    ON CONFLICT (day, tag_a, tag_b) DO UPDATE SET topics = topics + excluded.topics;
END;

CREATE TRIGGER response_rollup_tag_delete_after AFTER DELETE ON topic_tags
WHEN OLD.status <> 'rejected'
BEGIN
    INSERT INTO response_waits (day, tag_id, bucket, topics)
    SELECT t.created_at / 86400, tt.tag_id,
           COALESCE((SELECT bucket FROM wait_buckets WHERE lower_s <= t.wait_s
                     ORDER BY lower_s DESC LIMIT 1), -1),
           1
    FROM topic_tags tt JOIN topics t ON t.id = tt.topic_id
    WHERE t.hidden = 0 AND tt.topic_id = OLD.topic_id
      AND (tt.status = 'active'
           OR (tt.status = 'suggested' AND NOT EXISTS (
                   SELECT 1 FROM topic_tags a
                   WHERE a.topic_id = OLD.topic_id AND a.status = 'active')))
    ON CONFLICT (tag_id, day, bucket) DO UPDATE SET topics = topics + excluded.topics;
    INSERT INTO tag_pair_rollup (day, tag_a, tag_b, topics)
    SELECT t.created_at / 86400, x.tag_id, y.tag_id, 1
    FROM topic_tags x JOIN topic_tags y ON y.topic_id = x.topic_id AND y.tag_id > x.tag_id
    JOIN topics t ON t.id = x.topic_id
    WHERE t.hidden = 0 AND x.topic_id = OLD.topic_id AND x.status = 'active' AND y.status = 'active'
    ON CONFLICT (day, tag_a, tag_b) DO UPDATE SET topics = topics + excluded.topics;
END;

