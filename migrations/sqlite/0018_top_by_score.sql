-- The whole forum's top lists read topics in score order and skip those older than the period
-- (db::topics::list names this index): on 100k topics a month's top page took 90 ms through
-- topics_top, which sorts every topic of the period by score, and takes 1 ms through this one.
-- The shortest period, a day, reads ~3,000 index entries to fill a page (6 ms).
CREATE INDEX topics_score ON topics(hidden, score DESC, id DESC);
