-- Imported communities (Stack Exchange dumps, JSON Lines). Every imported row keeps the key it had in
-- its source, `<site>:<id>` (e.g. `ai.stackexchange.com:123`), so importing the same dump again
-- updates rows instead of duplicating them, and an interrupted import can simply be re-run.
-- Local rows have NULL keys (a UNIQUE index allows any number of NULLs, and a plain rather than a
-- partial index lets upserts name it as `ON CONFLICT (source_key)`).

ALTER TABLE users ADD COLUMN source_key TEXT;
-- The name and profile page on the original site, for attribution: local usernames are restricted to
-- [A-Za-z0-9_-] and unique, so "José Pérez" becomes a username like `Jos-Prez` and needs this to be
-- credited as the licence asks.
ALTER TABLE users ADD COLUMN source_name TEXT;
ALTER TABLE users ADD COLUMN source_url TEXT;
CREATE UNIQUE INDEX users_by_source_key ON users(source_key);

ALTER TABLE topics ADD COLUMN source_key TEXT;
-- CC BY-SA requires whoever shows the content to credit it: a link to the original, the author's
-- name linking to their profile there (users.source_name / source_url), and the licence.
ALTER TABLE topics ADD COLUMN source_url TEXT;
-- 'CC BY-SA 3.0' etc.: the dump's own ContentLicense when it has one, else decided by the post date.
ALTER TABLE topics ADD COLUMN source_license TEXT;
-- The answer count on the original site. reply_count counts the replies actually imported (deleted
-- or removed answers are missing from dumps, and JSON Lines carry no answers at all).
ALTER TABLE topics ADD COLUMN source_answer_count INTEGER;
CREATE UNIQUE INDEX topics_by_source_key ON topics(source_key);

ALTER TABLE posts ADD COLUMN source_key TEXT;
CREATE UNIQUE INDEX posts_by_source_key ON posts(source_key);
