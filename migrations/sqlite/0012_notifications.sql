-- What brings members back: notifications (in the app and by e-mail), watched topics and tags,
-- password resets, and the member's own settings.

-- One notification for one member. Direct ones (a reply in your topic, a mention, your answer
-- accepted, your flag resolved, a moderator's action on your post) are written in the event's own
-- transaction; the watchers of a topic or tag are notified by the notify job from
-- `notification_queue`, so a post to a tag with thousands of watchers costs its author nothing.
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind IN ('reply', 'mention', 'accepted', 'flag_resolved',
                                                'post_hidden', 'retagged', 'watched_topic',
                                                'watched_tag', 'routed')),
    topic_id   INTEGER REFERENCES topics(id) ON DELETE CASCADE,
    post_id    INTEGER REFERENCES posts(id) ON DELETE CASCADE,
    actor_id   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    -- A reason or a list of tags, as the event had it.
    detail     TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    read_at    INTEGER,
    -- When the member's e-mail (immediate or in a digest) carried it; NULL = not yet, or never.
    mailed_at  INTEGER
);
-- A member's list, newest first, and their unread count, each from one index range.
CREATE INDEX notifications_by_user ON notifications(user_id, id);
CREATE INDEX notifications_unread ON notifications(user_id) WHERE read_at IS NULL;
-- The mail job's work: notifications not yet mailed, oldest first.
CREATE INDEX notifications_unmailed ON notifications(id) WHERE mailed_at IS NULL;
-- The routing cap (3 a day per member) counts a member's recent routed notifications.
CREATE INDEX notifications_routed ON notifications(user_id, created_at) WHERE kind = 'routed';

-- Fan-out work for the notify job: a new topic (for its tags' watchers) or a reply (for the
-- topic's watchers). Deleted once done.
CREATE TABLE notification_queue (
    id         INTEGER PRIMARY KEY,
    kind       TEXT    NOT NULL CHECK (kind IN ('new_topic', 'new_reply')),
    topic_id   INTEGER NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
    post_id    INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    actor_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
);

-- Who watches what. Authors watch their own topics.
CREATE TABLE topic_watches (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    topic_id   INTEGER NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, topic_id)
) WITHOUT ROWID;
CREATE INDEX topic_watches_by_topic ON topic_watches(topic_id, user_id);

CREATE TABLE tag_watches (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    tag_id     INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX tag_watches_by_tag ON tag_watches(tag_id, user_id);

-- Topics already routed to proven answerers (each at most once).
CREATE TABLE routed_topics (
    topic_id  INTEGER PRIMARY KEY REFERENCES topics(id) ON DELETE CASCADE,
    routed_at INTEGER NOT NULL,
    -- How many members were told.
    notified  INTEGER NOT NULL
);

-- Single-use password-reset links: only the SHA-256 of the token is kept.
CREATE TABLE password_resets (
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE INDEX password_resets_by_user ON password_resets(user_id);

-- A new e-mail address waiting for its owner to confirm it from the mail sent there.
CREATE TABLE email_changes (
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    email      TEXT    NOT NULL,
    expires_at INTEGER NOT NULL
);

-- Sign-ups waiting for their address to be confirmed (when the forum sends mail, an account is
-- made only from the link mailed to its address, so the form cannot tell who is registered).
CREATE TABLE pending_registrations (
    token_hash    TEXT    PRIMARY KEY,
    username      TEXT    NOT NULL,
    email         TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    expires_at    INTEGER NOT NULL
);

-- Secrets of this forum (the key that signs unsubscribe links), made once at first start.
CREATE TABLE secrets (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
);

-- The member's settings. Which events notify them (each on by default), how they hear of them
-- ('app': in the app only; 'immediate': also an e-mail each; 'digest': one e-mail a day), and a
-- short bio for the profile.
ALTER TABLE users ADD COLUMN bio TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN notify_replies INTEGER NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN notify_mentions INTEGER NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN notify_watched INTEGER NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN notify_moderation INTEGER NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN notify_routed INTEGER NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN email_delivery TEXT NOT NULL DEFAULT 'app'
    CHECK (email_delivery IN ('app', 'immediate', 'digest'));
ALTER TABLE users ADD COLUMN digest_sent_at INTEGER;
