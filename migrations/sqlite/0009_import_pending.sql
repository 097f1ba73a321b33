-- Rows an import wrote whose insert-only counters (daily signups, topics, posts and active users;
-- posts per user and day; contributors) are not counted yet. Counting them batch by batch updated
-- the same user rows fifty times in a million-post import (contributors alone: 5 s there against
-- 0.3 s in one pass), so each batch records its new id ranges here, in its own transaction, and
-- the counts are added once for all ranges (`db::bulk_load::count_pending`): at the end of the
-- import, and whenever the database is opened, so an import that was killed is counted too.
-- Counting a range deletes it in the same transaction: every row is counted exactly once.
-- Nothing else changes these counters for existing rows (they only grow on inserts), so adding
-- them late gives the same figures as adding them at once.
CREATE TABLE import_pending (
    users_after  INTEGER NOT NULL,
    users_last   INTEGER NOT NULL,
    topics_after INTEGER NOT NULL,
    topics_last  INTEGER NOT NULL,
    posts_after  INTEGER NOT NULL,
    posts_last   INTEGER NOT NULL
);
