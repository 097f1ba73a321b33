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
