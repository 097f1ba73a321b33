-- Accepted answers: the topic's author (or a moderator) marks one reply as the answer.
--
-- The answer is a column of its topic rather than a flag on the post, so "one answer per topic"
-- holds by construction and lists read it without a join. ON DELETE SET NULL keeps it pointing at
-- a post that exists; the trigger below clears it when the post is hidden, so a hidden post is
-- never shown (or counted) as an answer. Unhiding does not bring it back: the author accepts again.
ALTER TABLE topics ADD COLUMN accepted_post_id INTEGER REFERENCES posts(id) ON DELETE SET NULL;

-- Answered topics by creation time: the dashboards' time to accepted answer and the
-- `?status=answered` filter of periods. (The topic lists apply `?status=` as a condition while
-- scanning their own order index: answered and unanswered topics are both common, so a page reads
-- about twice its rows.)
CREATE INDEX topics_answered ON topics(created_at) WHERE accepted_post_id IS NOT NULL;
-- From the post to the topic it answers: the trigger below and ON DELETE SET NULL.
CREATE INDEX topics_by_accepted_post ON topics(accepted_post_id) WHERE accepted_post_id IS NOT NULL;

CREATE TRIGGER posts_hidden_clear_accepted AFTER UPDATE OF hidden ON posts
WHEN NEW.hidden = 1 AND OLD.hidden = 0 BEGIN
    UPDATE topics SET accepted_post_id = NULL WHERE accepted_post_id = NEW.id;
END;
