-- Speed for the moderators' reports on a big community (100k topics, 1M posts).

-- Tag reports read a period's topic_tags rows by topic id range; with status and tag_id in the
-- index they never touch the table (the primary key index lacks status).
CREATE INDEX topic_tags_by_topic ON topic_tags(topic_id, status, tag_id);

-- Each contributor's all-time post count. Top contributors of a period are found by walking
-- users from the most prolific down and stopping once nobody further can reach the list (a
-- period's posts never exceed the all-time count), instead of grouping every (day, user) row.
ALTER TABLE contributors ADD COLUMN posts INTEGER NOT NULL DEFAULT 0;
UPDATE contributors SET posts = (SELECT COUNT(*) FROM posts WHERE posts.author_id = contributors.user_id);
CREATE INDEX contributors_by_posts ON contributors(posts DESC, user_id);

DROP TRIGGER daily_posts;
CREATE TRIGGER daily_posts AFTER INSERT ON posts BEGIN
    INSERT INTO daily_activity (day, posts) VALUES (NEW.created_at / 86400, 1)
    ON CONFLICT (day) DO UPDATE SET posts = posts + 1;
    INSERT INTO daily_user_activity (day, user_id, posts) VALUES (NEW.created_at / 86400, NEW.author_id, 1)
    ON CONFLICT (day, user_id) DO UPDATE SET posts = posts + 1;
    INSERT INTO contributors (user_id, first_post_at, posts) VALUES (NEW.author_id, NEW.created_at, 1)
    ON CONFLICT (user_id) DO UPDATE SET first_post_at = MIN(first_post_at, excluded.first_post_at),
                                        posts = posts + 1;
END;
