//! Content reports: candidates for hot, rising and needs-attention. The queries narrow the field
//! with indexes; `forum::reports` scores and ranks what they return (DESIGN §6).
use crate::db::{Conn, on};

/// A visible topic with what the ranking formulas need.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TopicStats {
    pub id: i64,
    pub title: String,
    pub created_at: i64,
    pub score: i64,
    pub reply_count: i64,
    pub view_count: i64,
    pub hot_rank: f64,
    pub predicted_quality: Option<f64>,
}

macro_rules! stats_columns {
    () => {
        "t.id, t.title, t.created_at, t.score, t.reply_count, t.view_count, t.hot_rank,
         t.predicted_quality"
    };
}

/// The hottest visible topics by stored hot rank.
pub async fn hottest(conn: &mut Conn<'_>, limit: i64) -> sqlx::Result<Vec<TopicStats>> {
    on!(conn, {
        sqlx::query_as::<_, TopicStats>(concat!(
            "SELECT ",
            stats_columns!(),
            " FROM topics t WHERE t.hidden = 0 AND t.hot_rank > 0
              ORDER BY t.hot_rank DESC, t.id DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(conn)
        .await
    })
}

/// Visible topics created since `since` (rising looks at the last two days).
pub async fn created_since(conn: &mut Conn<'_>, since: i64) -> sqlx::Result<Vec<TopicStats>> {
    on!(conn, {
        sqlx::query_as::<_, TopicStats>(concat!(
            "SELECT ",
            stats_columns!(),
            " FROM topics t WHERE t.created_at >= $1 AND t.hidden = 0"
        ))
        .bind(since)
        .fetch_all(conn)
        .await
    })
}

/// Open, visible topics created since `since` that nobody but their author has answered.
pub async fn unanswered_since(conn: &mut Conn<'_>, since: i64) -> sqlx::Result<Vec<TopicStats>> {
    on!(conn, {
        sqlx::query_as::<_, TopicStats>(concat!(
            "SELECT ",
            stats_columns!(),
            " FROM topics t
              WHERE t.first_response_at IS NULL AND t.hidden = 0 AND t.created_at >= $1 AND t.locked = 0"
        ))
        .bind(since)
        .fetch_all(conn)
        .await
    })
}

/// Open, visible topics created in `[from, to)` that someone answered but whose author accepted no
/// answer, the newest first, at most `limit`.
pub async fn unresolved_between(
    conn: &mut Conn<'_>,
    from: i64,
    to: i64,
    limit: i64,
) -> sqlx::Result<Vec<TopicStats>> {
    on!(conn, {
        sqlx::query_as::<_, TopicStats>(concat!(
            "SELECT ",
            stats_columns!(),
            " FROM topics t
              WHERE t.created_at >= $1 AND t.created_at < $2 AND t.hidden = 0 AND t.locked = 0
                AND t.first_response_at IS NOT NULL AND t.accepted_post_id IS NULL
              ORDER BY t.created_at DESC LIMIT $3"
        ))
        .bind(from)
        .bind(to)
        .bind(limit)
        .fetch_all(conn)
        .await
    })
}

/// Topics per tag with an id of at least `first_topic_id` (active and suggested tags). Topic ids
/// grow with creation time, so this is a tag's recent activity read from the primary key range
/// without touching `topics`; an importer that inserts old history late only blurs it.
pub async fn tag_activity_since_topic(
    conn: &mut Conn<'_>,
    first_topic_id: i64,
) -> sqlx::Result<Vec<(i64, i64)>> {
    on!(conn, {
        sqlx::query_as(
            "SELECT tag_id, COUNT(*) FROM topic_tags
             WHERE topic_id >= $1 AND status IN ('active', 'suggested') GROUP BY tag_id",
        )
        .bind(first_topic_id)
        .fetch_all(conn)
        .await
    })
}

/// The first topic created at or after `since` (or one past the last).
pub async fn first_topic_since(conn: &mut Conn<'_>, since: i64) -> sqlx::Result<i64> {
    on!(conn, {
        let (id,): (i64,) = sqlx::query_as(
            "SELECT COALESCE((SELECT MIN(id) FROM topics WHERE created_at >= $1),
                             (SELECT COALESCE(MAX(id), 0) + 1 FROM topics))",
        )
        .bind(since)
        .fetch_one(conn)
        .await?;
        Ok(id)
    })
}

/// `(topic id, tag id)` of the active tags of the given topics.
pub async fn active_tags_of(
    conn: &mut Conn<'_>,
    topic_ids: &[i64],
) -> sqlx::Result<Vec<(i64, i64)>> {
    on!(conn, {
        sqlx::query_as(
            "SELECT topic_id, tag_id FROM topic_tags
             WHERE topic_id IN (SELECT value FROM json_each($1)) AND status = 'active'",
        )
        .bind(crate::db::json_ids(topic_ids))
        .fetch_all(conn)
        .await
    })
}

/// A model suggestion awaiting review, with the author's own tags of the topic.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Suggestion {
    pub topic_id: i64,
    pub title: String,
    pub tag: String,
    pub confidence: f64,
    /// Comma-separated; empty when the author gave none.
    pub author_tags: String,
}

macro_rules! suggestion_sql {
    ($where:literal) => {
        concat!(
            "SELECT s.topic_id, t.title, g.name AS tag, s.confidence,
                    COALESCE((SELECT GROUP_CONCAT(ga.name, ', ') FROM topic_tags a
                              JOIN tags ga ON ga.id = a.tag_id
                              WHERE a.topic_id = s.topic_id AND a.status = 'active'
                                AND a.source = 'author'), '') AS author_tags
             FROM topic_tags s JOIN topics t ON t.id = s.topic_id JOIN tags g ON g.id = s.tag_id
             WHERE s.status = 'suggested' AND t.hidden = 0 AND ",
            $where
        )
    };
}

/// Suggestions with confidence of at least `min_confidence` on topics whose author chose other
/// tags, the most confident first.
pub async fn confident_contradictions(
    conn: &mut Conn<'_>,
    min_confidence: f64,
    limit: i64,
) -> sqlx::Result<Vec<Suggestion>> {
    on!(conn, {
        sqlx::query_as::<_, Suggestion>(suggestion_sql!(
            "s.confidence >= $1 AND EXISTS (SELECT 1 FROM topic_tags a
                 WHERE a.topic_id = s.topic_id AND a.status = 'active' AND a.source = 'author')
             ORDER BY s.confidence DESC, s.topic_id DESC LIMIT $2"
        ))
        .bind(min_confidence)
        .bind(limit)
        .fetch_all(conn)
        .await
    })
}

/// Suggestions with confidence in `[low, high]`, nearest to a coin toss first: the model is
/// unsure, so a human label helps it most.
pub async fn uncertain_suggestions(
    conn: &mut Conn<'_>,
    low: f64,
    high: f64,
    limit: i64,
) -> sqlx::Result<Vec<Suggestion>> {
    on!(conn, {
        sqlx::query_as::<_, Suggestion>(suggestion_sql!(
            "s.confidence BETWEEN $1 AND $2 ORDER BY ABS(s.confidence - 0.5), s.topic_id DESC LIMIT $3"
        ))
        .bind(low)
        .bind(high)
        .bind(limit)
        .fetch_all(conn)
        .await
    })
}
