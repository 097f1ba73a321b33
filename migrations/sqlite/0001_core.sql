-- Core forum schema. Times are INTEGER unix seconds (UTC): ranking and the dashboards do arithmetic
-- on them, and integers compare and index faster than ISO strings.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    -- NOCASE: "Alice" and "alice" are the same person for login and for uniqueness.
    username      TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    email         TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    -- argon2id PHC string; NULL for imported accounts, which cannot log in until they reset it.
    password_hash TEXT,
    role          TEXT    NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'moderator', 'admin')),
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER,
    banned_until  INTEGER
);

-- Only the SHA-256 of the session token is stored: a leaked database does not leak live sessions.
CREATE TABLE sessions (
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_by_user ON sessions(user_id);

CREATE TABLE topics (
    id                INTEGER PRIMARY KEY,
    title             TEXT    NOT NULL,
    author_id         INTEGER NOT NULL REFERENCES users(id),
    created_at        INTEGER NOT NULL,
    last_posted_at    INTEGER NOT NULL,
    reply_count       INTEGER NOT NULL DEFAULT 0,
    view_count        INTEGER NOT NULL DEFAULT 0,
    -- Denormalised from the first post's votes so lists need no join.
    score             INTEGER NOT NULL DEFAULT 0,
    -- Stored ranks (DESIGN §6), refreshed on writes and by the rank job, so lists are index scans.
    hot_rank          REAL    NOT NULL DEFAULT 0,
    active_rank       REAL    NOT NULL DEFAULT 0,
    locked            INTEGER NOT NULL DEFAULT 0,
    pinned            INTEGER NOT NULL DEFAULT 0,
    hidden            INTEGER NOT NULL DEFAULT 0,
    first_response_at INTEGER,
    predicted_quality REAL
);
CREATE INDEX topics_latest ON topics(hidden, pinned DESC, last_posted_at DESC);
CREATE INDEX topics_hot    ON topics(hidden, pinned DESC, hot_rank DESC);
CREATE INDEX topics_top    ON topics(hidden, created_at, score);
CREATE INDEX topics_by_author ON topics(author_id, created_at DESC);

CREATE TABLE posts (
    id         INTEGER PRIMARY KEY,
    topic_id   INTEGER NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
    author_id  INTEGER NOT NULL REFERENCES users(id),
    -- The topic's opening post carries its body; replies follow it in time order.
    is_first   INTEGER NOT NULL DEFAULT 0,
    body_md    TEXT    NOT NULL,
    -- Rendered once on write (pulldown-cmark + ammonia), never on read.
    body_html  TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    edited_at  INTEGER,
    score      INTEGER NOT NULL DEFAULT 0,
    upvotes    INTEGER NOT NULL DEFAULT 0,
    downvotes  INTEGER NOT NULL DEFAULT 0,
    hidden     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX posts_by_topic  ON posts(topic_id, created_at);
CREATE INDEX posts_by_author ON posts(author_id, created_at DESC);

-- Every edit keeps the previous text.
CREATE TABLE post_revisions (
    id         INTEGER PRIMARY KEY,
    post_id    INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    title      TEXT,
    body_md    TEXT    NOT NULL,
    edited_by  INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX post_revisions_by_post ON post_revisions(post_id);

CREATE TABLE tags (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    description TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
);

-- A tag on a topic, with where it came from. A model suggestion rejected by a moderator stays as a
-- 'rejected' row: it is a negative label for the next training run.
CREATE TABLE topic_tags (
    topic_id      INTEGER NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
    tag_id        INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    source        TEXT    NOT NULL CHECK (source IN ('author', 'moderator', 'model')),
    status        TEXT    NOT NULL CHECK (status IN ('active', 'suggested', 'rejected')),
    confidence    REAL,
    model_version INTEGER,
    decided_by    INTEGER REFERENCES users(id),
    decided_at    INTEGER,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (topic_id, tag_id)
);
CREATE INDEX topic_tags_by_tag ON topic_tags(tag_id, status, topic_id);

CREATE TABLE votes (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    post_id    INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    value      INTEGER NOT NULL CHECK (value IN (-1, 1)),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, post_id)
);
CREATE INDEX votes_by_post ON votes(post_id);
CREATE INDEX votes_by_time ON votes(created_at);

-- Full-text search over visible posts; the opening post also carries the topic title.
-- rowid = posts.id. Triggers keep it in sync so every writer (forms, API, importer) is covered.
CREATE VIRTUAL TABLE search_index USING fts5(title, body, tokenize = 'porter unicode61');

CREATE TRIGGER posts_search_insert AFTER INSERT ON posts WHEN NEW.hidden = 0 BEGIN
    INSERT INTO search_index(rowid, title, body)
    VALUES (NEW.id,
            CASE WHEN NEW.is_first THEN (SELECT title FROM topics WHERE id = NEW.topic_id) ELSE '' END,
            NEW.body_md);
END;

CREATE TRIGGER posts_search_update AFTER UPDATE OF body_md, hidden ON posts BEGIN
    DELETE FROM search_index WHERE rowid = OLD.id;
    INSERT INTO search_index(rowid, title, body)
    SELECT NEW.id,
           CASE WHEN NEW.is_first THEN (SELECT title FROM topics WHERE id = NEW.topic_id) ELSE '' END,
           NEW.body_md
    WHERE NEW.hidden = 0;
END;

CREATE TRIGGER posts_search_delete AFTER DELETE ON posts BEGIN
    DELETE FROM search_index WHERE rowid = OLD.id;
END;

CREATE TRIGGER topics_search_title AFTER UPDATE OF title ON topics BEGIN
    UPDATE search_index SET title = NEW.title
    WHERE rowid = (SELECT id FROM posts WHERE topic_id = NEW.id AND is_first = 1);
END;
