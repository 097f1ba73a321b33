-- Run after dml.sql: multi-row statements on topic_tags and topics in which SQLite's row-by-row
-- triggers pass through intermediate states (see the roll-up section of
-- migrations/postgres/0001_schema.sql). The roll-up values must agree; rows holding 0 that SQLite
-- creates for an intermediate state are not compared. Days 19679-19682.

INSERT INTO topics (id, title, author_id, created_at, last_posted_at, first_response_at) VALUES
    (8, 'Multi eight', 1, 1700265700, 1700265700, 1700265730),
    (9, 'Multi nine', 2, 1700352100, 1700352100, NULL),
    (10, 'Multi ten', 3, 1700438500, 1700438500, 1700439500),
    (11, 'Multi eleven', 4, 1700524900, 1700524900, 1700530000);

-- A suggestion inserted before an active tag in one statement (SQLite counts the suggestion in
-- between).
INSERT INTO topic_tags (topic_id, tag_id, source, status, confidence, created_at) VALUES
    (8, 2, 'model', 'suggested', 0.5, 1700265700), (8, 1, 'author', 'active', NULL, 1700265700);
-- An active tag and a suggestion deleted in one statement.
INSERT INTO topic_tags (topic_id, tag_id, source, status, created_at) VALUES (9, 4, 'author', 'active', 1700352100);
INSERT INTO topic_tags (topic_id, tag_id, source, status, created_at) VALUES (9, 5, 'model', 'suggested', 1700352100);
DELETE FROM topic_tags WHERE topic_id = 9;
-- An active tag and a suggestion both rejected in one update.
INSERT INTO topic_tags (topic_id, tag_id, source, status, created_at) VALUES (10, 1, 'author', 'active', 1700438500);
INSERT INTO topic_tags (topic_id, tag_id, source, status, created_at) VALUES (10, 2, 'model', 'suggested', 1700438500);
UPDATE topic_tags SET status = 'rejected' WHERE topic_id = 10;
-- An upsert that inserts one row and updates another of the same topic.
INSERT INTO topic_tags (topic_id, tag_id, source, status, created_at) VALUES (11, 2, 'model', 'suggested', 1700524900);
INSERT INTO topic_tags (topic_id, tag_id, source, status, created_at) VALUES
    (11, 1, 'author', 'active', 1700525000), (11, 2, 'author', 'active', 1700525000)
    ON CONFLICT (topic_id, tag_id) DO UPDATE SET status = excluded.status, source = excluded.source;
-- INSERT ... SELECT over several topics (as bulk.rs does from JSON).
INSERT INTO topic_tags (topic_id, tag_id, source, status, created_at)
    SELECT id, 4, 'moderator', 'active', created_at FROM topics WHERE id IN (8, 10, 11);
INSERT INTO topic_tags (topic_id, tag_id, source, status, created_at)
    SELECT id, 5, 'model', 'suggested', created_at FROM topics WHERE id IN (9, 10);
-- Multi-row moves of topics, and multi-row deletes.
UPDATE topics SET created_at = created_at + 86400 WHERE id IN (8, 10);
UPDATE topics SET first_response_at = 1700352200 WHERE id IN (9);
UPDATE topic_tags SET status = 'active' WHERE topic_id IN (9, 10) AND tag_id = 5;
DELETE FROM topic_tags WHERE tag_id = 4;
DELETE FROM topics WHERE id IN (9, 11);
