-- Roll-ups for the response-time and tag reports (issue 5). Reading every topic of a 90-day period
-- (and its tags) on each page view cost 200-250 ms on a 100k-topic community; these tables hold one
-- row per day (and per day and tag, and per day and pair of tags), so a 90-day page sums a few
-- tens of thousands of narrow rows in SQLite instead of shipping 100k topics to Rust.
--
-- Medians and p90s cannot be summed across days, so each row keeps a histogram of waits (time to
-- first response) in 58 fixed buckets: b0 = [0, 60 s), then four per octave from one minute
-- (b1 = [60, 71), b2 = [71, 85), ... lower edge round(60 * 2^((k-1)/4))), up to b57 = [11.4 days,
-- ∞). The reports interpolate inside the bucket (each bucket spans 19 %); `domain::report`
-- holds the same edges. Small periods are still computed exactly from the topics (see
-- forum::reports::response).
--
-- Kept by triggers, so every writer (forms, API, importer, generator, tests) is counted, and only
-- visible topics count (hide/unhide moves a topic out of/into every row). A topic counts under its
-- active tags, or under its model suggestions when it has no active tag, as the reports always did;
-- pairs are of active tags only. Triggers recompute one topic's whole contribution (subtract what
-- it counted before, add what it counts now), which keeps the suggested-stands-in rule right
-- whatever changes: a first active tag removes the suggestions' counts, the last one restores them.

-- The wait bucket of a topic (NULL while unanswered). Virtual: computed on read, stores nothing.
ALTER TABLE topics ADD COLUMN wait_bucket INTEGER GENERATED ALWAYS AS (
    CASE WHEN first_response_at IS NULL THEN NULL
        WHEN first_response_at - created_at < 60 THEN 0
        WHEN first_response_at - created_at < 71 THEN 1
        WHEN first_response_at - created_at < 85 THEN 2
        WHEN first_response_at - created_at < 101 THEN 3
        WHEN first_response_at - created_at < 120 THEN 4
        WHEN first_response_at - created_at < 143 THEN 5
        WHEN first_response_at - created_at < 170 THEN 6
        WHEN first_response_at - created_at < 202 THEN 7
        WHEN first_response_at - created_at < 240 THEN 8
        WHEN first_response_at - created_at < 285 THEN 9
        WHEN first_response_at - created_at < 339 THEN 10
        WHEN first_response_at - created_at < 404 THEN 11
        WHEN first_response_at - created_at < 480 THEN 12
        WHEN first_response_at - created_at < 571 THEN 13
        WHEN first_response_at - created_at < 679 THEN 14
        WHEN first_response_at - created_at < 807 THEN 15
        WHEN first_response_at - created_at < 960 THEN 16
        WHEN first_response_at - created_at < 1142 THEN 17
        WHEN first_response_at - created_at < 1358 THEN 18
        WHEN first_response_at - created_at < 1615 THEN 19
        WHEN first_response_at - created_at < 1920 THEN 20
        WHEN first_response_at - created_at < 2283 THEN 21
        WHEN first_response_at - created_at < 2715 THEN 22
        WHEN first_response_at - created_at < 3229 THEN 23
        WHEN first_response_at - created_at < 3840 THEN 24
        WHEN first_response_at - created_at < 4567 THEN 25
        WHEN first_response_at - created_at < 5431 THEN 26
        WHEN first_response_at - created_at < 6458 THEN 27
        WHEN first_response_at - created_at < 7680 THEN 28
        WHEN first_response_at - created_at < 9133 THEN 29
        WHEN first_response_at - created_at < 10861 THEN 30
        WHEN first_response_at - created_at < 12916 THEN 31
        WHEN first_response_at - created_at < 15360 THEN 32
        WHEN first_response_at - created_at < 18266 THEN 33
        WHEN first_response_at - created_at < 21722 THEN 34
        WHEN first_response_at - created_at < 25832 THEN 35
        WHEN first_response_at - created_at < 30720 THEN 36
        WHEN first_response_at - created_at < 36532 THEN 37
        WHEN first_response_at - created_at < 43445 THEN 38
        WHEN first_response_at - created_at < 51665 THEN 39
        WHEN first_response_at - created_at < 61440 THEN 40
        WHEN first_response_at - created_at < 73065 THEN 41
        WHEN first_response_at - created_at < 86889 THEN 42
        WHEN first_response_at - created_at < 103329 THEN 43
        WHEN first_response_at - created_at < 122880 THEN 44
        WHEN first_response_at - created_at < 146130 THEN 45
        WHEN first_response_at - created_at < 173779 THEN 46
        WHEN first_response_at - created_at < 206659 THEN 47
        WHEN first_response_at - created_at < 245760 THEN 48
        WHEN first_response_at - created_at < 292260 THEN 49
        WHEN first_response_at - created_at < 347557 THEN 50
        WHEN first_response_at - created_at < 413317 THEN 51
        WHEN first_response_at - created_at < 491520 THEN 52
        WHEN first_response_at - created_at < 584519 THEN 53
        WHEN first_response_at - created_at < 695114 THEN 54
        WHEN first_response_at - created_at < 826635 THEN 55
        WHEN first_response_at - created_at < 983040 THEN 56
        ELSE 57 END) VIRTUAL;

-- Per day of creation (UTC) and tag: visible topics, answered ones, answered ones per wait bucket.
-- tag_id 0 is the whole forum (every visible topic, tagged or not) for the overall figures.
-- Rows are never deleted: a row whose topics left it keeps zeros.
CREATE TABLE response_rollup (
    day      INTEGER NOT NULL,
    tag_id   INTEGER NOT NULL,
    topics   INTEGER NOT NULL DEFAULT 0,
    answered INTEGER NOT NULL DEFAULT 0,
    b0 INTEGER NOT NULL DEFAULT 0, b1 INTEGER NOT NULL DEFAULT 0, b2 INTEGER NOT NULL DEFAULT 0,
    b3 INTEGER NOT NULL DEFAULT 0, b4 INTEGER NOT NULL DEFAULT 0, b5 INTEGER NOT NULL DEFAULT 0,
    b6 INTEGER NOT NULL DEFAULT 0, b7 INTEGER NOT NULL DEFAULT 0, b8 INTEGER NOT NULL DEFAULT 0,
    b9 INTEGER NOT NULL DEFAULT 0, b10 INTEGER NOT NULL DEFAULT 0, b11 INTEGER NOT NULL DEFAULT 0,
    b12 INTEGER NOT NULL DEFAULT 0, b13 INTEGER NOT NULL DEFAULT 0, b14 INTEGER NOT NULL DEFAULT 0,
    b15 INTEGER NOT NULL DEFAULT 0, b16 INTEGER NOT NULL DEFAULT 0, b17 INTEGER NOT NULL DEFAULT 0,
    b18 INTEGER NOT NULL DEFAULT 0, b19 INTEGER NOT NULL DEFAULT 0, b20 INTEGER NOT NULL DEFAULT 0,
    b21 INTEGER NOT NULL DEFAULT 0, b22 INTEGER NOT NULL DEFAULT 0, b23 INTEGER NOT NULL DEFAULT 0,
    b24 INTEGER NOT NULL DEFAULT 0, b25 INTEGER NOT NULL DEFAULT 0, b26 INTEGER NOT NULL DEFAULT 0,
    b27 INTEGER NOT NULL DEFAULT 0, b28 INTEGER NOT NULL DEFAULT 0, b29 INTEGER NOT NULL DEFAULT 0,
    b30 INTEGER NOT NULL DEFAULT 0, b31 INTEGER NOT NULL DEFAULT 0, b32 INTEGER NOT NULL DEFAULT 0,
    b33 INTEGER NOT NULL DEFAULT 0, b34 INTEGER NOT NULL DEFAULT 0, b35 INTEGER NOT NULL DEFAULT 0,
    b36 INTEGER NOT NULL DEFAULT 0, b37 INTEGER NOT NULL DEFAULT 0, b38 INTEGER NOT NULL DEFAULT 0,
    b39 INTEGER NOT NULL DEFAULT 0, b40 INTEGER NOT NULL DEFAULT 0, b41 INTEGER NOT NULL DEFAULT 0,
    b42 INTEGER NOT NULL DEFAULT 0, b43 INTEGER NOT NULL DEFAULT 0, b44 INTEGER NOT NULL DEFAULT 0,
    b45 INTEGER NOT NULL DEFAULT 0, b46 INTEGER NOT NULL DEFAULT 0, b47 INTEGER NOT NULL DEFAULT 0,
    b48 INTEGER NOT NULL DEFAULT 0, b49 INTEGER NOT NULL DEFAULT 0, b50 INTEGER NOT NULL DEFAULT 0,
    b51 INTEGER NOT NULL DEFAULT 0, b52 INTEGER NOT NULL DEFAULT 0, b53 INTEGER NOT NULL DEFAULT 0,
    b54 INTEGER NOT NULL DEFAULT 0, b55 INTEGER NOT NULL DEFAULT 0, b56 INTEGER NOT NULL DEFAULT 0,
    b57 INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, tag_id)
) WITHOUT ROWID;

-- Per day of creation and pair of active tags (tag_a < tag_b): visible topics carrying both.
CREATE TABLE tag_pair_rollup (
    day    INTEGER NOT NULL,
    tag_a  INTEGER NOT NULL,
    tag_b  INTEGER NOT NULL,
    topics INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, tag_a, tag_b)
) WITHOUT ROWID;

-- A new topic has no tags yet (topic_tags rows reference it), so only the whole-forum row moves.
CREATE TRIGGER response_rollup_topic_insert AFTER INSERT ON topics BEGIN
    INSERT INTO response_rollup (day, tag_id, topics, answered,
                                 b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14,
                                 b15, b16, b17, b18, b19, b20, b21, b22, b23, b24, b25, b26, b27,
                                 b28, b29, b30, b31, b32, b33, b34, b35, b36, b37, b38, b39, b40,
                                 b41, b42, b43, b44, b45, b46, b47, b48, b49, b50, b51, b52, b53,
                                 b54, b55, b56, b57)
    SELECT NEW.created_at / 86400, 0, 1, 1 * (NEW.first_response_at IS NOT NULL),
           1 * (NEW.wait_bucket IS 0), 1 * (NEW.wait_bucket IS 1), 1 * (NEW.wait_bucket IS 2),
           1 * (NEW.wait_bucket IS 3), 1 * (NEW.wait_bucket IS 4), 1 * (NEW.wait_bucket IS 5),
           1 * (NEW.wait_bucket IS 6), 1 * (NEW.wait_bucket IS 7), 1 * (NEW.wait_bucket IS 8),
           1 * (NEW.wait_bucket IS 9), 1 * (NEW.wait_bucket IS 10), 1 * (NEW.wait_bucket IS 11),
           1 * (NEW.wait_bucket IS 12), 1 * (NEW.wait_bucket IS 13), 1 * (NEW.wait_bucket IS 14),
           1 * (NEW.wait_bucket IS 15), 1 * (NEW.wait_bucket IS 16), 1 * (NEW.wait_bucket IS 17),
           1 * (NEW.wait_bucket IS 18), 1 * (NEW.wait_bucket IS 19), 1 * (NEW.wait_bucket IS 20),
           1 * (NEW.wait_bucket IS 21), 1 * (NEW.wait_bucket IS 22), 1 * (NEW.wait_bucket IS 23),
           1 * (NEW.wait_bucket IS 24), 1 * (NEW.wait_bucket IS 25), 1 * (NEW.wait_bucket IS 26),
           1 * (NEW.wait_bucket IS 27), 1 * (NEW.wait_bucket IS 28), 1 * (NEW.wait_bucket IS 29),
           1 * (NEW.wait_bucket IS 30), 1 * (NEW.wait_bucket IS 31), 1 * (NEW.wait_bucket IS 32),
           1 * (NEW.wait_bucket IS 33), 1 * (NEW.wait_bucket IS 34), 1 * (NEW.wait_bucket IS 35),
           1 * (NEW.wait_bucket IS 36), 1 * (NEW.wait_bucket IS 37), 1 * (NEW.wait_bucket IS 38),
           1 * (NEW.wait_bucket IS 39), 1 * (NEW.wait_bucket IS 40), 1 * (NEW.wait_bucket IS 41),
           1 * (NEW.wait_bucket IS 42), 1 * (NEW.wait_bucket IS 43), 1 * (NEW.wait_bucket IS 44),
           1 * (NEW.wait_bucket IS 45), 1 * (NEW.wait_bucket IS 46), 1 * (NEW.wait_bucket IS 47),
           1 * (NEW.wait_bucket IS 48), 1 * (NEW.wait_bucket IS 49), 1 * (NEW.wait_bucket IS 50),
           1 * (NEW.wait_bucket IS 51), 1 * (NEW.wait_bucket IS 52), 1 * (NEW.wait_bucket IS 53),
           1 * (NEW.wait_bucket IS 54), 1 * (NEW.wait_bucket IS 55), 1 * (NEW.wait_bucket IS 56),
           1 * (NEW.wait_bucket IS 57)
    WHERE NEW.hidden = 0
    ON CONFLICT (day, tag_id) DO UPDATE SET
        topics = topics + excluded.topics, answered = answered + excluded.answered,
        b0 = b0 + excluded.b0, b1 = b1 + excluded.b1, b2 = b2 + excluded.b2, b3 = b3 + excluded.b3,
        b4 = b4 + excluded.b4, b5 = b5 + excluded.b5, b6 = b6 + excluded.b6, b7 = b7 + excluded.b7,
        b8 = b8 + excluded.b8, b9 = b9 + excluded.b9, b10 = b10 + excluded.b10,
        b11 = b11 + excluded.b11, b12 = b12 + excluded.b12, b13 = b13 + excluded.b13,
        b14 = b14 + excluded.b14, b15 = b15 + excluded.b15, b16 = b16 + excluded.b16,
        b17 = b17 + excluded.b17, b18 = b18 + excluded.b18, b19 = b19 + excluded.b19,
        b20 = b20 + excluded.b20, b21 = b21 + excluded.b21, b22 = b22 + excluded.b22,
        b23 = b23 + excluded.b23, b24 = b24 + excluded.b24, b25 = b25 + excluded.b25,
        b26 = b26 + excluded.b26, b27 = b27 + excluded.b27, b28 = b28 + excluded.b28,
        b29 = b29 + excluded.b29, b30 = b30 + excluded.b30, b31 = b31 + excluded.b31,
        b32 = b32 + excluded.b32, b33 = b33 + excluded.b33, b34 = b34 + excluded.b34,
        b35 = b35 + excluded.b35, b36 = b36 + excluded.b36, b37 = b37 + excluded.b37,
        b38 = b38 + excluded.b38, b39 = b39 + excluded.b39, b40 = b40 + excluded.b40,
        b41 = b41 + excluded.b41, b42 = b42 + excluded.b42, b43 = b43 + excluded.b43,
        b44 = b44 + excluded.b44, b45 = b45 + excluded.b45, b46 = b46 + excluded.b46,
        b47 = b47 + excluded.b47, b48 = b48 + excluded.b48, b49 = b49 + excluded.b49,
        b50 = b50 + excluded.b50, b51 = b51 + excluded.b51, b52 = b52 + excluded.b52,
        b53 = b53 + excluded.b53, b54 = b54 + excluded.b54, b55 = b55 + excluded.b55,
        b56 = b56 + excluded.b56, b57 = b57 + excluded.b57;
END;

-- Hide/unhide, the first reply (first_response_at) or a re-dated import moves the topic: out of its
-- old rows with the old values, into the new ones. Its tags do not change in this statement.
CREATE TRIGGER response_rollup_topic_update
AFTER UPDATE OF created_at, hidden, first_response_at ON topics
WHEN (OLD.created_at, OLD.hidden, OLD.first_response_at)
     IS NOT (NEW.created_at, NEW.hidden, NEW.first_response_at)
BEGIN
    INSERT INTO response_rollup (day, tag_id, topics, answered,
                                 b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14,
                                 b15, b16, b17, b18, b19, b20, b21, b22, b23, b24, b25, b26, b27,
                                 b28, b29, b30, b31, b32, b33, b34, b35, b36, b37, b38, b39, b40,
                                 b41, b42, b43, b44, b45, b46, b47, b48, b49, b50, b51, b52, b53,
                                 b54, b55, b56, b57)
    SELECT OLD.created_at / 86400, 0, -1, -1 * (OLD.first_response_at IS NOT NULL),
           -1 * (OLD.wait_bucket IS 0), -1 * (OLD.wait_bucket IS 1), -1 * (OLD.wait_bucket IS 2),
           -1 * (OLD.wait_bucket IS 3), -1 * (OLD.wait_bucket IS 4), -1 * (OLD.wait_bucket IS 5),
           -1 * (OLD.wait_bucket IS 6), -1 * (OLD.wait_bucket IS 7), -1 * (OLD.wait_bucket IS 8),
           -1 * (OLD.wait_bucket IS 9), -1 * (OLD.wait_bucket IS 10), -1 * (OLD.wait_bucket IS 11),
           -1 * (OLD.wait_bucket IS 12), -1 * (OLD.wait_bucket IS 13), -1 * (OLD.wait_bucket IS 14),
           -1 * (OLD.wait_bucket IS 15), -1 * (OLD.wait_bucket IS 16), -1 * (OLD.wait_bucket IS 17),
           -1 * (OLD.wait_bucket IS 18), -1 * (OLD.wait_bucket IS 19), -1 * (OLD.wait_bucket IS 20),
           -1 * (OLD.wait_bucket IS 21), -1 * (OLD.wait_bucket IS 22), -1 * (OLD.wait_bucket IS 23),
           -1 * (OLD.wait_bucket IS 24), -1 * (OLD.wait_bucket IS 25), -1 * (OLD.wait_bucket IS 26),
           -1 * (OLD.wait_bucket IS 27), -1 * (OLD.wait_bucket IS 28), -1 * (OLD.wait_bucket IS 29),
           -1 * (OLD.wait_bucket IS 30), -1 * (OLD.wait_bucket IS 31), -1 * (OLD.wait_bucket IS 32),
           -1 * (OLD.wait_bucket IS 33), -1 * (OLD.wait_bucket IS 34), -1 * (OLD.wait_bucket IS 35),
           -1 * (OLD.wait_bucket IS 36), -1 * (OLD.wait_bucket IS 37), -1 * (OLD.wait_bucket IS 38),
           -1 * (OLD.wait_bucket IS 39), -1 * (OLD.wait_bucket IS 40), -1 * (OLD.wait_bucket IS 41),
           -1 * (OLD.wait_bucket IS 42), -1 * (OLD.wait_bucket IS 43), -1 * (OLD.wait_bucket IS 44),
           -1 * (OLD.wait_bucket IS 45), -1 * (OLD.wait_bucket IS 46), -1 * (OLD.wait_bucket IS 47),
           -1 * (OLD.wait_bucket IS 48), -1 * (OLD.wait_bucket IS 49), -1 * (OLD.wait_bucket IS 50),
           -1 * (OLD.wait_bucket IS 51), -1 * (OLD.wait_bucket IS 52), -1 * (OLD.wait_bucket IS 53),
           -1 * (OLD.wait_bucket IS 54), -1 * (OLD.wait_bucket IS 55), -1 * (OLD.wait_bucket IS 56),
           -1 * (OLD.wait_bucket IS 57)
    WHERE OLD.hidden = 0
    ON CONFLICT (day, tag_id) DO UPDATE SET
        topics = topics + excluded.topics, answered = answered + excluded.answered,
        b0 = b0 + excluded.b0, b1 = b1 + excluded.b1, b2 = b2 + excluded.b2, b3 = b3 + excluded.b3,
        b4 = b4 + excluded.b4, b5 = b5 + excluded.b5, b6 = b6 + excluded.b6, b7 = b7 + excluded.b7,
        b8 = b8 + excluded.b8, b9 = b9 + excluded.b9, b10 = b10 + excluded.b10,
        b11 = b11 + excluded.b11, b12 = b12 + excluded.b12, b13 = b13 + excluded.b13,
        b14 = b14 + excluded.b14, b15 = b15 + excluded.b15, b16 = b16 + excluded.b16,
        b17 = b17 + excluded.b17, b18 = b18 + excluded.b18, b19 = b19 + excluded.b19,
        b20 = b20 + excluded.b20, b21 = b21 + excluded.b21, b22 = b22 + excluded.b22,
        b23 = b23 + excluded.b23, b24 = b24 + excluded.b24, b25 = b25 + excluded.b25,
        b26 = b26 + excluded.b26, b27 = b27 + excluded.b27, b28 = b28 + excluded.b28,
        b29 = b29 + excluded.b29, b30 = b30 + excluded.b30, b31 = b31 + excluded.b31,
        b32 = b32 + excluded.b32, b33 = b33 + excluded.b33, b34 = b34 + excluded.b34,
        b35 = b35 + excluded.b35, b36 = b36 + excluded.b36, b37 = b37 + excluded.b37,
        b38 = b38 + excluded.b38, b39 = b39 + excluded.b39, b40 = b40 + excluded.b40,
        b41 = b41 + excluded.b41, b42 = b42 + excluded.b42, b43 = b43 + excluded.b43,
        b44 = b44 + excluded.b44, b45 = b45 + excluded.b45, b46 = b46 + excluded.b46,
        b47 = b47 + excluded.b47, b48 = b48 + excluded.b48, b49 = b49 + excluded.b49,
        b50 = b50 + excluded.b50, b51 = b51 + excluded.b51, b52 = b52 + excluded.b52,
        b53 = b53 + excluded.b53, b54 = b54 + excluded.b54, b55 = b55 + excluded.b55,
        b56 = b56 + excluded.b56, b57 = b57 + excluded.b57;
    INSERT INTO response_rollup (day, tag_id, topics, answered,
                                 b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14,
                                 b15, b16, b17, b18, b19, b20, b21, b22, b23, b24, b25, b26, b27,
                                 b28, b29, b30, b31, b32, b33, b34, b35, b36, b37, b38, b39, b40,
                                 b41, b42, b43, b44, b45, b46, b47, b48, b49, b50, b51, b52, b53,
                                 b54, b55, b56, b57)
    SELECT NEW.created_at / 86400, 0, 1, 1 * (NEW.first_response_at IS NOT NULL),
           1 * (NEW.wait_bucket IS 0), 1 * (NEW.wait_bucket IS 1), 1 * (NEW.wait_bucket IS 2),
           1 * (NEW.wait_bucket IS 3), 1 * (NEW.wait_bucket IS 4), 1 * (NEW.wait_bucket IS 5),
           1 * (NEW.wait_bucket IS 6), 1 * (NEW.wait_bucket IS 7), 1 * (NEW.wait_bucket IS 8),
           1 * (NEW.wait_bucket IS 9), 1 * (NEW.wait_bucket IS 10), 1 * (NEW.wait_bucket IS 11),
           1 * (NEW.wait_bucket IS 12), 1 * (NEW.wait_bucket IS 13), 1 * (NEW.wait_bucket IS 14),
           1 * (NEW.wait_bucket IS 15), 1 * (NEW.wait_bucket IS 16), 1 * (NEW.wait_bucket IS 17),
           1 * (NEW.wait_bucket IS 18), 1 * (NEW.wait_bucket IS 19), 1 * (NEW.wait_bucket IS 20),
           1 * (NEW.wait_bucket IS 21), 1 * (NEW.wait_bucket IS 22), 1 * (NEW.wait_bucket IS 23),
           1 * (NEW.wait_bucket IS 24), 1 * (NEW.wait_bucket IS 25), 1 * (NEW.wait_bucket IS 26),
           1 * (NEW.wait_bucket IS 27), 1 * (NEW.wait_bucket IS 28), 1 * (NEW.wait_bucket IS 29),
           1 * (NEW.wait_bucket IS 30), 1 * (NEW.wait_bucket IS 31), 1 * (NEW.wait_bucket IS 32),
           1 * (NEW.wait_bucket IS 33), 1 * (NEW.wait_bucket IS 34), 1 * (NEW.wait_bucket IS 35),
           1 * (NEW.wait_bucket IS 36), 1 * (NEW.wait_bucket IS 37), 1 * (NEW.wait_bucket IS 38),
           1 * (NEW.wait_bucket IS 39), 1 * (NEW.wait_bucket IS 40), 1 * (NEW.wait_bucket IS 41),
           1 * (NEW.wait_bucket IS 42), 1 * (NEW.wait_bucket IS 43), 1 * (NEW.wait_bucket IS 44),
           1 * (NEW.wait_bucket IS 45), 1 * (NEW.wait_bucket IS 46), 1 * (NEW.wait_bucket IS 47),
           1 * (NEW.wait_bucket IS 48), 1 * (NEW.wait_bucket IS 49), 1 * (NEW.wait_bucket IS 50),
           1 * (NEW.wait_bucket IS 51), 1 * (NEW.wait_bucket IS 52), 1 * (NEW.wait_bucket IS 53),
           1 * (NEW.wait_bucket IS 54), 1 * (NEW.wait_bucket IS 55), 1 * (NEW.wait_bucket IS 56),
           1 * (NEW.wait_bucket IS 57)
    WHERE NEW.hidden = 0
    ON CONFLICT (day, tag_id) DO UPDATE SET
        topics = topics + excluded.topics, answered = answered + excluded.answered,
        b0 = b0 + excluded.b0, b1 = b1 + excluded.b1, b2 = b2 + excluded.b2, b3 = b3 + excluded.b3,
        b4 = b4 + excluded.b4, b5 = b5 + excluded.b5, b6 = b6 + excluded.b6, b7 = b7 + excluded.b7,
        b8 = b8 + excluded.b8, b9 = b9 + excluded.b9, b10 = b10 + excluded.b10,
        b11 = b11 + excluded.b11, b12 = b12 + excluded.b12, b13 = b13 + excluded.b13,
        b14 = b14 + excluded.b14, b15 = b15 + excluded.b15, b16 = b16 + excluded.b16,
        b17 = b17 + excluded.b17, b18 = b18 + excluded.b18, b19 = b19 + excluded.b19,
        b20 = b20 + excluded.b20, b21 = b21 + excluded.b21, b22 = b22 + excluded.b22,
        b23 = b23 + excluded.b23, b24 = b24 + excluded.b24, b25 = b25 + excluded.b25,
        b26 = b26 + excluded.b26, b27 = b27 + excluded.b27, b28 = b28 + excluded.b28,
        b29 = b29 + excluded.b29, b30 = b30 + excluded.b30, b31 = b31 + excluded.b31,
        b32 = b32 + excluded.b32, b33 = b33 + excluded.b33, b34 = b34 + excluded.b34,
        b35 = b35 + excluded.b35, b36 = b36 + excluded.b36, b37 = b37 + excluded.b37,
        b38 = b38 + excluded.b38, b39 = b39 + excluded.b39, b40 = b40 + excluded.b40,
        b41 = b41 + excluded.b41, b42 = b42 + excluded.b42, b43 = b43 + excluded.b43,
        b44 = b44 + excluded.b44, b45 = b45 + excluded.b45, b46 = b46 + excluded.b46,
        b47 = b47 + excluded.b47, b48 = b48 + excluded.b48, b49 = b49 + excluded.b49,
        b50 = b50 + excluded.b50, b51 = b51 + excluded.b51, b52 = b52 + excluded.b52,
        b53 = b53 + excluded.b53, b54 = b54 + excluded.b54, b55 = b55 + excluded.b55,
        b56 = b56 + excluded.b56, b57 = b57 + excluded.b57;
    INSERT INTO response_rollup (day, tag_id, topics, answered,
                                 b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14,
                                 b15, b16, b17, b18, b19, b20, b21, b22, b23, b24, b25, b26, b27,
                                 b28, b29, b30, b31, b32, b33, b34, b35, b36, b37, b38, b39, b40,
                                 b41, b42, b43, b44, b45, b46, b47, b48, b49, b50, b51, b52, b53,
                                 b54, b55, b56, b57)
    SELECT OLD.created_at / 86400, tt.tag_id, -1, -1 * (OLD.first_response_at IS NOT NULL),
           -1 * (OLD.wait_bucket IS 0), -1 * (OLD.wait_bucket IS 1), -1 * (OLD.wait_bucket IS 2),
           -1 * (OLD.wait_bucket IS 3), -1 * (OLD.wait_bucket IS 4), -1 * (OLD.wait_bucket IS 5),
           -1 * (OLD.wait_bucket IS 6), -1 * (OLD.wait_bucket IS 7), -1 * (OLD.wait_bucket IS 8),
           -1 * (OLD.wait_bucket IS 9), -1 * (OLD.wait_bucket IS 10), -1 * (OLD.wait_bucket IS 11),
           -1 * (OLD.wait_bucket IS 12), -1 * (OLD.wait_bucket IS 13), -1 * (OLD.wait_bucket IS 14),
           -1 * (OLD.wait_bucket IS 15), -1 * (OLD.wait_bucket IS 16), -1 * (OLD.wait_bucket IS 17),
           -1 * (OLD.wait_bucket IS 18), -1 * (OLD.wait_bucket IS 19), -1 * (OLD.wait_bucket IS 20),
           -1 * (OLD.wait_bucket IS 21), -1 * (OLD.wait_bucket IS 22), -1 * (OLD.wait_bucket IS 23),
           -1 * (OLD.wait_bucket IS 24), -1 * (OLD.wait_bucket IS 25), -1 * (OLD.wait_bucket IS 26),
           -1 * (OLD.wait_bucket IS 27), -1 * (OLD.wait_bucket IS 28), -1 * (OLD.wait_bucket IS 29),
           -1 * (OLD.wait_bucket IS 30), -1 * (OLD.wait_bucket IS 31), -1 * (OLD.wait_bucket IS 32),
           -1 * (OLD.wait_bucket IS 33), -1 * (OLD.wait_bucket IS 34), -1 * (OLD.wait_bucket IS 35),
           -1 * (OLD.wait_bucket IS 36), -1 * (OLD.wait_bucket IS 37), -1 * (OLD.wait_bucket IS 38),
           -1 * (OLD.wait_bucket IS 39), -1 * (OLD.wait_bucket IS 40), -1 * (OLD.wait_bucket IS 41),
           -1 * (OLD.wait_bucket IS 42), -1 * (OLD.wait_bucket IS 43), -1 * (OLD.wait_bucket IS 44),
           -1 * (OLD.wait_bucket IS 45), -1 * (OLD.wait_bucket IS 46), -1 * (OLD.wait_bucket IS 47),
           -1 * (OLD.wait_bucket IS 48), -1 * (OLD.wait_bucket IS 49), -1 * (OLD.wait_bucket IS 50),
           -1 * (OLD.wait_bucket IS 51), -1 * (OLD.wait_bucket IS 52), -1 * (OLD.wait_bucket IS 53),
           -1 * (OLD.wait_bucket IS 54), -1 * (OLD.wait_bucket IS 55), -1 * (OLD.wait_bucket IS 56),
           -1 * (OLD.wait_bucket IS 57)
    FROM topic_tags tt
    WHERE OLD.hidden = 0 AND tt.topic_id = OLD.id
      AND (tt.status = 'active'
           OR (tt.status = 'suggested' AND NOT EXISTS (
                   SELECT 1 FROM topic_tags a
                   WHERE a.topic_id = OLD.id AND a.status = 'active')))
    ON CONFLICT (day, tag_id) DO UPDATE SET
        topics = topics + excluded.topics, answered = answered + excluded.answered,
        b0 = b0 + excluded.b0, b1 = b1 + excluded.b1, b2 = b2 + excluded.b2, b3 = b3 + excluded.b3,
        b4 = b4 + excluded.b4, b5 = b5 + excluded.b5, b6 = b6 + excluded.b6, b7 = b7 + excluded.b7,
        b8 = b8 + excluded.b8, b9 = b9 + excluded.b9, b10 = b10 + excluded.b10,
        b11 = b11 + excluded.b11, b12 = b12 + excluded.b12, b13 = b13 + excluded.b13,
        b14 = b14 + excluded.b14, b15 = b15 + excluded.b15, b16 = b16 + excluded.b16,
        b17 = b17 + excluded.b17, b18 = b18 + excluded.b18, b19 = b19 + excluded.b19,
        b20 = b20 + excluded.b20, b21 = b21 + excluded.b21, b22 = b22 + excluded.b22,
        b23 = b23 + excluded.b23, b24 = b24 + excluded.b24, b25 = b25 + excluded.b25,
        b26 = b26 + excluded.b26, b27 = b27 + excluded.b27, b28 = b28 + excluded.b28,
        b29 = b29 + excluded.b29, b30 = b30 + excluded.b30, b31 = b31 + excluded.b31,
        b32 = b32 + excluded.b32, b33 = b33 + excluded.b33, b34 = b34 + excluded.b34,
        b35 = b35 + excluded.b35, b36 = b36 + excluded.b36, b37 = b37 + excluded.b37,
        b38 = b38 + excluded.b38, b39 = b39 + excluded.b39, b40 = b40 + excluded.b40,
        b41 = b41 + excluded.b41, b42 = b42 + excluded.b42, b43 = b43 + excluded.b43,
        b44 = b44 + excluded.b44, b45 = b45 + excluded.b45, b46 = b46 + excluded.b46,
        b47 = b47 + excluded.b47, b48 = b48 + excluded.b48, b49 = b49 + excluded.b49,
        b50 = b50 + excluded.b50, b51 = b51 + excluded.b51, b52 = b52 + excluded.b52,
        b53 = b53 + excluded.b53, b54 = b54 + excluded.b54, b55 = b55 + excluded.b55,
        b56 = b56 + excluded.b56, b57 = b57 + excluded.b57;
    INSERT INTO response_rollup (day, tag_id, topics, answered,
                                 b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14,
                                 b15, b16, b17, b18, b19, b20, b21, b22, b23, b24, b25, b26, b27,
                                 b28, b29, b30, b31, b32, b33, b34, b35, b36, b37, b38, b39, b40,
                                 b41, b42, b43, b44, b45, b46, b47, b48, b49, b50, b51, b52, b53,
                                 b54, b55, b56, b57)
    SELECT NEW.created_at / 86400, tt.tag_id, 1, 1 * (NEW.first_response_at IS NOT NULL),
           1 * (NEW.wait_bucket IS 0), 1 * (NEW.wait_bucket IS 1), 1 * (NEW.wait_bucket IS 2),
           1 * (NEW.wait_bucket IS 3), 1 * (NEW.wait_bucket IS 4), 1 * (NEW.wait_bucket IS 5),
           1 * (NEW.wait_bucket IS 6), 1 * (NEW.wait_bucket IS 7), 1 * (NEW.wait_bucket IS 8),
           1 * (NEW.wait_bucket IS 9), 1 * (NEW.wait_bucket IS 10), 1 * (NEW.wait_bucket IS 11),
           1 * (NEW.wait_bucket IS 12), 1 * (NEW.wait_bucket IS 13), 1 * (NEW.wait_bucket IS 14),
           1 * (NEW.wait_bucket IS 15), 1 * (NEW.wait_bucket IS 16), 1 * (NEW.wait_bucket IS 17),
           1 * (NEW.wait_bucket IS 18), 1 * (NEW.wait_bucket IS 19), 1 * (NEW.wait_bucket IS 20),
           1 * (NEW.wait_bucket IS 21), 1 * (NEW.wait_bucket IS 22), 1 * (NEW.wait_bucket IS 23),
           1 * (NEW.wait_bucket IS 24), 1 * (NEW.wait_bucket IS 25), 1 * (NEW.wait_bucket IS 26),
           1 * (NEW.wait_bucket IS 27), 1 * (NEW.wait_bucket IS 28), 1 * (NEW.wait_bucket IS 29),
           1 * (NEW.wait_bucket IS 30), 1 * (NEW.wait_bucket IS 31), 1 * (NEW.wait_bucket IS 32),
           1 * (NEW.wait_bucket IS 33), 1 * (NEW.wait_bucket IS 34), 1 * (NEW.wait_bucket IS 35),
           1 * (NEW.wait_bucket IS 36), 1 * (NEW.wait_bucket IS 37), 1 * (NEW.wait_bucket IS 38),
           1 * (NEW.wait_bucket IS 39), 1 * (NEW.wait_bucket IS 40), 1 * (NEW.wait_bucket IS 41),
           1 * (NEW.wait_bucket IS 42), 1 * (NEW.wait_bucket IS 43), 1 * (NEW.wait_bucket IS 44),
           1 * (NEW.wait_bucket IS 45), 1 * (NEW.wait_bucket IS 46), 1 * (NEW.wait_bucket IS 47),
           1 * (NEW.wait_bucket IS 48), 1 * (NEW.wait_bucket IS 49), 1 * (NEW.wait_bucket IS 50),
           1 * (NEW.wait_bucket IS 51), 1 * (NEW.wait_bucket IS 52), 1 * (NEW.wait_bucket IS 53),
           1 * (NEW.wait_bucket IS 54), 1 * (NEW.wait_bucket IS 55), 1 * (NEW.wait_bucket IS 56),
           1 * (NEW.wait_bucket IS 57)
    FROM topic_tags tt
    WHERE NEW.hidden = 0 AND tt.topic_id = NEW.id
      AND (tt.status = 'active'
           OR (tt.status = 'suggested' AND NOT EXISTS (
                   SELECT 1 FROM topic_tags a
                   WHERE a.topic_id = NEW.id AND a.status = 'active')))
    ON CONFLICT (day, tag_id) DO UPDATE SET
        topics = topics + excluded.topics, answered = answered + excluded.answered,
        b0 = b0 + excluded.b0, b1 = b1 + excluded.b1, b2 = b2 + excluded.b2, b3 = b3 + excluded.b3,
        b4 = b4 + excluded.b4, b5 = b5 + excluded.b5, b6 = b6 + excluded.b6, b7 = b7 + excluded.b7,
        b8 = b8 + excluded.b8, b9 = b9 + excluded.b9, b10 = b10 + excluded.b10,
        b11 = b11 + excluded.b11, b12 = b12 + excluded.b12, b13 = b13 + excluded.b13,
        b14 = b14 + excluded.b14, b15 = b15 + excluded.b15, b16 = b16 + excluded.b16,
        b17 = b17 + excluded.b17, b18 = b18 + excluded.b18, b19 = b19 + excluded.b19,
        b20 = b20 + excluded.b20, b21 = b21 + excluded.b21, b22 = b22 + excluded.b22,
        b23 = b23 + excluded.b23, b24 = b24 + excluded.b24, b25 = b25 + excluded.b25,
        b26 = b26 + excluded.b26, b27 = b27 + excluded.b27, b28 = b28 + excluded.b28,
        b29 = b29 + excluded.b29, b30 = b30 + excluded.b30, b31 = b31 + excluded.b31,
        b32 = b32 + excluded.b32, b33 = b33 + excluded.b33, b34 = b34 + excluded.b34,
        b35 = b35 + excluded.b35, b36 = b36 + excluded.b36, b37 = b37 + excluded.b37,
        b38 = b38 + excluded.b38, b39 = b39 + excluded.b39, b40 = b40 + excluded.b40,
        b41 = b41 + excluded.b41, b42 = b42 + excluded.b42, b43 = b43 + excluded.b43,
        b44 = b44 + excluded.b44, b45 = b45 + excluded.b45, b46 = b46 + excluded.b46,
        b47 = b47 + excluded.b47, b48 = b48 + excluded.b48, b49 = b49 + excluded.b49,
        b50 = b50 + excluded.b50, b51 = b51 + excluded.b51, b52 = b52 + excluded.b52,
        b53 = b53 + excluded.b53, b54 = b54 + excluded.b54, b55 = b55 + excluded.b55,
        b56 = b56 + excluded.b56, b57 = b57 + excluded.b57;
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
    INSERT INTO response_rollup (day, tag_id, topics, answered,
                                 b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14,
                                 b15, b16, b17, b18, b19, b20, b21, b22, b23, b24, b25, b26, b27,
                                 b28, b29, b30, b31, b32, b33, b34, b35, b36, b37, b38, b39, b40,
                                 b41, b42, b43, b44, b45, b46, b47, b48, b49, b50, b51, b52, b53,
                                 b54, b55, b56, b57)
    SELECT OLD.created_at / 86400, 0, -1, -1 * (OLD.first_response_at IS NOT NULL),
           -1 * (OLD.wait_bucket IS 0), -1 * (OLD.wait_bucket IS 1), -1 * (OLD.wait_bucket IS 2),
           -1 * (OLD.wait_bucket IS 3), -1 * (OLD.wait_bucket IS 4), -1 * (OLD.wait_bucket IS 5),
           -1 * (OLD.wait_bucket IS 6), -1 * (OLD.wait_bucket IS 7), -1 * (OLD.wait_bucket IS 8),
           -1 * (OLD.wait_bucket IS 9), -1 * (OLD.wait_bucket IS 10), -1 * (OLD.wait_bucket IS 11),
           -1 * (OLD.wait_bucket IS 12), -1 * (OLD.wait_bucket IS 13), -1 * (OLD.wait_bucket IS 14),
           -1 * (OLD.wait_bucket IS 15), -1 * (OLD.wait_bucket IS 16), -1 * (OLD.wait_bucket IS 17),
           -1 * (OLD.wait_bucket IS 18), -1 * (OLD.wait_bucket IS 19), -1 * (OLD.wait_bucket IS 20),
           -1 * (OLD.wait_bucket IS 21), -1 * (OLD.wait_bucket IS 22), -1 * (OLD.wait_bucket IS 23),
           -1 * (OLD.wait_bucket IS 24), -1 * (OLD.wait_bucket IS 25), -1 * (OLD.wait_bucket IS 26),
           -1 * (OLD.wait_bucket IS 27), -1 * (OLD.wait_bucket IS 28), -1 * (OLD.wait_bucket IS 29),
           -1 * (OLD.wait_bucket IS 30), -1 * (OLD.wait_bucket IS 31), -1 * (OLD.wait_bucket IS 32),
           -1 * (OLD.wait_bucket IS 33), -1 * (OLD.wait_bucket IS 34), -1 * (OLD.wait_bucket IS 35),
           -1 * (OLD.wait_bucket IS 36), -1 * (OLD.wait_bucket IS 37), -1 * (OLD.wait_bucket IS 38),
           -1 * (OLD.wait_bucket IS 39), -1 * (OLD.wait_bucket IS 40), -1 * (OLD.wait_bucket IS 41),
           -1 * (OLD.wait_bucket IS 42), -1 * (OLD.wait_bucket IS 43), -1 * (OLD.wait_bucket IS 44),
           -1 * (OLD.wait_bucket IS 45), -1 * (OLD.wait_bucket IS 46), -1 * (OLD.wait_bucket IS 47),
           -1 * (OLD.wait_bucket IS 48), -1 * (OLD.wait_bucket IS 49), -1 * (OLD.wait_bucket IS 50),
           -1 * (OLD.wait_bucket IS 51), -1 * (OLD.wait_bucket IS 52), -1 * (OLD.wait_bucket IS 53),
           -1 * (OLD.wait_bucket IS 54), -1 * (OLD.wait_bucket IS 55), -1 * (OLD.wait_bucket IS 56),
           -1 * (OLD.wait_bucket IS 57)
    WHERE OLD.hidden = 0
    ON CONFLICT (day, tag_id) DO UPDATE SET
        topics = topics + excluded.topics, answered = answered + excluded.answered,
        b0 = b0 + excluded.b0, b1 = b1 + excluded.b1, b2 = b2 + excluded.b2, b3 = b3 + excluded.b3,
        b4 = b4 + excluded.b4, b5 = b5 + excluded.b5, b6 = b6 + excluded.b6, b7 = b7 + excluded.b7,
        b8 = b8 + excluded.b8, b9 = b9 + excluded.b9, b10 = b10 + excluded.b10,
        b11 = b11 + excluded.b11, b12 = b12 + excluded.b12, b13 = b13 + excluded.b13,
        b14 = b14 + excluded.b14, b15 = b15 + excluded.b15, b16 = b16 + excluded.b16,
        b17 = b17 + excluded.b17, b18 = b18 + excluded.b18, b19 = b19 + excluded.b19,
        b20 = b20 + excluded.b20, b21 = b21 + excluded.b21, b22 = b22 + excluded.b22,
        b23 = b23 + excluded.b23, b24 = b24 + excluded.b24, b25 = b25 + excluded.b25,
        b26 = b26 + excluded.b26, b27 = b27 + excluded.b27, b28 = b28 + excluded.b28,
        b29 = b29 + excluded.b29, b30 = b30 + excluded.b30, b31 = b31 + excluded.b31,
        b32 = b32 + excluded.b32, b33 = b33 + excluded.b33, b34 = b34 + excluded.b34,
        b35 = b35 + excluded.b35, b36 = b36 + excluded.b36, b37 = b37 + excluded.b37,
        b38 = b38 + excluded.b38, b39 = b39 + excluded.b39, b40 = b40 + excluded.b40,
        b41 = b41 + excluded.b41, b42 = b42 + excluded.b42, b43 = b43 + excluded.b43,
        b44 = b44 + excluded.b44, b45 = b45 + excluded.b45, b46 = b46 + excluded.b46,
        b47 = b47 + excluded.b47, b48 = b48 + excluded.b48, b49 = b49 + excluded.b49,
        b50 = b50 + excluded.b50, b51 = b51 + excluded.b51, b52 = b52 + excluded.b52,
        b53 = b53 + excluded.b53, b54 = b54 + excluded.b54, b55 = b55 + excluded.b55,
        b56 = b56 + excluded.b56, b57 = b57 + excluded.b57;
    INSERT INTO response_rollup (day, tag_id, topics, answered,
                                 b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14,
                                 b15, b16, b17, b18, b19, b20, b21, b22, b23, b24, b25, b26, b27,
                                 b28, b29, b30, b31, b32, b33, b34, b35, b36, b37, b38, b39, b40,
                                 b41, b42, b43, b44, b45, b46, b47, b48, b49, b50, b51, b52, b53,
                                 b54, b55, b56, b57)
    SELECT OLD.created_at / 86400, tt.tag_id, -1, -1 * (OLD.first_response_at IS NOT NULL),
           -1 * (OLD.wait_bucket IS 0), -1 * (OLD.wait_bucket IS 1), -1 * (OLD.wait_bucket IS 2),
           -1 * (OLD.wait_bucket IS 3), -1 * (OLD.wait_bucket IS 4), -1 * (OLD.wait_bucket IS 5),
           -1 * (OLD.wait_bucket IS 6), -1 * (OLD.wait_bucket IS 7), -1 * (OLD.wait_bucket IS 8),
           -1 * (OLD.wait_bucket IS 9), -1 * (OLD.wait_bucket IS 10), -1 * (OLD.wait_bucket IS 11),
           -1 * (OLD.wait_bucket IS 12), -1 * (OLD.wait_bucket IS 13), -1 * (OLD.wait_bucket IS 14),
           -1 * (OLD.wait_bucket IS 15), -1 * (OLD.wait_bucket IS 16), -1 * (OLD.wait_bucket IS 17),
           -1 * (OLD.wait_bucket IS 18), -1 * (OLD.wait_bucket IS 19), -1 * (OLD.wait_bucket IS 20),
           -1 * (OLD.wait_bucket IS 21), -1 * (OLD.wait_bucket IS 22), -1 * (OLD.wait_bucket IS 23),
           -1 * (OLD.wait_bucket IS 24), -1 * (OLD.wait_bucket IS 25), -1 * (OLD.wait_bucket IS 26),
           -1 * (OLD.wait_bucket IS 27), -1 * (OLD.wait_bucket IS 28), -1 * (OLD.wait_bucket IS 29),
           -1 * (OLD.wait_bucket IS 30), -1 * (OLD.wait_bucket IS 31), -1 * (OLD.wait_bucket IS 32),
           -1 * (OLD.wait_bucket IS 33), -1 * (OLD.wait_bucket IS 34), -1 * (OLD.wait_bucket IS 35),
           -1 * (OLD.wait_bucket IS 36), -1 * (OLD.wait_bucket IS 37), -1 * (OLD.wait_bucket IS 38),
           -1 * (OLD.wait_bucket IS 39), -1 * (OLD.wait_bucket IS 40), -1 * (OLD.wait_bucket IS 41),
           -1 * (OLD.wait_bucket IS 42), -1 * (OLD.wait_bucket IS 43), -1 * (OLD.wait_bucket IS 44),
           -1 * (OLD.wait_bucket IS 45), -1 * (OLD.wait_bucket IS 46), -1 * (OLD.wait_bucket IS 47),
           -1 * (OLD.wait_bucket IS 48), -1 * (OLD.wait_bucket IS 49), -1 * (OLD.wait_bucket IS 50),
           -1 * (OLD.wait_bucket IS 51), -1 * (OLD.wait_bucket IS 52), -1 * (OLD.wait_bucket IS 53),
           -1 * (OLD.wait_bucket IS 54), -1 * (OLD.wait_bucket IS 55), -1 * (OLD.wait_bucket IS 56),
           -1 * (OLD.wait_bucket IS 57)
    FROM topic_tags tt
    WHERE OLD.hidden = 0 AND tt.topic_id = OLD.id
      AND (tt.status = 'active'
           OR (tt.status = 'suggested' AND NOT EXISTS (
                   SELECT 1 FROM topic_tags a
                   WHERE a.topic_id = OLD.id AND a.status = 'active')))
    ON CONFLICT (day, tag_id) DO UPDATE SET
        topics = topics + excluded.topics, answered = answered + excluded.answered,
        b0 = b0 + excluded.b0, b1 = b1 + excluded.b1, b2 = b2 + excluded.b2, b3 = b3 + excluded.b3,
        b4 = b4 + excluded.b4, b5 = b5 + excluded.b5, b6 = b6 + excluded.b6, b7 = b7 + excluded.b7,
        b8 = b8 + excluded.b8, b9 = b9 + excluded.b9, b10 = b10 + excluded.b10,
        b11 = b11 + excluded.b11, b12 = b12 + excluded.b12, b13 = b13 + excluded.b13,
        b14 = b14 + excluded.b14, b15 = b15 + excluded.b15, b16 = b16 + excluded.b16,
        b17 = b17 + excluded.b17, b18 = b18 + excluded.b18, b19 = b19 + excluded.b19,
        b20 = b20 + excluded.b20, b21 = b21 + excluded.b21, b22 = b22 + excluded.b22,
        b23 = b23 + excluded.b23, b24 = b24 + excluded.b24, b25 = b25 + excluded.b25,
        b26 = b26 + excluded.b26, b27 = b27 + excluded.b27, b28 = b28 + excluded.b28,
        b29 = b29 + excluded.b29, b30 = b30 + excluded.b30, b31 = b31 + excluded.b31,
        b32 = b32 + excluded.b32, b33 = b33 + excluded.b33, b34 = b34 + excluded.b34,
        b35 = b35 + excluded.b35, b36 = b36 + excluded.b36, b37 = b37 + excluded.b37,
        b38 = b38 + excluded.b38, b39 = b39 + excluded.b39, b40 = b40 + excluded.b40,
        b41 = b41 + excluded.b41, b42 = b42 + excluded.b42, b43 = b43 + excluded.b43,
        b44 = b44 + excluded.b44, b45 = b45 + excluded.b45, b46 = b46 + excluded.b46,
        b47 = b47 + excluded.b47, b48 = b48 + excluded.b48, b49 = b49 + excluded.b49,
        b50 = b50 + excluded.b50, b51 = b51 + excluded.b51, b52 = b52 + excluded.b52,
        b53 = b53 + excluded.b53, b54 = b54 + excluded.b54, b55 = b55 + excluded.b55,
        b56 = b56 + excluded.b56, b57 = b57 + excluded.b57;
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
    INSERT INTO response_rollup (day, tag_id, topics, answered,
                                 b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14,
                                 b15, b16, b17, b18, b19, b20, b21, b22, b23, b24, b25, b26, b27,
                                 b28, b29, b30, b31, b32, b33, b34, b35, b36, b37, b38, b39, b40,
                                 b41, b42, b43, b44, b45, b46, b47, b48, b49, b50, b51, b52, b53,
                                 b54, b55, b56, b57)
    SELECT t.created_at / 86400, tt.tag_id, -1, -1 * (t.first_response_at IS NOT NULL),
           -1 * (t.wait_bucket IS 0), -1 * (t.wait_bucket IS 1), -1 * (t.wait_bucket IS 2),
           -1 * (t.wait_bucket IS 3), -1 * (t.wait_bucket IS 4), -1 * (t.wait_bucket IS 5),
           -1 * (t.wait_bucket IS 6), -1 * (t.wait_bucket IS 7), -1 * (t.wait_bucket IS 8),
           -1 * (t.wait_bucket IS 9), -1 * (t.wait_bucket IS 10), -1 * (t.wait_bucket IS 11),
           -1 * (t.wait_bucket IS 12), -1 * (t.wait_bucket IS 13), -1 * (t.wait_bucket IS 14),
           -1 * (t.wait_bucket IS 15), -1 * (t.wait_bucket IS 16), -1 * (t.wait_bucket IS 17),
           -1 * (t.wait_bucket IS 18), -1 * (t.wait_bucket IS 19), -1 * (t.wait_bucket IS 20),
           -1 * (t.wait_bucket IS 21), -1 * (t.wait_bucket IS 22), -1 * (t.wait_bucket IS 23),
           -1 * (t.wait_bucket IS 24), -1 * (t.wait_bucket IS 25), -1 * (t.wait_bucket IS 26),
           -1 * (t.wait_bucket IS 27), -1 * (t.wait_bucket IS 28), -1 * (t.wait_bucket IS 29),
           -1 * (t.wait_bucket IS 30), -1 * (t.wait_bucket IS 31), -1 * (t.wait_bucket IS 32),
           -1 * (t.wait_bucket IS 33), -1 * (t.wait_bucket IS 34), -1 * (t.wait_bucket IS 35),
           -1 * (t.wait_bucket IS 36), -1 * (t.wait_bucket IS 37), -1 * (t.wait_bucket IS 38),
           -1 * (t.wait_bucket IS 39), -1 * (t.wait_bucket IS 40), -1 * (t.wait_bucket IS 41),
           -1 * (t.wait_bucket IS 42), -1 * (t.wait_bucket IS 43), -1 * (t.wait_bucket IS 44),
           -1 * (t.wait_bucket IS 45), -1 * (t.wait_bucket IS 46), -1 * (t.wait_bucket IS 47),
           -1 * (t.wait_bucket IS 48), -1 * (t.wait_bucket IS 49), -1 * (t.wait_bucket IS 50),
           -1 * (t.wait_bucket IS 51), -1 * (t.wait_bucket IS 52), -1 * (t.wait_bucket IS 53),
           -1 * (t.wait_bucket IS 54), -1 * (t.wait_bucket IS 55), -1 * (t.wait_bucket IS 56),
           -1 * (t.wait_bucket IS 57)
    FROM topic_tags tt JOIN topics t ON t.id = tt.topic_id
    WHERE t.hidden = 0 AND tt.topic_id = NEW.topic_id AND tt.tag_id IS NOT NEW.tag_id
      AND (tt.status = 'active'
           OR (tt.status = 'suggested' AND NOT EXISTS (
                   SELECT 1 FROM topic_tags a
                   WHERE a.topic_id = NEW.topic_id AND a.status = 'active' AND a.tag_id IS NOT NEW.tag_id)))
    ON CONFLICT (day, tag_id) DO UPDATE SET
        topics = topics + excluded.topics, answered = answered + excluded.answered,
        b0 = b0 + excluded.b0, b1 = b1 + excluded.b1, b2 = b2 + excluded.b2, b3 = b3 + excluded.b3,
        b4 = b4 + excluded.b4, b5 = b5 + excluded.b5, b6 = b6 + excluded.b6, b7 = b7 + excluded.b7,
        b8 = b8 + excluded.b8, b9 = b9 + excluded.b9, b10 = b10 + excluded.b10,
        b11 = b11 + excluded.b11, b12 = b12 + excluded.b12, b13 = b13 + excluded.b13,
        b14 = b14 + excluded.b14, b15 = b15 + excluded.b15, b16 = b16 + excluded.b16,
        b17 = b17 + excluded.b17, b18 = b18 + excluded.b18, b19 = b19 + excluded.b19,
        b20 = b20 + excluded.b20, b21 = b21 + excluded.b21, b22 = b22 + excluded.b22,
        b23 = b23 + excluded.b23, b24 = b24 + excluded.b24, b25 = b25 + excluded.b25,
        b26 = b26 + excluded.b26, b27 = b27 + excluded.b27, b28 = b28 + excluded.b28,
        b29 = b29 + excluded.b29, b30 = b30 + excluded.b30, b31 = b31 + excluded.b31,
        b32 = b32 + excluded.b32, b33 = b33 + excluded.b33, b34 = b34 + excluded.b34,
        b35 = b35 + excluded.b35, b36 = b36 + excluded.b36, b37 = b37 + excluded.b37,
        b38 = b38 + excluded.b38, b39 = b39 + excluded.b39, b40 = b40 + excluded.b40,
        b41 = b41 + excluded.b41, b42 = b42 + excluded.b42, b43 = b43 + excluded.b43,
        b44 = b44 + excluded.b44, b45 = b45 + excluded.b45, b46 = b46 + excluded.b46,
        b47 = b47 + excluded.b47, b48 = b48 + excluded.b48, b49 = b49 + excluded.b49,
        b50 = b50 + excluded.b50, b51 = b51 + excluded.b51, b52 = b52 + excluded.b52,
        b53 = b53 + excluded.b53, b54 = b54 + excluded.b54, b55 = b55 + excluded.b55,
        b56 = b56 + excluded.b56, b57 = b57 + excluded.b57;
    INSERT INTO response_rollup (day, tag_id, topics, answered,
                                 b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14,
                                 b15, b16, b17, b18, b19, b20, b21, b22, b23, b24, b25, b26, b27,
                                 b28, b29, b30, b31, b32, b33, b34, b35, b36, b37, b38, b39, b40,
                                 b41, b42, b43, b44, b45, b46, b47, b48, b49, b50, b51, b52, b53,
                                 b54, b55, b56, b57)
    SELECT t.created_at / 86400, tt.tag_id, 1, 1 * (t.first_response_at IS NOT NULL),
           1 * (t.wait_bucket IS 0), 1 * (t.wait_bucket IS 1), 1 * (t.wait_bucket IS 2),
           1 * (t.wait_bucket IS 3), 1 * (t.wait_bucket IS 4), 1 * (t.wait_bucket IS 5),
           1 * (t.wait_bucket IS 6), 1 * (t.wait_bucket IS 7), 1 * (t.wait_bucket IS 8),
           1 * (t.wait_bucket IS 9), 1 * (t.wait_bucket IS 10), 1 * (t.wait_bucket IS 11),
           1 * (t.wait_bucket IS 12), 1 * (t.wait_bucket IS 13), 1 * (t.wait_bucket IS 14),
           1 * (t.wait_bucket IS 15), 1 * (t.wait_bucket IS 16), 1 * (t.wait_bucket IS 17),
           1 * (t.wait_bucket IS 18), 1 * (t.wait_bucket IS 19), 1 * (t.wait_bucket IS 20),
           1 * (t.wait_bucket IS 21), 1 * (t.wait_bucket IS 22), 1 * (t.wait_bucket IS 23),
           1 * (t.wait_bucket IS 24), 1 * (t.wait_bucket IS 25), 1 * (t.wait_bucket IS 26),
           1 * (t.wait_bucket IS 27), 1 * (t.wait_bucket IS 28), 1 * (t.wait_bucket IS 29),
           1 * (t.wait_bucket IS 30), 1 * (t.wait_bucket IS 31), 1 * (t.wait_bucket IS 32),
           1 * (t.wait_bucket IS 33), 1 * (t.wait_bucket IS 34), 1 * (t.wait_bucket IS 35),
           1 * (t.wait_bucket IS 36), 1 * (t.wait_bucket IS 37), 1 * (t.wait_bucket IS 38),
           1 * (t.wait_bucket IS 39), 1 * (t.wait_bucket IS 40), 1 * (t.wait_bucket IS 41),
           1 * (t.wait_bucket IS 42), 1 * (t.wait_bucket IS 43), 1 * (t.wait_bucket IS 44),
           1 * (t.wait_bucket IS 45), 1 * (t.wait_bucket IS 46), 1 * (t.wait_bucket IS 47),
           1 * (t.wait_bucket IS 48), 1 * (t.wait_bucket IS 49), 1 * (t.wait_bucket IS 50),
           1 * (t.wait_bucket IS 51), 1 * (t.wait_bucket IS 52), 1 * (t.wait_bucket IS 53),
           1 * (t.wait_bucket IS 54), 1 * (t.wait_bucket IS 55), 1 * (t.wait_bucket IS 56),
           1 * (t.wait_bucket IS 57)
    FROM topic_tags tt JOIN topics t ON t.id = tt.topic_id
    WHERE t.hidden = 0 AND tt.topic_id = NEW.topic_id
      AND (tt.status = 'active'
           OR (tt.status = 'suggested' AND NOT EXISTS (
                   SELECT 1 FROM topic_tags a
                   WHERE a.topic_id = NEW.topic_id AND a.status = 'active')))
    ON CONFLICT (day, tag_id) DO UPDATE SET
        topics = topics + excluded.topics, answered = answered + excluded.answered,
        b0 = b0 + excluded.b0, b1 = b1 + excluded.b1, b2 = b2 + excluded.b2, b3 = b3 + excluded.b3,
        b4 = b4 + excluded.b4, b5 = b5 + excluded.b5, b6 = b6 + excluded.b6, b7 = b7 + excluded.b7,
        b8 = b8 + excluded.b8, b9 = b9 + excluded.b9, b10 = b10 + excluded.b10,
        b11 = b11 + excluded.b11, b12 = b12 + excluded.b12, b13 = b13 + excluded.b13,
        b14 = b14 + excluded.b14, b15 = b15 + excluded.b15, b16 = b16 + excluded.b16,
        b17 = b17 + excluded.b17, b18 = b18 + excluded.b18, b19 = b19 + excluded.b19,
        b20 = b20 + excluded.b20, b21 = b21 + excluded.b21, b22 = b22 + excluded.b22,
        b23 = b23 + excluded.b23, b24 = b24 + excluded.b24, b25 = b25 + excluded.b25,
        b26 = b26 + excluded.b26, b27 = b27 + excluded.b27, b28 = b28 + excluded.b28,
        b29 = b29 + excluded.b29, b30 = b30 + excluded.b30, b31 = b31 + excluded.b31,
        b32 = b32 + excluded.b32, b33 = b33 + excluded.b33, b34 = b34 + excluded.b34,
        b35 = b35 + excluded.b35, b36 = b36 + excluded.b36, b37 = b37 + excluded.b37,
        b38 = b38 + excluded.b38, b39 = b39 + excluded.b39, b40 = b40 + excluded.b40,
        b41 = b41 + excluded.b41, b42 = b42 + excluded.b42, b43 = b43 + excluded.b43,
        b44 = b44 + excluded.b44, b45 = b45 + excluded.b45, b46 = b46 + excluded.b46,
        b47 = b47 + excluded.b47, b48 = b48 + excluded.b48, b49 = b49 + excluded.b49,
        b50 = b50 + excluded.b50, b51 = b51 + excluded.b51, b52 = b52 + excluded.b52,
        b53 = b53 + excluded.b53, b54 = b54 + excluded.b54, b55 = b55 + excluded.b55,
        b56 = b56 + excluded.b56, b57 = b57 + excluded.b57;
    INSERT INTO tag_pair_rollup (day, tag_a, tag_b, topics)
    SELECT t.created_at / 86400, x.tag_id, y.tag_id, -1
    FROM topic_tags x JOIN topic_tags y ON y.topic_id = x.topic_id AND y.tag_id > x.tag_id JOIN topics t ON t.id = x.topic_id
    WHERE t.hidden = 0 AND x.topic_id = NEW.topic_id AND x.status = 'active' AND y.status = 'active' AND x.tag_id IS NOT NEW.tag_id AND y.tag_id IS NOT NEW.tag_id
    ON CONFLICT (day, tag_a, tag_b) DO UPDATE SET topics = topics + excluded.topics;
    INSERT INTO tag_pair_rollup (day, tag_a, tag_b, topics)
    SELECT t.created_at / 86400, x.tag_id, y.tag_id, 1
    FROM topic_tags x JOIN topic_tags y ON y.topic_id = x.topic_id AND y.tag_id > x.tag_id JOIN topics t ON t.id = x.topic_id
    WHERE t.hidden = 0 AND x.topic_id = NEW.topic_id AND x.status = 'active' AND y.status = 'active'
    ON CONFLICT (day, tag_a, tag_b) DO UPDATE SET topics = topics + excluded.topics;
END;

-- Accept/reject (status) or any move of a tag row: the topic's contribution is taken out before
-- the change and put back after it (both topics, should a row ever move between topics).
CREATE TRIGGER response_rollup_tag_update_before
BEFORE UPDATE OF topic_id, tag_id, status ON topic_tags
WHEN (OLD.topic_id, OLD.tag_id, OLD.status) IS NOT (NEW.topic_id, NEW.tag_id, NEW.status)
BEGIN
    INSERT INTO response_rollup (day, tag_id, topics, answered,
                                 b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14,
                                 b15, b16, b17, b18, b19, b20, b21, b22, b23, b24, b25, b26, b27,
                                 b28, b29, b30, b31, b32, b33, b34, b35, b36, b37, b38, b39, b40,
                                 b41, b42, b43, b44, b45, b46, b47, b48, b49, b50, b51, b52, b53,
                                 b54, b55, b56, b57)
    SELECT t.created_at / 86400, tt.tag_id, -1, -1 * (t.first_response_at IS NOT NULL),
           -1 * (t.wait_bucket IS 0), -1 * (t.wait_bucket IS 1), -1 * (t.wait_bucket IS 2),
           -1 * (t.wait_bucket IS 3), -1 * (t.wait_bucket IS 4), -1 * (t.wait_bucket IS 5),
           -1 * (t.wait_bucket IS 6), -1 * (t.wait_bucket IS 7), -1 * (t.wait_bucket IS 8),
           -1 * (t.wait_bucket IS 9), -1 * (t.wait_bucket IS 10), -1 * (t.wait_bucket IS 11),
           -1 * (t.wait_bucket IS 12), -1 * (t.wait_bucket IS 13), -1 * (t.wait_bucket IS 14),
           -1 * (t.wait_bucket IS 15), -1 * (t.wait_bucket IS 16), -1 * (t.wait_bucket IS 17),
           -1 * (t.wait_bucket IS 18), -1 * (t.wait_bucket IS 19), -1 * (t.wait_bucket IS 20),
           -1 * (t.wait_bucket IS 21), -1 * (t.wait_bucket IS 22), -1 * (t.wait_bucket IS 23),
           -1 * (t.wait_bucket IS 24), -1 * (t.wait_bucket IS 25), -1 * (t.wait_bucket IS 26),
           -1 * (t.wait_bucket IS 27), -1 * (t.wait_bucket IS 28), -1 * (t.wait_bucket IS 29),
           -1 * (t.wait_bucket IS 30), -1 * (t.wait_bucket IS 31), -1 * (t.wait_bucket IS 32),
           -1 * (t.wait_bucket IS 33), -1 * (t.wait_bucket IS 34), -1 * (t.wait_bucket IS 35),
           -1 * (t.wait_bucket IS 36), -1 * (t.wait_bucket IS 37), -1 * (t.wait_bucket IS 38),
           -1 * (t.wait_bucket IS 39), -1 * (t.wait_bucket IS 40), -1 * (t.wait_bucket IS 41),
           -1 * (t.wait_bucket IS 42), -1 * (t.wait_bucket IS 43), -1 * (t.wait_bucket IS 44),
           -1 * (t.wait_bucket IS 45), -1 * (t.wait_bucket IS 46), -1 * (t.wait_bucket IS 47),
           -1 * (t.wait_bucket IS 48), -1 * (t.wait_bucket IS 49), -1 * (t.wait_bucket IS 50),
           -1 * (t.wait_bucket IS 51), -1 * (t.wait_bucket IS 52), -1 * (t.wait_bucket IS 53),
           -1 * (t.wait_bucket IS 54), -1 * (t.wait_bucket IS 55), -1 * (t.wait_bucket IS 56),
           -1 * (t.wait_bucket IS 57)
    FROM topic_tags tt JOIN topics t ON t.id = tt.topic_id
    WHERE t.hidden = 0 AND tt.topic_id = OLD.topic_id
      AND (tt.status = 'active'
           OR (tt.status = 'suggested' AND NOT EXISTS (
                   SELECT 1 FROM topic_tags a
                   WHERE a.topic_id = OLD.topic_id AND a.status = 'active')))
    ON CONFLICT (day, tag_id) DO UPDATE SET
        topics = topics + excluded.topics, answered = answered + excluded.answered,
        b0 = b0 + excluded.b0, b1 = b1 + excluded.b1, b2 = b2 + excluded.b2, b3 = b3 + excluded.b3,
        b4 = b4 + excluded.b4, b5 = b5 + excluded.b5, b6 = b6 + excluded.b6, b7 = b7 + excluded.b7,
        b8 = b8 + excluded.b8, b9 = b9 + excluded.b9, b10 = b10 + excluded.b10,
        b11 = b11 + excluded.b11, b12 = b12 + excluded.b12, b13 = b13 + excluded.b13,
        b14 = b14 + excluded.b14, b15 = b15 + excluded.b15, b16 = b16 + excluded.b16,
        b17 = b17 + excluded.b17, b18 = b18 + excluded.b18, b19 = b19 + excluded.b19,
        b20 = b20 + excluded.b20, b21 = b21 + excluded.b21, b22 = b22 + excluded.b22,
        b23 = b23 + excluded.b23, b24 = b24 + excluded.b24, b25 = b25 + excluded.b25,
        b26 = b26 + excluded.b26, b27 = b27 + excluded.b27, b28 = b28 + excluded.b28,
        b29 = b29 + excluded.b29, b30 = b30 + excluded.b30, b31 = b31 + excluded.b31,
        b32 = b32 + excluded.b32, b33 = b33 + excluded.b33, b34 = b34 + excluded.b34,
        b35 = b35 + excluded.b35, b36 = b36 + excluded.b36, b37 = b37 + excluded.b37,
        b38 = b38 + excluded.b38, b39 = b39 + excluded.b39, b40 = b40 + excluded.b40,
        b41 = b41 + excluded.b41, b42 = b42 + excluded.b42, b43 = b43 + excluded.b43,
        b44 = b44 + excluded.b44, b45 = b45 + excluded.b45, b46 = b46 + excluded.b46,
        b47 = b47 + excluded.b47, b48 = b48 + excluded.b48, b49 = b49 + excluded.b49,
        b50 = b50 + excluded.b50, b51 = b51 + excluded.b51, b52 = b52 + excluded.b52,
        b53 = b53 + excluded.b53, b54 = b54 + excluded.b54, b55 = b55 + excluded.b55,
        b56 = b56 + excluded.b56, b57 = b57 + excluded.b57;
    INSERT INTO tag_pair_rollup (day, tag_a, tag_b, topics)
    SELECT t.created_at / 86400, x.tag_id, y.tag_id, -1
    FROM topic_tags x JOIN topic_tags y ON y.topic_id = x.topic_id AND y.tag_id > x.tag_id JOIN topics t ON t.id = x.topic_id
    WHERE t.hidden = 0 AND x.topic_id = OLD.topic_id AND x.status = 'active' AND y.status = 'active'
    ON CONFLICT (day, tag_a, tag_b) DO UPDATE SET topics = topics + excluded.topics;
    INSERT INTO response_rollup (day, tag_id, topics, answered,
                                 b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14,
                                 b15, b16, b17, b18, b19, b20, b21, b22, b23, b24, b25, b26, b27,
                                 b28, b29, b30, b31, b32, b33, b34, b35, b36, b37, b38, b39, b40,
                                 b41, b42, b43, b44, b45, b46, b47, b48, b49, b50, b51, b52, b53,
                                 b54, b55, b56, b57)
    SELECT t.created_at / 86400, tt.tag_id, -1, -1 * (t.first_response_at IS NOT NULL),
           -1 * (t.wait_bucket IS 0), -1 * (t.wait_bucket IS 1), -1 * (t.wait_bucket IS 2),
           -1 * (t.wait_bucket IS 3), -1 * (t.wait_bucket IS 4), -1 * (t.wait_bucket IS 5),
           -1 * (t.wait_bucket IS 6), -1 * (t.wait_bucket IS 7), -1 * (t.wait_bucket IS 8),
           -1 * (t.wait_bucket IS 9), -1 * (t.wait_bucket IS 10), -1 * (t.wait_bucket IS 11),
           -1 * (t.wait_bucket IS 12), -1 * (t.wait_bucket IS 13), -1 * (t.wait_bucket IS 14),
           -1 * (t.wait_bucket IS 15), -1 * (t.wait_bucket IS 16), -1 * (t.wait_bucket IS 17),
           -1 * (t.wait_bucket IS 18), -1 * (t.wait_bucket IS 19), -1 * (t.wait_bucket IS 20),
           -1 * (t.wait_bucket IS 21), -1 * (t.wait_bucket IS 22), -1 * (t.wait_bucket IS 23),
           -1 * (t.wait_bucket IS 24), -1 * (t.wait_bucket IS 25), -1 * (t.wait_bucket IS 26),
           -1 * (t.wait_bucket IS 27), -1 * (t.wait_bucket IS 28), -1 * (t.wait_bucket IS 29),
           -1 * (t.wait_bucket IS 30), -1 * (t.wait_bucket IS 31), -1 * (t.wait_bucket IS 32),
           -1 * (t.wait_bucket IS 33), -1 * (t.wait_bucket IS 34), -1 * (t.wait_bucket IS 35),
           -1 * (t.wait_bucket IS 36), -1 * (t.wait_bucket IS 37), -1 * (t.wait_bucket IS 38),
           -1 * (t.wait_bucket IS 39), -1 * (t.wait_bucket IS 40), -1 * (t.wait_bucket IS 41),
           -1 * (t.wait_bucket IS 42), -1 * (t.wait_bucket IS 43), -1 * (t.wait_bucket IS 44),
           -1 * (t.wait_bucket IS 45), -1 * (t.wait_bucket IS 46), -1 * (t.wait_bucket IS 47),
           -1 * (t.wait_bucket IS 48), -1 * (t.wait_bucket IS 49), -1 * (t.wait_bucket IS 50),
           -1 * (t.wait_bucket IS 51), -1 * (t.wait_bucket IS 52), -1 * (t.wait_bucket IS 53),
           -1 * (t.wait_bucket IS 54), -1 * (t.wait_bucket IS 55), -1 * (t.wait_bucket IS 56),
           -1 * (t.wait_bucket IS 57)
    FROM topic_tags tt JOIN topics t ON t.id = tt.topic_id
    WHERE NEW.topic_id <> OLD.topic_id AND t.hidden = 0 AND tt.topic_id = NEW.topic_id
      AND (tt.status = 'active'
           OR (tt.status = 'suggested' AND NOT EXISTS (
                   SELECT 1 FROM topic_tags a
                   WHERE a.topic_id = NEW.topic_id AND a.status = 'active')))
    ON CONFLICT (day, tag_id) DO UPDATE SET
        topics = topics + excluded.topics, answered = answered + excluded.answered,
        b0 = b0 + excluded.b0, b1 = b1 + excluded.b1, b2 = b2 + excluded.b2, b3 = b3 + excluded.b3,
        b4 = b4 + excluded.b4, b5 = b5 + excluded.b5, b6 = b6 + excluded.b6, b7 = b7 + excluded.b7,
        b8 = b8 + excluded.b8, b9 = b9 + excluded.b9, b10 = b10 + excluded.b10,
        b11 = b11 + excluded.b11, b12 = b12 + excluded.b12, b13 = b13 + excluded.b13,
        b14 = b14 + excluded.b14, b15 = b15 + excluded.b15, b16 = b16 + excluded.b16,
        b17 = b17 + excluded.b17, b18 = b18 + excluded.b18, b19 = b19 + excluded.b19,
        b20 = b20 + excluded.b20, b21 = b21 + excluded.b21, b22 = b22 + excluded.b22,
        b23 = b23 + excluded.b23, b24 = b24 + excluded.b24, b25 = b25 + excluded.b25,
        b26 = b26 + excluded.b26, b27 = b27 + excluded.b27, b28 = b28 + excluded.b28,
        b29 = b29 + excluded.b29, b30 = b30 + excluded.b30, b31 = b31 + excluded.b31,
        b32 = b32 + excluded.b32, b33 = b33 + excluded.b33, b34 = b34 + excluded.b34,
        b35 = b35 + excluded.b35, b36 = b36 + excluded.b36, b37 = b37 + excluded.b37,
        b38 = b38 + excluded.b38, b39 = b39 + excluded.b39, b40 = b40 + excluded.b40,
        b41 = b41 + excluded.b41, b42 = b42 + excluded.b42, b43 = b43 + excluded.b43,
        b44 = b44 + excluded.b44, b45 = b45 + excluded.b45, b46 = b46 + excluded.b46,
        b47 = b47 + excluded.b47, b48 = b48 + excluded.b48, b49 = b49 + excluded.b49,
        b50 = b50 + excluded.b50, b51 = b51 + excluded.b51, b52 = b52 + excluded.b52,
        b53 = b53 + excluded.b53, b54 = b54 + excluded.b54, b55 = b55 + excluded.b55,
        b56 = b56 + excluded.b56, b57 = b57 + excluded.b57;
    INSERT INTO tag_pair_rollup (day, tag_a, tag_b, topics)
    SELECT t.created_at / 86400, x.tag_id, y.tag_id, -1
    FROM topic_tags x JOIN topic_tags y ON y.topic_id = x.topic_id AND y.tag_id > x.tag_id JOIN topics t ON t.id = x.topic_id
    WHERE NEW.topic_id <> OLD.topic_id AND t.hidden = 0 AND x.topic_id = NEW.topic_id AND x.status = 'active' AND y.status = 'active'
    ON CONFLICT (day, tag_a, tag_b) DO UPDATE SET topics = topics + excluded.topics;
END;

CREATE TRIGGER response_rollup_tag_update_after
AFTER UPDATE OF topic_id, tag_id, status ON topic_tags
WHEN (OLD.topic_id, OLD.tag_id, OLD.status) IS NOT (NEW.topic_id, NEW.tag_id, NEW.status)
BEGIN
    INSERT INTO response_rollup (day, tag_id, topics, answered,
                                 b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14,
                                 b15, b16, b17, b18, b19, b20, b21, b22, b23, b24, b25, b26, b27,
                                 b28, b29, b30, b31, b32, b33, b34, b35, b36, b37, b38, b39, b40,
                                 b41, b42, b43, b44, b45, b46, b47, b48, b49, b50, b51, b52, b53,
                                 b54, b55, b56, b57)
    SELECT t.created_at / 86400, tt.tag_id, 1, 1 * (t.first_response_at IS NOT NULL),
           1 * (t.wait_bucket IS 0), 1 * (t.wait_bucket IS 1), 1 * (t.wait_bucket IS 2),
           1 * (t.wait_bucket IS 3), 1 * (t.wait_bucket IS 4), 1 * (t.wait_bucket IS 5),
           1 * (t.wait_bucket IS 6), 1 * (t.wait_bucket IS 7), 1 * (t.wait_bucket IS 8),
           1 * (t.wait_bucket IS 9), 1 * (t.wait_bucket IS 10), 1 * (t.wait_bucket IS 11),
           1 * (t.wait_bucket IS 12), 1 * (t.wait_bucket IS 13), 1 * (t.wait_bucket IS 14),
           1 * (t.wait_bucket IS 15), 1 * (t.wait_bucket IS 16), 1 * (t.wait_bucket IS 17),
           1 * (t.wait_bucket IS 18), 1 * (t.wait_bucket IS 19), 1 * (t.wait_bucket IS 20),
           1 * (t.wait_bucket IS 21), 1 * (t.wait_bucket IS 22), 1 * (t.wait_bucket IS 23),
           1 * (t.wait_bucket IS 24), 1 * (t.wait_bucket IS 25), 1 * (t.wait_bucket IS 26),
           1 * (t.wait_bucket IS 27), 1 * (t.wait_bucket IS 28), 1 * (t.wait_bucket IS 29),
           1 * (t.wait_bucket IS 30), 1 * (t.wait_bucket IS 31), 1 * (t.wait_bucket IS 32),
           1 * (t.wait_bucket IS 33), 1 * (t.wait_bucket IS 34), 1 * (t.wait_bucket IS 35),
           1 * (t.wait_bucket IS 36), 1 * (t.wait_bucket IS 37), 1 * (t.wait_bucket IS 38),
           1 * (t.wait_bucket IS 39), 1 * (t.wait_bucket IS 40), 1 * (t.wait_bucket IS 41),
           1 * (t.wait_bucket IS 42), 1 * (t.wait_bucket IS 43), 1 * (t.wait_bucket IS 44),
           1 * (t.wait_bucket IS 45), 1 * (t.wait_bucket IS 46), 1 * (t.wait_bucket IS 47),
           1 * (t.wait_bucket IS 48), 1 * (t.wait_bucket IS 49), 1 * (t.wait_bucket IS 50),
           1 * (t.wait_bucket IS 51), 1 * (t.wait_bucket IS 52), 1 * (t.wait_bucket IS 53),
           1 * (t.wait_bucket IS 54), 1 * (t.wait_bucket IS 55), 1 * (t.wait_bucket IS 56),
           1 * (t.wait_bucket IS 57)
    FROM topic_tags tt JOIN topics t ON t.id = tt.topic_id
    WHERE t.hidden = 0 AND tt.topic_id = OLD.topic_id
      AND (tt.status = 'active'
           OR (tt.status = 'suggested' AND NOT EXISTS (
                   SELECT 1 FROM topic_tags a
                   WHERE a.topic_id = OLD.topic_id AND a.status = 'active')))
    ON CONFLICT (day, tag_id) DO UPDATE SET
        topics = topics + excluded.topics, answered = answered + excluded.answered,
        b0 = b0 + excluded.b0, b1 = b1 + excluded.b1, b2 = b2 + excluded.b2, b3 = b3 + excluded.b3,
        b4 = b4 + excluded.b4, b5 = b5 + excluded.b5, b6 = b6 + excluded.b6, b7 = b7 + excluded.b7,
        b8 = b8 + excluded.b8, b9 = b9 + excluded.b9, b10 = b10 + excluded.b10,
        b11 = b11 + excluded.b11, b12 = b12 + excluded.b12, b13 = b13 + excluded.b13,
        b14 = b14 + excluded.b14, b15 = b15 + excluded.b15, b16 = b16 + excluded.b16,
        b17 = b17 + excluded.b17, b18 = b18 + excluded.b18, b19 = b19 + excluded.b19,
        b20 = b20 + excluded.b20, b21 = b21 + excluded.b21, b22 = b22 + excluded.b22,
        b23 = b23 + excluded.b23, b24 = b24 + excluded.b24, b25 = b25 + excluded.b25,
        b26 = b26 + excluded.b26, b27 = b27 + excluded.b27, b28 = b28 + excluded.b28,
        b29 = b29 + excluded.b29, b30 = b30 + excluded.b30, b31 = b31 + excluded.b31,
        b32 = b32 + excluded.b32, b33 = b33 + excluded.b33, b34 = b34 + excluded.b34,
        b35 = b35 + excluded.b35, b36 = b36 + excluded.b36, b37 = b37 + excluded.b37,
        b38 = b38 + excluded.b38, b39 = b39 + excluded.b39, b40 = b40 + excluded.b40,
        b41 = b41 + excluded.b41, b42 = b42 + excluded.b42, b43 = b43 + excluded.b43,
        b44 = b44 + excluded.b44, b45 = b45 + excluded.b45, b46 = b46 + excluded.b46,
        b47 = b47 + excluded.b47, b48 = b48 + excluded.b48, b49 = b49 + excluded.b49,
        b50 = b50 + excluded.b50, b51 = b51 + excluded.b51, b52 = b52 + excluded.b52,
        b53 = b53 + excluded.b53, b54 = b54 + excluded.b54, b55 = b55 + excluded.b55,
        b56 = b56 + excluded.b56, b57 = b57 + excluded.b57;
    INSERT INTO tag_pair_rollup (day, tag_a, tag_b, topics)
    SELECT t.created_at / 86400, x.tag_id, y.tag_id, 1
    FROM topic_tags x JOIN topic_tags y ON y.topic_id = x.topic_id AND y.tag_id > x.tag_id JOIN topics t ON t.id = x.topic_id
    WHERE t.hidden = 0 AND x.topic_id = OLD.topic_id AND x.status = 'active' AND y.status = 'active'
    ON CONFLICT (day, tag_a, tag_b) DO UPDATE SET topics = topics + excluded.topics;
    INSERT INTO response_rollup (day, tag_id, topics, answered,
                                 b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14,
                                 b15, b16, b17, b18, b19, b20, b21, b22, b23, b24, b25, b26, b27,
                                 b28, b29, b30, b31, b32, b33, b34, b35, b36, b37, b38, b39, b40,
                                 b41, b42, b43, b44, b45, b46, b47, b48, b49, b50, b51, b52, b53,
                                 b54, b55, b56, b57)
    SELECT t.created_at / 86400, tt.tag_id, 1, 1 * (t.first_response_at IS NOT NULL),
           1 * (t.wait_bucket IS 0), 1 * (t.wait_bucket IS 1), 1 * (t.wait_bucket IS 2),
           1 * (t.wait_bucket IS 3), 1 * (t.wait_bucket IS 4), 1 * (t.wait_bucket IS 5),
           1 * (t.wait_bucket IS 6), 1 * (t.wait_bucket IS 7), 1 * (t.wait_bucket IS 8),
           1 * (t.wait_bucket IS 9), 1 * (t.wait_bucket IS 10), 1 * (t.wait_bucket IS 11),
           1 * (t.wait_bucket IS 12), 1 * (t.wait_bucket IS 13), 1 * (t.wait_bucket IS 14),
           1 * (t.wait_bucket IS 15), 1 * (t.wait_bucket IS 16), 1 * (t.wait_bucket IS 17),
           1 * (t.wait_bucket IS 18), 1 * (t.wait_bucket IS 19), 1 * (t.wait_bucket IS 20),
           1 * (t.wait_bucket IS 21), 1 * (t.wait_bucket IS 22), 1 * (t.wait_bucket IS 23),
           1 * (t.wait_bucket IS 24), 1 * (t.wait_bucket IS 25), 1 * (t.wait_bucket IS 26),
           1 * (t.wait_bucket IS 27), 1 * (t.wait_bucket IS 28), 1 * (t.wait_bucket IS 29),
           1 * (t.wait_bucket IS 30), 1 * (t.wait_bucket IS 31), 1 * (t.wait_bucket IS 32),
           1 * (t.wait_bucket IS 33), 1 * (t.wait_bucket IS 34), 1 * (t.wait_bucket IS 35),
           1 * (t.wait_bucket IS 36), 1 * (t.wait_bucket IS 37), 1 * (t.wait_bucket IS 38),
           1 * (t.wait_bucket IS 39), 1 * (t.wait_bucket IS 40), 1 * (t.wait_bucket IS 41),
           1 * (t.wait_bucket IS 42), 1 * (t.wait_bucket IS 43), 1 * (t.wait_bucket IS 44),
           1 * (t.wait_bucket IS 45), 1 * (t.wait_bucket IS 46), 1 * (t.wait_bucket IS 47),
           1 * (t.wait_bucket IS 48), 1 * (t.wait_bucket IS 49), 1 * (t.wait_bucket IS 50),
           1 * (t.wait_bucket IS 51), 1 * (t.wait_bucket IS 52), 1 * (t.wait_bucket IS 53),
           1 * (t.wait_bucket IS 54), 1 * (t.wait_bucket IS 55), 1 * (t.wait_bucket IS 56),
           1 * (t.wait_bucket IS 57)
    FROM topic_tags tt JOIN topics t ON t.id = tt.topic_id
    WHERE NEW.topic_id <> OLD.topic_id AND t.hidden = 0 AND tt.topic_id = NEW.topic_id
      AND (tt.status = 'active'
           OR (tt.status = 'suggested' AND NOT EXISTS (
                   SELECT 1 FROM topic_tags a
                   WHERE a.topic_id = NEW.topic_id AND a.status = 'active')))
    ON CONFLICT (day, tag_id) DO UPDATE SET
        topics = topics + excluded.topics, answered = answered + excluded.answered,
        b0 = b0 + excluded.b0, b1 = b1 + excluded.b1, b2 = b2 + excluded.b2, b3 = b3 + excluded.b3,
        b4 = b4 + excluded.b4, b5 = b5 + excluded.b5, b6 = b6 + excluded.b6, b7 = b7 + excluded.b7,
        b8 = b8 + excluded.b8, b9 = b9 + excluded.b9, b10 = b10 + excluded.b10,
        b11 = b11 + excluded.b11, b12 = b12 + excluded.b12, b13 = b13 + excluded.b13,
        b14 = b14 + excluded.b14, b15 = b15 + excluded.b15, b16 = b16 + excluded.b16,
        b17 = b17 + excluded.b17, b18 = b18 + excluded.b18, b19 = b19 + excluded.b19,
        b20 = b20 + excluded.b20, b21 = b21 + excluded.b21, b22 = b22 + excluded.b22,
        b23 = b23 + excluded.b23, b24 = b24 + excluded.b24, b25 = b25 + excluded.b25,
        b26 = b26 + excluded.b26, b27 = b27 + excluded.b27, b28 = b28 + excluded.b28,
        b29 = b29 + excluded.b29, b30 = b30 + excluded.b30, b31 = b31 + excluded.b31,
        b32 = b32 + excluded.b32, b33 = b33 + excluded.b33, b34 = b34 + excluded.b34,
        b35 = b35 + excluded.b35, b36 = b36 + excluded.b36, b37 = b37 + excluded.b37,
        b38 = b38 + excluded.b38, b39 = b39 + excluded.b39, b40 = b40 + excluded.b40,
        b41 = b41 + excluded.b41, b42 = b42 + excluded.b42, b43 = b43 + excluded.b43,
        b44 = b44 + excluded.b44, b45 = b45 + excluded.b45, b46 = b46 + excluded.b46,
        b47 = b47 + excluded.b47, b48 = b48 + excluded.b48, b49 = b49 + excluded.b49,
        b50 = b50 + excluded.b50, b51 = b51 + excluded.b51, b52 = b52 + excluded.b52,
        b53 = b53 + excluded.b53, b54 = b54 + excluded.b54, b55 = b55 + excluded.b55,
        b56 = b56 + excluded.b56, b57 = b57 + excluded.b57;
    INSERT INTO tag_pair_rollup (day, tag_a, tag_b, topics)
    SELECT t.created_at / 86400, x.tag_id, y.tag_id, 1
    FROM topic_tags x JOIN topic_tags y ON y.topic_id = x.topic_id AND y.tag_id > x.tag_id JOIN topics t ON t.id = x.topic_id
    WHERE NEW.topic_id <> OLD.topic_id AND t.hidden = 0 AND x.topic_id = NEW.topic_id AND x.status = 'active' AND y.status = 'active'
    ON CONFLICT (day, tag_a, tag_b) DO UPDATE SET topics = topics + excluded.topics;
END;

-- Removing a tag row (retagging, replacing suggestions): out before, back in after, without it.
CREATE TRIGGER response_rollup_tag_delete_before BEFORE DELETE ON topic_tags
WHEN OLD.status <> 'rejected'
BEGIN
    INSERT INTO response_rollup (day, tag_id, topics, answered,
                                 b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14,
                                 b15, b16, b17, b18, b19, b20, b21, b22, b23, b24, b25, b26, b27,
                                 b28, b29, b30, b31, b32, b33, b34, b35, b36, b37, b38, b39, b40,
                                 b41, b42, b43, b44, b45, b46, b47, b48, b49, b50, b51, b52, b53,
                                 b54, b55, b56, b57)
    SELECT t.created_at / 86400, tt.tag_id, -1, -1 * (t.first_response_at IS NOT NULL),
           -1 * (t.wait_bucket IS 0), -1 * (t.wait_bucket IS 1), -1 * (t.wait_bucket IS 2),
           -1 * (t.wait_bucket IS 3), -1 * (t.wait_bucket IS 4), -1 * (t.wait_bucket IS 5),
           -1 * (t.wait_bucket IS 6), -1 * (t.wait_bucket IS 7), -1 * (t.wait_bucket IS 8),
           -1 * (t.wait_bucket IS 9), -1 * (t.wait_bucket IS 10), -1 * (t.wait_bucket IS 11),
           -1 * (t.wait_bucket IS 12), -1 * (t.wait_bucket IS 13), -1 * (t.wait_bucket IS 14),
           -1 * (t.wait_bucket IS 15), -1 * (t.wait_bucket IS 16), -1 * (t.wait_bucket IS 17),
           -1 * (t.wait_bucket IS 18), -1 * (t.wait_bucket IS 19), -1 * (t.wait_bucket IS 20),
           -1 * (t.wait_bucket IS 21), -1 * (t.wait_bucket IS 22), -1 * (t.wait_bucket IS 23),
           -1 * (t.wait_bucket IS 24), -1 * (t.wait_bucket IS 25), -1 * (t.wait_bucket IS 26),
           -1 * (t.wait_bucket IS 27), -1 * (t.wait_bucket IS 28), -1 * (t.wait_bucket IS 29),
           -1 * (t.wait_bucket IS 30), -1 * (t.wait_bucket IS 31), -1 * (t.wait_bucket IS 32),
           -1 * (t.wait_bucket IS 33), -1 * (t.wait_bucket IS 34), -1 * (t.wait_bucket IS 35),
           -1 * (t.wait_bucket IS 36), -1 * (t.wait_bucket IS 37), -1 * (t.wait_bucket IS 38),
           -1 * (t.wait_bucket IS 39), -1 * (t.wait_bucket IS 40), -1 * (t.wait_bucket IS 41),
           -1 * (t.wait_bucket IS 42), -1 * (t.wait_bucket IS 43), -1 * (t.wait_bucket IS 44),
           -1 * (t.wait_bucket IS 45), -1 * (t.wait_bucket IS 46), -1 * (t.wait_bucket IS 47),
           -1 * (t.wait_bucket IS 48), -1 * (t.wait_bucket IS 49), -1 * (t.wait_bucket IS 50),
           -1 * (t.wait_bucket IS 51), -1 * (t.wait_bucket IS 52), -1 * (t.wait_bucket IS 53),
           -1 * (t.wait_bucket IS 54), -1 * (t.wait_bucket IS 55), -1 * (t.wait_bucket IS 56),
           -1 * (t.wait_bucket IS 57)
    FROM topic_tags tt JOIN topics t ON t.id = tt.topic_id
    WHERE t.hidden = 0 AND tt.topic_id = OLD.topic_id
      AND (tt.status = 'active'
           OR (tt.status = 'suggested' AND NOT EXISTS (
                   SELECT 1 FROM topic_tags a
                   WHERE a.topic_id = OLD.topic_id AND a.status = 'active')))
    ON CONFLICT (day, tag_id) DO UPDATE SET
        topics = topics + excluded.topics, answered = answered + excluded.answered,
        b0 = b0 + excluded.b0, b1 = b1 + excluded.b1, b2 = b2 + excluded.b2, b3 = b3 + excluded.b3,
        b4 = b4 + excluded.b4, b5 = b5 + excluded.b5, b6 = b6 + excluded.b6, b7 = b7 + excluded.b7,
        b8 = b8 + excluded.b8, b9 = b9 + excluded.b9, b10 = b10 + excluded.b10,
        b11 = b11 + excluded.b11, b12 = b12 + excluded.b12, b13 = b13 + excluded.b13,
        b14 = b14 + excluded.b14, b15 = b15 + excluded.b15, b16 = b16 + excluded.b16,
        b17 = b17 + excluded.b17, b18 = b18 + excluded.b18, b19 = b19 + excluded.b19,
        b20 = b20 + excluded.b20, b21 = b21 + excluded.b21, b22 = b22 + excluded.b22,
        b23 = b23 + excluded.b23, b24 = b24 + excluded.b24, b25 = b25 + excluded.b25,
        b26 = b26 + excluded.b26, b27 = b27 + excluded.b27, b28 = b28 + excluded.b28,
        b29 = b29 + excluded.b29, b30 = b30 + excluded.b30, b31 = b31 + excluded.b31,
        b32 = b32 + excluded.b32, b33 = b33 + excluded.b33, b34 = b34 + excluded.b34,
        b35 = b35 + excluded.b35, b36 = b36 + excluded.b36, b37 = b37 + excluded.b37,
        b38 = b38 + excluded.b38, b39 = b39 + excluded.b39, b40 = b40 + excluded.b40,
        b41 = b41 + excluded.b41, b42 = b42 + excluded.b42, b43 = b43 + excluded.b43,
        b44 = b44 + excluded.b44, b45 = b45 + excluded.b45, b46 = b46 + excluded.b46,
        b47 = b47 + excluded.b47, b48 = b48 + excluded.b48, b49 = b49 + excluded.b49,
        b50 = b50 + excluded.b50, b51 = b51 + excluded.b51, b52 = b52 + excluded.b52,
        b53 = b53 + excluded.b53, b54 = b54 + excluded.b54, b55 = b55 + excluded.b55,
        b56 = b56 + excluded.b56, b57 = b57 + excluded.b57;
    INSERT INTO tag_pair_rollup (day, tag_a, tag_b, topics)
    SELECT t.created_at / 86400, x.tag_id, y.tag_id, -1
    FROM topic_tags x JOIN topic_tags y ON y.topic_id = x.topic_id AND y.tag_id > x.tag_id JOIN topics t ON t.id = x.topic_id
    WHERE t.hidden = 0 AND x.topic_id = OLD.topic_id AND x.status = 'active' AND y.status = 'active'
    ON CONFLICT (day, tag_a, tag_b) DO UPDATE SET topics = topics + excluded.topics;
END;

CREATE TRIGGER response_rollup_tag_delete_after AFTER DELETE ON topic_tags
WHEN OLD.status <> 'rejected'
BEGIN
    INSERT INTO response_rollup (day, tag_id, topics, answered,
                                 b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14,
                                 b15, b16, b17, b18, b19, b20, b21, b22, b23, b24, b25, b26, b27,
                                 b28, b29, b30, b31, b32, b33, b34, b35, b36, b37, b38, b39, b40,
                                 b41, b42, b43, b44, b45, b46, b47, b48, b49, b50, b51, b52, b53,
                                 b54, b55, b56, b57)
    SELECT t.created_at / 86400, tt.tag_id, 1, 1 * (t.first_response_at IS NOT NULL),
           1 * (t.wait_bucket IS 0), 1 * (t.wait_bucket IS 1), 1 * (t.wait_bucket IS 2),
           1 * (t.wait_bucket IS 3), 1 * (t.wait_bucket IS 4), 1 * (t.wait_bucket IS 5),
           1 * (t.wait_bucket IS 6), 1 * (t.wait_bucket IS 7), 1 * (t.wait_bucket IS 8),
           1 * (t.wait_bucket IS 9), 1 * (t.wait_bucket IS 10), 1 * (t.wait_bucket IS 11),
           1 * (t.wait_bucket IS 12), 1 * (t.wait_bucket IS 13), 1 * (t.wait_bucket IS 14),
           1 * (t.wait_bucket IS 15), 1 * (t.wait_bucket IS 16), 1 * (t.wait_bucket IS 17),
           1 * (t.wait_bucket IS 18), 1 * (t.wait_bucket IS 19), 1 * (t.wait_bucket IS 20),
           1 * (t.wait_bucket IS 21), 1 * (t.wait_bucket IS 22), 1 * (t.wait_bucket IS 23),
           1 * (t.wait_bucket IS 24), 1 * (t.wait_bucket IS 25), 1 * (t.wait_bucket IS 26),
           1 * (t.wait_bucket IS 27), 1 * (t.wait_bucket IS 28), 1 * (t.wait_bucket IS 29),
           1 * (t.wait_bucket IS 30), 1 * (t.wait_bucket IS 31), 1 * (t.wait_bucket IS 32),
           1 * (t.wait_bucket IS 33), 1 * (t.wait_bucket IS 34), 1 * (t.wait_bucket IS 35),
           1 * (t.wait_bucket IS 36), 1 * (t.wait_bucket IS 37), 1 * (t.wait_bucket IS 38),
           1 * (t.wait_bucket IS 39), 1 * (t.wait_bucket IS 40), 1 * (t.wait_bucket IS 41),
           1 * (t.wait_bucket IS 42), 1 * (t.wait_bucket IS 43), 1 * (t.wait_bucket IS 44),
           1 * (t.wait_bucket IS 45), 1 * (t.wait_bucket IS 46), 1 * (t.wait_bucket IS 47),
           1 * (t.wait_bucket IS 48), 1 * (t.wait_bucket IS 49), 1 * (t.wait_bucket IS 50),
           1 * (t.wait_bucket IS 51), 1 * (t.wait_bucket IS 52), 1 * (t.wait_bucket IS 53),
           1 * (t.wait_bucket IS 54), 1 * (t.wait_bucket IS 55), 1 * (t.wait_bucket IS 56),
           1 * (t.wait_bucket IS 57)
    FROM topic_tags tt JOIN topics t ON t.id = tt.topic_id
    WHERE t.hidden = 0 AND tt.topic_id = OLD.topic_id
      AND (tt.status = 'active'
           OR (tt.status = 'suggested' AND NOT EXISTS (
                   SELECT 1 FROM topic_tags a
                   WHERE a.topic_id = OLD.topic_id AND a.status = 'active')))
    ON CONFLICT (day, tag_id) DO UPDATE SET
        topics = topics + excluded.topics, answered = answered + excluded.answered,
        b0 = b0 + excluded.b0, b1 = b1 + excluded.b1, b2 = b2 + excluded.b2, b3 = b3 + excluded.b3,
        b4 = b4 + excluded.b4, b5 = b5 + excluded.b5, b6 = b6 + excluded.b6, b7 = b7 + excluded.b7,
        b8 = b8 + excluded.b8, b9 = b9 + excluded.b9, b10 = b10 + excluded.b10,
        b11 = b11 + excluded.b11, b12 = b12 + excluded.b12, b13 = b13 + excluded.b13,
        b14 = b14 + excluded.b14, b15 = b15 + excluded.b15, b16 = b16 + excluded.b16,
        b17 = b17 + excluded.b17, b18 = b18 + excluded.b18, b19 = b19 + excluded.b19,
        b20 = b20 + excluded.b20, b21 = b21 + excluded.b21, b22 = b22 + excluded.b22,
        b23 = b23 + excluded.b23, b24 = b24 + excluded.b24, b25 = b25 + excluded.b25,
        b26 = b26 + excluded.b26, b27 = b27 + excluded.b27, b28 = b28 + excluded.b28,
        b29 = b29 + excluded.b29, b30 = b30 + excluded.b30, b31 = b31 + excluded.b31,
        b32 = b32 + excluded.b32, b33 = b33 + excluded.b33, b34 = b34 + excluded.b34,
        b35 = b35 + excluded.b35, b36 = b36 + excluded.b36, b37 = b37 + excluded.b37,
        b38 = b38 + excluded.b38, b39 = b39 + excluded.b39, b40 = b40 + excluded.b40,
        b41 = b41 + excluded.b41, b42 = b42 + excluded.b42, b43 = b43 + excluded.b43,
        b44 = b44 + excluded.b44, b45 = b45 + excluded.b45, b46 = b46 + excluded.b46,
        b47 = b47 + excluded.b47, b48 = b48 + excluded.b48, b49 = b49 + excluded.b49,
        b50 = b50 + excluded.b50, b51 = b51 + excluded.b51, b52 = b52 + excluded.b52,
        b53 = b53 + excluded.b53, b54 = b54 + excluded.b54, b55 = b55 + excluded.b55,
        b56 = b56 + excluded.b56, b57 = b57 + excluded.b57;
    INSERT INTO tag_pair_rollup (day, tag_a, tag_b, topics)
    SELECT t.created_at / 86400, x.tag_id, y.tag_id, 1
    FROM topic_tags x JOIN topic_tags y ON y.topic_id = x.topic_id AND y.tag_id > x.tag_id JOIN topics t ON t.id = x.topic_id
    WHERE t.hidden = 0 AND x.topic_id = OLD.topic_id AND x.status = 'active' AND y.status = 'active'
    ON CONFLICT (day, tag_a, tag_b) DO UPDATE SET topics = topics + excluded.topics;
END;

-- Backfill from what the forum already holds.
INSERT INTO response_rollup (day, tag_id, topics, answered,
                             b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15,
                             b16, b17, b18, b19, b20, b21, b22, b23, b24, b25, b26, b27, b28, b29,
                             b30, b31, b32, b33, b34, b35, b36, b37, b38, b39, b40, b41, b42, b43,
                             b44, b45, b46, b47, b48, b49, b50, b51, b52, b53, b54, b55, b56, b57)
SELECT created_at / 86400, 0, COUNT(*), COUNT(first_response_at),
       SUM(wait_bucket IS 0), SUM(wait_bucket IS 1), SUM(wait_bucket IS 2), SUM(wait_bucket IS 3),
       SUM(wait_bucket IS 4), SUM(wait_bucket IS 5), SUM(wait_bucket IS 6), SUM(wait_bucket IS 7),
       SUM(wait_bucket IS 8), SUM(wait_bucket IS 9), SUM(wait_bucket IS 10), SUM(wait_bucket IS 11),
       SUM(wait_bucket IS 12), SUM(wait_bucket IS 13), SUM(wait_bucket IS 14),
       SUM(wait_bucket IS 15), SUM(wait_bucket IS 16), SUM(wait_bucket IS 17),
       SUM(wait_bucket IS 18), SUM(wait_bucket IS 19), SUM(wait_bucket IS 20),
       SUM(wait_bucket IS 21), SUM(wait_bucket IS 22), SUM(wait_bucket IS 23),
       SUM(wait_bucket IS 24), SUM(wait_bucket IS 25), SUM(wait_bucket IS 26),
       SUM(wait_bucket IS 27), SUM(wait_bucket IS 28), SUM(wait_bucket IS 29),
       SUM(wait_bucket IS 30), SUM(wait_bucket IS 31), SUM(wait_bucket IS 32),
       SUM(wait_bucket IS 33), SUM(wait_bucket IS 34), SUM(wait_bucket IS 35),
       SUM(wait_bucket IS 36), SUM(wait_bucket IS 37), SUM(wait_bucket IS 38),
       SUM(wait_bucket IS 39), SUM(wait_bucket IS 40), SUM(wait_bucket IS 41),
       SUM(wait_bucket IS 42), SUM(wait_bucket IS 43), SUM(wait_bucket IS 44),
       SUM(wait_bucket IS 45), SUM(wait_bucket IS 46), SUM(wait_bucket IS 47),
       SUM(wait_bucket IS 48), SUM(wait_bucket IS 49), SUM(wait_bucket IS 50),
       SUM(wait_bucket IS 51), SUM(wait_bucket IS 52), SUM(wait_bucket IS 53),
       SUM(wait_bucket IS 54), SUM(wait_bucket IS 55), SUM(wait_bucket IS 56),
       SUM(wait_bucket IS 57)
FROM topics WHERE hidden = 0 GROUP BY 1;

INSERT INTO response_rollup (day, tag_id, topics, answered,
                             b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15,
                             b16, b17, b18, b19, b20, b21, b22, b23, b24, b25, b26, b27, b28, b29,
                             b30, b31, b32, b33, b34, b35, b36, b37, b38, b39, b40, b41, b42, b43,
                             b44, b45, b46, b47, b48, b49, b50, b51, b52, b53, b54, b55, b56, b57)
SELECT t.created_at / 86400, tt.tag_id, COUNT(*), COUNT(t.first_response_at),
       SUM(t.wait_bucket IS 0), SUM(t.wait_bucket IS 1), SUM(t.wait_bucket IS 2),
       SUM(t.wait_bucket IS 3), SUM(t.wait_bucket IS 4), SUM(t.wait_bucket IS 5),
       SUM(t.wait_bucket IS 6), SUM(t.wait_bucket IS 7), SUM(t.wait_bucket IS 8),
       SUM(t.wait_bucket IS 9), SUM(t.wait_bucket IS 10), SUM(t.wait_bucket IS 11),
       SUM(t.wait_bucket IS 12), SUM(t.wait_bucket IS 13), SUM(t.wait_bucket IS 14),
       SUM(t.wait_bucket IS 15), SUM(t.wait_bucket IS 16), SUM(t.wait_bucket IS 17),
       SUM(t.wait_bucket IS 18), SUM(t.wait_bucket IS 19), SUM(t.wait_bucket IS 20),
       SUM(t.wait_bucket IS 21), SUM(t.wait_bucket IS 22), SUM(t.wait_bucket IS 23),
       SUM(t.wait_bucket IS 24), SUM(t.wait_bucket IS 25), SUM(t.wait_bucket IS 26),
       SUM(t.wait_bucket IS 27), SUM(t.wait_bucket IS 28), SUM(t.wait_bucket IS 29),
       SUM(t.wait_bucket IS 30), SUM(t.wait_bucket IS 31), SUM(t.wait_bucket IS 32),
       SUM(t.wait_bucket IS 33), SUM(t.wait_bucket IS 34), SUM(t.wait_bucket IS 35),
       SUM(t.wait_bucket IS 36), SUM(t.wait_bucket IS 37), SUM(t.wait_bucket IS 38),
       SUM(t.wait_bucket IS 39), SUM(t.wait_bucket IS 40), SUM(t.wait_bucket IS 41),
       SUM(t.wait_bucket IS 42), SUM(t.wait_bucket IS 43), SUM(t.wait_bucket IS 44),
       SUM(t.wait_bucket IS 45), SUM(t.wait_bucket IS 46), SUM(t.wait_bucket IS 47),
       SUM(t.wait_bucket IS 48), SUM(t.wait_bucket IS 49), SUM(t.wait_bucket IS 50),
       SUM(t.wait_bucket IS 51), SUM(t.wait_bucket IS 52), SUM(t.wait_bucket IS 53),
       SUM(t.wait_bucket IS 54), SUM(t.wait_bucket IS 55), SUM(t.wait_bucket IS 56),
       SUM(t.wait_bucket IS 57)
FROM topic_tags tt JOIN topics t ON t.id = tt.topic_id
WHERE t.hidden = 0
  AND (tt.status = 'active'
       OR (tt.status = 'suggested' AND NOT EXISTS (
               SELECT 1 FROM topic_tags a WHERE a.topic_id = tt.topic_id AND a.status = 'active')))
GROUP BY 1, 2;

INSERT INTO tag_pair_rollup (day, tag_a, tag_b, topics)
SELECT t.created_at / 86400, x.tag_id, y.tag_id, COUNT(*)
FROM topic_tags x JOIN topic_tags y ON y.topic_id = x.topic_id AND y.tag_id > x.tag_id
JOIN topics t ON t.id = x.topic_id
WHERE t.hidden = 0 AND x.status = 'active' AND y.status = 'active'
GROUP BY 1, 2, 3;
