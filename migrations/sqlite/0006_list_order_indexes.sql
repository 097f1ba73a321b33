-- Topic lists order by (pinned, time or rank, id). Without the id in the index, topics that share a
-- timestamp (an import stamps thousands with the same time) are sorted in a temporary B-tree on
-- every page view; with it, a list page is a plain index walk.
DROP INDEX topics_latest;
DROP INDEX topics_hot;
CREATE INDEX topics_latest ON topics(hidden, pinned DESC, last_posted_at DESC, id DESC);
CREATE INDEX topics_hot    ON topics(hidden, pinned DESC, hot_rank DESC, id DESC);
