-- The search index kept its own copy of every visible post's text: a fifth of a big forum's
-- database (575 MB of 2.6 GB for a million imported posts), written twice (WAL, then the file) on
-- every post. It now reads the text through a view of posts and topics (an FTS5 "external
-- content" table) and stores only the index. The index must then hold exactly what the view shows:
-- FTS5 takes a row out by re-tokenizing the values it was given, so every trigger that takes one
-- out passes the values that went in (the old body, the old title) and only for rows that are in
-- (visible posts). `INSERT INTO search_index(search_index, rank) VALUES ('integrity-check', 1)`
-- compares the index with the view; the tests run it after every kind of change.

DROP TRIGGER posts_search_insert;
DROP TRIGGER posts_search_update;
DROP TRIGGER posts_search_delete;
DROP TRIGGER topics_search_title;
DROP TABLE search_index;

-- What is searchable: visible posts; the opening post also carries its topic's title.
CREATE VIEW search_source AS
SELECT p.id, CASE WHEN p.is_first THEN t.title ELSE '' END AS title, p.body_md AS body
FROM posts p JOIN topics t ON t.id = p.topic_id
WHERE p.hidden = 0;

CREATE VIRTUAL TABLE search_index USING fts5(
    title, body, content = 'search_source', content_rowid = 'id', tokenize = 'porter unicode61'
);
INSERT INTO search_index (search_index) VALUES ('rebuild');

CREATE TRIGGER posts_search_insert AFTER INSERT ON posts WHEN NEW.hidden = 0 BEGIN
    INSERT INTO search_index (rowid, title, body)
    VALUES (NEW.id,
            CASE WHEN NEW.is_first THEN (SELECT title FROM topics WHERE id = NEW.topic_id) ELSE '' END,
            NEW.body_md);
END;

-- The topic's title is the indexed one: a title change re-indexes the opening post at once.
CREATE TRIGGER posts_search_update AFTER UPDATE OF body_md, hidden, is_first, topic_id ON posts
BEGIN
    INSERT INTO search_index (search_index, rowid, title, body)
    SELECT 'delete', OLD.id,
           CASE WHEN OLD.is_first THEN (SELECT title FROM topics WHERE id = OLD.topic_id) ELSE '' END,
           OLD.body_md
    WHERE OLD.hidden = 0;
    INSERT INTO search_index (rowid, title, body)
    SELECT NEW.id,
           CASE WHEN NEW.is_first THEN (SELECT title FROM topics WHERE id = NEW.topic_id) ELSE '' END,
           NEW.body_md
    WHERE NEW.hidden = 0;
END;

-- An opening post deleted with its topic (the cascade runs after the topic is gone) was taken out
-- by topics_search_delete, which still knew the title.
CREATE TRIGGER posts_search_delete AFTER DELETE ON posts
WHEN OLD.hidden = 0
 AND (OLD.is_first = 0 OR EXISTS (SELECT 1 FROM topics WHERE id = OLD.topic_id)) BEGIN
    INSERT INTO search_index (search_index, rowid, title, body)
    VALUES ('delete', OLD.id,
            CASE WHEN OLD.is_first THEN (SELECT title FROM topics WHERE id = OLD.topic_id) ELSE '' END,
            OLD.body_md);
END;

CREATE TRIGGER topics_search_delete BEFORE DELETE ON topics BEGIN
    INSERT INTO search_index (search_index, rowid, title, body)
    SELECT 'delete', p.id, OLD.title, p.body_md
    FROM posts p WHERE p.topic_id = OLD.id AND p.is_first = 1 AND p.hidden = 0;
END;

CREATE TRIGGER topics_search_title AFTER UPDATE OF title ON topics BEGIN
    INSERT INTO search_index (search_index, rowid, title, body)
    SELECT 'delete', p.id, OLD.title, p.body_md
    FROM posts p WHERE p.topic_id = NEW.id AND p.is_first = 1 AND p.hidden = 0;
    INSERT INTO search_index (rowid, title, body)
    SELECT p.id, NEW.title, p.body_md
    FROM posts p WHERE p.topic_id = NEW.id AND p.is_first = 1 AND p.hidden = 0;
END;
