-- Members' speed (issue 15).
--
-- 1. Sessions are cached in the web process's memory. Whatever may end a session or change what a
--    request learns from it (a deleted session; a user's role, ban, password or name) bumps this
--    one-row epoch in the same transaction. The server re-reads it after each of its own writes and
--    once a second (for the CLI and other processes) and drops its cached sessions when it moved.
CREATE TABLE session_epoch (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    epoch INTEGER NOT NULL
);
INSERT INTO session_epoch (id, epoch) VALUES (1, 0);

CREATE TRIGGER session_epoch_session_delete AFTER DELETE ON sessions BEGIN
    UPDATE session_epoch SET epoch = epoch + 1 WHERE id = 1;
END;

CREATE TRIGGER session_epoch_user_update
AFTER UPDATE OF role, banned_until, password_hash, username ON users
WHEN OLD.role IS NOT NEW.role OR OLD.banned_until IS NOT NEW.banned_until
  OR OLD.password_hash IS NOT NEW.password_hash OR OLD.username IS NOT NEW.username
BEGIN
    UPDATE session_epoch SET epoch = epoch + 1 WHERE id = 1;
END;

CREATE TRIGGER session_epoch_user_delete AFTER DELETE ON users BEGIN
    UPDATE session_epoch SET epoch = epoch + 1 WHERE id = 1;
END;

-- 2. A tag's lists read in order from an index instead of sorting all of the tag's topics: each
--    topic_tags row carries copies of its topic's sort columns, kept by the triggers below, and
--    partial indexes over the listed rows (active or suggested) order them as the lists do, so a
--    page (and, with keyset cursors, a deep page) reads just its rows.
ALTER TABLE topic_tags ADD COLUMN t_hidden INTEGER NOT NULL DEFAULT 0;
ALTER TABLE topic_tags ADD COLUMN t_created_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE topic_tags ADD COLUMN t_last_posted_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE topic_tags ADD COLUMN t_hot_rank REAL NOT NULL DEFAULT 0;
ALTER TABLE topic_tags ADD COLUMN t_score INTEGER NOT NULL DEFAULT 0;

UPDATE topic_tags
SET (t_hidden, t_created_at, t_last_posted_at, t_hot_rank, t_score) =
    (SELECT hidden, created_at, last_posted_at, hot_rank, score FROM topics
     WHERE topics.id = topic_tags.topic_id);

CREATE INDEX topic_tags_latest ON topic_tags(tag_id, t_hidden, t_last_posted_at DESC, topic_id DESC)
    WHERE status IN ('active', 'suggested');
CREATE INDEX topic_tags_hot ON topic_tags(tag_id, t_hidden, t_hot_rank DESC, topic_id DESC)
    WHERE status IN ('active', 'suggested');
CREATE INDEX topic_tags_top ON topic_tags(tag_id, t_hidden, t_score DESC, topic_id DESC)
    WHERE status IN ('active', 'suggested');

CREATE TRIGGER topic_tags_sort_copy AFTER INSERT ON topic_tags BEGIN
    UPDATE topic_tags
    SET (t_hidden, t_created_at, t_last_posted_at, t_hot_rank, t_score) =
        (SELECT hidden, created_at, last_posted_at, hot_rank, score FROM topics
         WHERE topics.id = NEW.topic_id)
    WHERE topic_id = NEW.topic_id AND tag_id = NEW.tag_id;
END;

CREATE TRIGGER topics_sort_copy
AFTER UPDATE OF hidden, created_at, last_posted_at, hot_rank, score ON topics
WHEN (OLD.hidden, OLD.created_at, OLD.last_posted_at, OLD.hot_rank, OLD.score)
     IS NOT (NEW.hidden, NEW.created_at, NEW.last_posted_at, NEW.hot_rank, NEW.score)
BEGIN
    UPDATE topic_tags
    SET t_hidden = NEW.hidden, t_created_at = NEW.created_at,
        t_last_posted_at = NEW.last_posted_at, t_hot_rank = NEW.hot_rank, t_score = NEW.score
    WHERE topic_id = NEW.id;
END;
