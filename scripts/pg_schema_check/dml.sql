-- The same writes, run against a fresh SQLite database (migrations 0001-0018, foreign_keys = ON)
-- and a fresh PostgreSQL one (migrations/postgres): plain INSERT/UPDATE/DELETE with explicit ids
-- and literal values, in the order the forum would write them, chosen to fire every trigger
-- (single- and multi-row statements, upserts both ways, cascades). Days: D0 = 19675 (1699920000),
-- D1 = 19676 (1700006400), D2 = 19677 (1700092800), D3 = 19678 (1700179200).
-- No BLOB literals: X'..' is not portable (bytea columns are left NULL / untouched).

-- Bucket edges (db::connect writes the real ones).
INSERT INTO wait_buckets (lower_s, bucket) VALUES (0, 0), (60, 1), (120, 2), (600, 3), (3600, 4), (86400, 5);

-- Members: daily_signups.
INSERT INTO users (id, username, email, role, created_at) VALUES (1, 'alice', 'alice@example.com', 'admin', 1699920100);
INSERT INTO users (id, username, email, created_at) VALUES (2, 'bob', 'Bob@Example.com', 1699920200);
INSERT INTO users (id, username, email, role, created_at) VALUES (3, 'carol', 'carol@example.com', 'moderator', 1700006450),
                                                                  (4, 'dave', 'dave@example.com', 'member', 1700006460);
INSERT INTO users (id, username, email, created_at) VALUES (5, 'erin', 'erin@example.com', 1700092810);
INSERT INTO users (id, username, email, created_at, source_key, source_name) VALUES (6, 'frank', 'frank@example.com', 1700092820, 'ai.se:6', 'Frank F');

-- Sessions and the session epoch.
INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES
    ('s1', 1, 'c1', 1700000000, 1800000000), ('s2', 2, 'c2', 1700000000, 1800000000),
    ('s3', 5, 'c3', 1700100000, 1800000000), ('s4', 5, 'c4', 1700100000, 1800000000);
UPDATE users SET role = 'moderator' WHERE id = 2;                 -- bump
UPDATE users SET bio = 'Hello' WHERE id = 1;                      -- no bump (not a listed column)
UPDATE users SET username = 'alice' WHERE id = 1;                 -- no bump (WHEN false)
UPDATE users SET banned_until = 1700200000, ban_reason = 'spam' WHERE id IN (3, 4);   -- two bumps
UPDATE users SET password_hash = '$argon2id$x' WHERE id = 6;      -- bump
DELETE FROM sessions WHERE token_hash = 's1';                     -- bump
DELETE FROM users WHERE id = 5;                                   -- cascade: s3, s4 (two bumps) + one

-- Tags.
INSERT INTO tags (id, name, description, created_at) VALUES (1, 'rust', 'The language', 1699920000);
INSERT INTO tags (id, name, created_at) VALUES (2, 'sql', 1699920000), (3, 'web', 1699920000),
                                               (4, 'async', 1699920000), (5, 'misc', 1699920000);

-- Topics (daily_topics, response_rollup_topic_insert; topic 4 is hidden from the start).
INSERT INTO topics (id, title, author_id, created_at, last_posted_at) VALUES (1, 'Zebra crossing in rust', 1, 1699921000, 1699921000);
INSERT INTO topics (id, title, author_id, created_at, last_posted_at) VALUES (2, 'Quokka database question', 2, 1699922000, 1699922000);
INSERT INTO topics (id, title, author_id, created_at, last_posted_at) VALUES (3, 'Platypus web frameworks', 3, 1700006900, 1700006900);
INSERT INTO topics (id, title, author_id, created_at, last_posted_at, hidden) VALUES (4, 'Hidden wombat topic', 4, 1700007000, 1700007000, 1);
INSERT INTO topics (id, title, author_id, created_at, last_posted_at) VALUES
    (5, 'Narwhal async runtime', 6, 1700092900, 1700092900),
    (6, 'Ocelot to be deleted', 1, 1700093000, 1700093000);
INSERT INTO topics (id, title, author_id, created_at, last_posted_at, hot_rank) VALUES (7, 'Axolotl pairs', 2, 1700179300, 1700179300, 0.5);

-- Opening posts (daily_posts, posts_search_insert with the title).
INSERT INTO posts (id, topic_id, author_id, is_first, body_md, body_html, created_at) VALUES
    (1, 1, 1, 1, 'How do I cross a zebra safely', '<p>How do I cross a zebra safely</p>', 1699921000);
INSERT INTO posts (id, topic_id, author_id, is_first, body_md, body_html, body_text, created_at) VALUES
    (2, 2, 2, 1, 'My **quokka** table is slow', '<p>My <strong>quokka</strong> table is slow</p>', 'My quokka table is slow', 1699922000);
INSERT INTO posts (id, topic_id, author_id, is_first, body_md, body_html, created_at) VALUES
    (3, 3, 3, 1, 'Which platypus framework', '<p>Which platypus framework</p>', 1700006900),
    (4, 4, 4, 1, 'A wombat hides here', '<p>A wombat hides here</p>', 1700007000);
INSERT INTO posts (id, topic_id, author_id, is_first, body_md, body_html, created_at) VALUES
    (5, 5, 6, 1, 'Narwhal executors compared', '<p>Narwhal executors compared</p>', 1700092900),
    (6, 6, 1, 1, 'An ocelot question', '<p>An ocelot question</p>', 1700093000),
    (14, 7, 2, 1, 'Axolotl body', '<p>Axolotl body</p>', 1700179300);

-- Replies (one hidden from the start: posts_search_insert's WHEN is false), first responses.
INSERT INTO posts (id, topic_id, author_id, body_md, body_html, created_at) VALUES (7, 1, 2, 'A *lemur* reply', '<p>A <em>lemur</em> reply</p>', 1699921030);
UPDATE topics SET first_response_at = 1699921030, reply_count = 1, last_posted_at = 1699921030 WHERE id = 1;
INSERT INTO posts (id, topic_id, author_id, body_md, body_html, created_at) VALUES (8, 1, 3, 'Use the zebra crossing lights', '<p>Use the zebra crossing lights</p>', 1699921500);
UPDATE topics SET reply_count = 2, last_posted_at = 1699921500 WHERE id = 1;
INSERT INTO posts (id, topic_id, author_id, body_md, body_html, created_at) VALUES (9, 2, 1, 'Add an index for the quokka', '<p>Add an index for the quokka</p>', 1699922700);
UPDATE topics SET first_response_at = 1699922700, reply_count = 1, last_posted_at = 1699922700 WHERE id = 2;
INSERT INTO posts (id, topic_id, author_id, body_md, body_html, created_at, hidden) VALUES (10, 3, 4, 'Hidden gecko reply', '<p>Hidden gecko reply</p>', 1700007200, 1);
INSERT INTO posts (id, topic_id, author_id, body_md, body_html, created_at) VALUES
    (11, 5, 2, 'Narwhal tokio answer', '<p>Narwhal tokio answer</p>', 1700097800),
    (12, 6, 3, 'Ocelot reply', '<p>Ocelot reply</p>', 1700093300);
-- An imported answer dated before its topic (wait_s = 0) and before its author's other post
-- (contributors.first_post_at takes the minimum).
INSERT INTO posts (id, topic_id, author_id, body_md, body_html, created_at, source_key, source_score) VALUES (13, 5, 6, 'Early narwhal import', '<p>Early narwhal import</p>', 1699920150, 'ai.se:13', 4);
UPDATE topics SET first_response_at = 1700092850, reply_count = 2, last_posted_at = 1700097800 WHERE id = 5;
UPDATE topics SET first_response_at = 1700093300, reply_count = 1 WHERE id = 6;
UPDATE topics SET first_response_at = 1700179300 + 100000 WHERE id = 7;

-- Tags on topics. First a statement that changes no row (the session's first on topic_tags: its
-- statement trigger runs before any row trigger has made the session's notes table).
DELETE FROM topic_tags WHERE topic_id = 0;
-- Single and multi-row inserts, a rejected one, upserts both ways.
INSERT INTO topic_tags (topic_id, tag_id, source, status, created_at) VALUES (1, 1, 'author', 'active', 1699921000);
INSERT INTO topic_tags (topic_id, tag_id, source, status, created_at) VALUES (1, 2, 'author', 'active', 1699921000);
INSERT INTO topic_tags (topic_id, tag_id, source, status, confidence, model_version, created_at) VALUES
    (2, 2, 'model', 'suggested', 0.7, 1, 1699922000), (2, 3, 'model', 'suggested', 0.4, 1, 1699922000);
INSERT INTO topic_tags (topic_id, tag_id, source, status, confidence, created_at) VALUES (2, 4, 'model', 'rejected', 0.1, 1699922000);
INSERT INTO topic_tags (topic_id, tag_id, source, status, created_at) VALUES
    (3, 3, 'author', 'active', 1700006900), (3, 4, 'author', 'active', 1700006900);
INSERT INTO topic_tags (topic_id, tag_id, source, status, confidence, created_at) VALUES (3, 1, 'model', 'suggested', 0.55, 1700006900);
INSERT INTO topic_tags (topic_id, tag_id, source, status, created_at) VALUES (4, 1, 'author', 'active', 1700007000);
INSERT INTO topic_tags (topic_id, tag_id, source, status, created_at) VALUES
    (5, 4, 'author', 'active', 1700092900), (6, 1, 'author', 'active', 1700093000), (6, 5, 'author', 'active', 1700093000);
INSERT INTO topic_tags (topic_id, tag_id, source, status, confidence, created_at) VALUES
    (5, 1, 'model', 'suggested', 0.9, 1700092900), (5, 2, 'model', 'suggested', 0.3, 1700092900);
INSERT INTO topic_tags (topic_id, tag_id, source, status, confidence, created_at) VALUES
    (7, 1, 'model', 'suggested', 0.8, 1700179300), (7, 2, 'model', 'suggested', 0.6, 1700179300);
-- DO NOTHING (no trigger) and DO UPDATE (the update triggers: suggested -> active).
INSERT INTO topic_tags (topic_id, tag_id, source, status, created_at) VALUES (1, 1, 'model', 'suggested', 1699921000)
    ON CONFLICT (topic_id, tag_id) DO NOTHING;
INSERT INTO topic_tags (topic_id, tag_id, source, status, decided_by, decided_at, created_at) VALUES (5, 1, 'author', 'active', 6, 1700093500, 1700093500)
    ON CONFLICT (topic_id, tag_id) DO UPDATE SET status = 'active', decided_by = excluded.decided_by, decided_at = excluded.decided_at;
-- Review decisions: reject one; accept both of a topic's suggestions at once (multi-row update).
UPDATE topic_tags SET status = 'rejected', decided_by = 3, decided_at = 1700010000 WHERE topic_id = 3 AND tag_id = 1 AND status = 'suggested';
UPDATE topic_tags SET status = 'active', decided_by = 3, decided_at = 1700180000 WHERE topic_id = 7 AND status = 'suggested';
-- A status-preserving update (no roll-up change) and a row moved to another tag.
UPDATE topic_tags SET confidence = 0.95 WHERE topic_id = 5 AND tag_id = 1;
UPDATE topic_tags SET tag_id = 5 WHERE topic_id = 5 AND tag_id = 4;
-- Replacing suggestions: all of a topic's suggestions (no active tag) at once, one of them with an
-- active tag beside it.
DELETE FROM topic_tags WHERE topic_id = 2 AND status = 'suggested';
DELETE FROM topic_tags WHERE topic_id = 5 AND status = 'suggested';
INSERT INTO topic_tags (topic_id, tag_id, source, status, created_at) VALUES (2, 2, 'moderator', 'active', 1699923000);
-- Retagging: an active tag removed; a tag added then the tag deleted (cascade).
DELETE FROM topic_tags WHERE topic_id = 1 AND tag_id = 2;
INSERT INTO topic_tags (topic_id, tag_id, source, status, created_at) VALUES (1, 3, 'moderator', 'active', 1699925000), (1, 4, 'moderator', 'active', 1699925000);
DELETE FROM tags WHERE id = 3;

-- Votes (daily_votes); a changed vote is an update and is not counted again.
INSERT INTO votes (user_id, post_id, value, created_at) VALUES (1, 7, 1, 1699921100);
INSERT INTO votes (user_id, post_id, value, created_at) VALUES (3, 7, 1, 1700006510), (2, 1, -1, 1699921200);
INSERT INTO votes (user_id, post_id, value, created_at) VALUES (4, 9, 1, 1700006600), (6, 11, 1, 1700098000);
UPDATE votes SET value = 1 WHERE user_id = 2 AND post_id = 1;
UPDATE posts SET score = 2, upvotes = 2 WHERE id = 7;
UPDATE posts SET score = 1, upvotes = 1 WHERE id = 1;
UPDATE topics SET score = 1, hot_rank = 1.2345678, active_rank = 0.25 WHERE id = 1;

-- Flags (daily_flags) and their resolution.
INSERT INTO flags (id, post_id, reporter_id, reason, created_at) VALUES (1, 8, 4, 'spam', 1700007300);
INSERT INTO flags (id, post_id, reporter_id, reason, note, created_at) VALUES (2, 11, 1, 'abuse', 'rude', 1700098100);
UPDATE flags SET status = 'hidden', resolved_by = 3, resolved_at = 1700010000 WHERE post_id = 8 AND status = 'open';

-- Accepted answers; hiding the accepted post clears it (posts_hidden_clear_accepted).
UPDATE topics SET accepted_post_id = 8 WHERE id = 1;
UPDATE topics SET accepted_post_id = 9 WHERE id = 2;
UPDATE topics SET accepted_post_id = 11 WHERE id = 5;
UPDATE posts SET hidden = 1 WHERE id = 8;
UPDATE posts SET hidden = 0 WHERE id = 10;

-- Edits (posts_search_update), a revision, a title change (topics_search_title), a moved reply.
INSERT INTO post_revisions (id, post_id, title, body_md, edited_by, created_at) VALUES (1, 9, NULL, 'Add an index for the quokka', 1, 1700000000);
UPDATE posts SET body_md = 'Add a tapir index', body_html = '<p>Add a tapir index</p>', edited_at = 1700000000 WHERE id = 9;
UPDATE posts SET body_text = 'A lemur reply, rendered' WHERE id = 7;
UPDATE topics SET title = 'Quokka and capybara databases' WHERE id = 2;
UPDATE posts SET topic_id = 2 WHERE id = 13;

-- Hide/unhide and re-date topics (response_rollup_topic_update, topics_sort_copy).
UPDATE topics SET hidden = 1 WHERE id IN (1, 3);
UPDATE topics SET hidden = 0 WHERE id = 1;
UPDATE topics SET hidden = 0 WHERE id = 4;
UPDATE topics SET created_at = 1700006410 WHERE id = 2;
UPDATE topics SET last_posted_at = 1700179999, pinned = 1 WHERE id = 7;
UPDATE topics SET locked = 1 WHERE id = 3;
-- Tags of a hidden topic change: nothing is counted.
DELETE FROM topic_tags WHERE topic_id = 3;

-- Notifications, watches, routing, the rest of the member tables.
INSERT INTO notifications (id, user_id, kind, topic_id, post_id, actor_id, created_at) VALUES
    (1, 6, 'reply', 5, 11, 2, 1700097800), (2, 1, 'reply', 6, 12, 3, 1700093300),
    (3, 2, 'accepted', 2, 9, 2, 1700000000), (4, 4, 'flag_resolved', NULL, NULL, 3, 1700010000);
UPDATE notifications SET read_at = 1700100000 WHERE id = 3;
INSERT INTO notification_queue (id, kind, topic_id, post_id, actor_id, created_at) VALUES (1, 'new_reply', 6, 12, 3, 1700093300);
INSERT INTO topic_watches (user_id, topic_id, created_at) VALUES (1, 6, 1700093000), (2, 2, 1699922000);
INSERT INTO tag_watches (user_id, tag_id, created_at) VALUES (1, 5, 1700000000), (2, 1, 1700000000);
INSERT INTO routed_topics (topic_id, routed_at, notified) VALUES (6, 1700094000, 2);
INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ('r1', 2, 1700000000, 1700003600);
INSERT INTO email_changes (token_hash, user_id, email, expires_at) VALUES ('e1', 4, 'dave@new.example.com', 1700100000);
INSERT INTO pending_registrations (token_hash, username, email, password_hash, expires_at) VALUES ('p1', 'gina', 'gina@example.com', '$argon2id$y', 1700100000);
INSERT INTO moderation_log (id, moderator_id, action, target_kind, target_id, topic_id, detail, created_at) VALUES (1, 3, 'hide_post', 'post', 8, 1, 'spam', 1700010000);
INSERT INTO model_versions (id, created_at, finished_at, status, "trigger", examples, micro_f1, train_seconds) VALUES (1, 1700000000, 1700000100, 'champion', 'cli', 500, 0.6123456789, 12.5);
INSERT INTO retrain_requests (id, requested_by, requested_at) VALUES (1, 3, 1700000200);
INSERT INTO import_pending (users_after, users_last, topics_after, topics_last, posts_after, posts_last) VALUES (0, 6, 0, 7, 0, 14);
UPDATE search_text_backfill SET last_post_id = NULL WHERE id = 1;

-- Deletes: the accepted answer of topic 5 (accepted_post_id SET NULL, its flag, vote and
-- notification cascade); a whole topic with tags, posts, watches and notifications.
DELETE FROM posts WHERE id = 11;
DELETE FROM topics WHERE id = 6;
-- A reply deleted on its own.
DELETE FROM posts WHERE id = 13;
