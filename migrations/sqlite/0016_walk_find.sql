-- Finding things (issue 17).
--
-- 1. Unreviewed suggestions are shown only to those who decide on them (the topic's author and
--    the moderators). A tag's list for everyone else holds the topics where the tag is active, so
--    it gets its own partial indexes, in the lists' orders as in 0013: a page (and with keyset
--    cursors a deep page) of a tag with many suggestions still reads just its rows.
CREATE INDEX topic_tags_active_latest
    ON topic_tags(tag_id, t_hidden, t_last_posted_at DESC, topic_id DESC) WHERE status = 'active';
CREATE INDEX topic_tags_active_hot
    ON topic_tags(tag_id, t_hidden, t_hot_rank DESC, topic_id DESC) WHERE status = 'active';
CREATE INDEX topic_tags_active_top
    ON topic_tags(tag_id, t_hidden, t_score DESC, topic_id DESC) WHERE status = 'active';

-- 2. Search reads the text a reader sees, never Markdown syntax (`**`, fences, link targets):
--    snippets are cut from what is indexed. `body_text` is the text of a post's rendered HTML
--    where that differs from `body_md` (local and JSON Lines posts, whose `body_md` is
--    Markdown); NULL where `body_md` already is that text (Stack Exchange imports, generated
--    posts), so the big imports carry no second copy. Writers set it with the HTML; the posts
--    from before this migration get it from `db::search::fill_body_text` when the database is
--    next opened (SQL cannot render HTML to text), which `search_text_backfill` tracks.
ALTER TABLE posts ADD COLUMN body_text TEXT;

CREATE TABLE search_text_backfill (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    -- The last post looked at; NULL once every post from before the migration has been.
    last_post_id INTEGER
);
INSERT INTO search_text_backfill (id, last_post_id)
SELECT 1, CASE WHEN EXISTS (SELECT 1 FROM posts) THEN 0 END;

DROP TRIGGER posts_search_insert;
DROP TRIGGER posts_search_update;
DROP TRIGGER posts_search_delete;
DROP TRIGGER topics_search_delete;
DROP TRIGGER topics_search_title;
DROP VIEW search_source;

CREATE VIEW search_source AS
SELECT p.id, CASE WHEN p.is_first THEN t.title ELSE '' END AS title,
       COALESCE(p.body_text, p.body_md) AS body
FROM posts p JOIN topics t ON t.id = p.topic_id
WHERE p.hidden = 0;

-- As in 0008, each trigger that takes a row out passes exactly the values that went in.
CREATE TRIGGER posts_search_insert AFTER INSERT ON posts WHEN NEW.hidden = 0 BEGIN
    INSERT INTO search_index (rowid, title, body)
    VALUES (NEW.id,
            CASE WHEN NEW.is_first THEN (SELECT title FROM topics WHERE id = NEW.topic_id) ELSE '' END,
            COALESCE(NEW.body_text, NEW.body_md));
END;

CREATE TRIGGER posts_search_update
AFTER UPDATE OF body_md, body_text, hidden, is_first, topic_id ON posts
BEGIN
    INSERT INTO search_index (search_index, rowid, title, body)
    SELECT 'delete', OLD.id,
           CASE WHEN OLD.is_first THEN (SELECT title FROM topics WHERE id = OLD.topic_id) ELSE '' END,
           COALESCE(OLD.body_text, OLD.body_md)
    WHERE OLD.hidden = 0;
    INSERT INTO search_index (rowid, title, body)
    SELECT NEW.id,
           CASE WHEN NEW.is_first THEN (SELECT title FROM topics WHERE id = NEW.topic_id) ELSE '' END,
           COALESCE(NEW.body_text, NEW.body_md)
    WHERE NEW.hidden = 0;
END;

CREATE TRIGGER posts_search_delete AFTER DELETE ON posts
WHEN OLD.hidden = 0
 AND (OLD.is_first = 0 OR EXISTS (SELECT 1 FROM topics WHERE id = OLD.topic_id)) BEGIN
    INSERT INTO search_index (search_index, rowid, title, body)
    VALUES ('delete', OLD.id,
            CASE WHEN OLD.is_first THEN (SELECT title FROM topics WHERE id = OLD.topic_id) ELSE '' END,
            COALESCE(OLD.body_text, OLD.body_md));
END;

CREATE TRIGGER topics_search_delete BEFORE DELETE ON topics BEGIN
    INSERT INTO search_index (search_index, rowid, title, body)
    SELECT 'delete', p.id, OLD.title, COALESCE(p.body_text, p.body_md)
    FROM posts p WHERE p.topic_id = OLD.id AND p.is_first = 1 AND p.hidden = 0;
END;

CREATE TRIGGER topics_search_title AFTER UPDATE OF title ON topics BEGIN
    INSERT INTO search_index (search_index, rowid, title, body)
    SELECT 'delete', p.id, OLD.title, COALESCE(p.body_text, p.body_md)
    FROM posts p WHERE p.topic_id = NEW.id AND p.is_first = 1 AND p.hidden = 0;
    INSERT INTO search_index (rowid, title, body)
    SELECT p.id, NEW.title, COALESCE(p.body_text, p.body_md)
    FROM posts p WHERE p.topic_id = NEW.id AND p.is_first = 1 AND p.hidden = 0;
END;

-- 3. A search of `tag:` filters alone lists the tag's newest topics first.
CREATE INDEX topic_tags_active_new
    ON topic_tags(tag_id, t_hidden, t_created_at DESC, topic_id DESC) WHERE status = 'active';

-- 4. Tag descriptions, written by moderators in Markdown and rendered once on write (like
--    posts). A description set before (by hand: nothing wrote one) shows as its plain text.
ALTER TABLE tags ADD COLUMN description_html TEXT NOT NULL DEFAULT '';
UPDATE tags
SET description_html =
    '<p>' || replace(replace(replace(description, '&', '&amp;'), '<', '&lt;'), '>', '&gt;') || '</p>'
WHERE description <> '';

-- 5. Scores: imported and local votes together. `posts.score` was the imported score until the
--    first local vote, which recomputed it from the votes table alone and so dropped the
--    imported part (a post at +40 on Stack Exchange fell to +1 on its first upvote here).
--    `source_score` keeps the imported score; `score` is now always
--        score = source_score + Σ local votes (each ±1)
--    kept by the vote write path (`db::votes::cast`) and the importer, and copied to the opening
--    post's topic (`topics.score`), whose "top" lists and keyset cursors read it from the
--    indexes `topics_top` and `topic_tags_*_top` as before. Imported posts that already lost
--    their imported score to a local vote cannot get it back from here: it comes back when the
--    dump is imported again.
ALTER TABLE posts ADD COLUMN source_score INTEGER NOT NULL DEFAULT 0;
UPDATE posts
SET source_score = score - COALESCE((SELECT SUM(value) FROM votes WHERE post_id = posts.id), 0)
WHERE source_key IS NOT NULL;
