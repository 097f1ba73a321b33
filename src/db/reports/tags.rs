//! Tag reports: use per period (trending), new tags, tags used together.
use std::collections::HashMap;

use sqlx::SqliteConnection;

/// A tag's topics in the period and in the period before.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TagUse {
    pub tag_id: i64,
    pub current: i64,
    pub previous: i64,
}

/// Topics per tag created in `[previous_from, from)` and `[from, to)`, with the same stand-in rule
/// as the response report: active tags, or the model's suggestions for a topic without any.
pub async fn use_by_tag(
    conn: &mut SqliteConnection,
    previous_from: i64,
    from: i64,
    to: i64,
) -> sqlx::Result<Vec<TagUse>> {
    sqlx::query_as::<_, TagUse>(
        "SELECT tt.tag_id, SUM(t.created_at >= ?2) AS current, SUM(t.created_at < ?2) AS previous
         FROM topics t JOIN topic_tags tt ON tt.topic_id = t.id
         WHERE t.created_at >= ?1 AND t.created_at < ?3 AND t.hidden = 0
           AND (tt.status = 'active'
                OR (tt.status = 'suggested' AND NOT EXISTS (
                        SELECT 1 FROM topic_tags h WHERE h.topic_id = t.id AND h.status = 'active')))
         GROUP BY tt.tag_id",
    )
    .bind(previous_from)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await
}

/// A tag first created in the period, with its topics so far (not counting rejected suggestions).
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct NewTag {
    pub tag: String,
    pub created_at: i64,
    pub topics: i64,
}

pub async fn created_between(
    conn: &mut SqliteConnection,
    from: i64,
    to: i64,
    limit: i64,
) -> sqlx::Result<Vec<NewTag>> {
    sqlx::query_as::<_, NewTag>(
        "SELECT g.name AS tag, g.created_at,
                (SELECT COUNT(*) FROM topic_tags tt
                 WHERE tt.tag_id = g.id AND tt.status IN ('active', 'suggested')) AS topics
         FROM tags g WHERE g.created_at >= ?1 AND g.created_at < ?2
         ORDER BY topics DESC, g.created_at DESC LIMIT ?3",
    )
    .bind(from)
    .bind(to)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Two tags people put on the same topics, most frequent pairs first (active tags only: a pair is
/// a human judgement that the subjects meet).
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct TagPair {
    pub tag_a: String,
    pub tag_b: String,
    pub topics: i64,
}

pub async fn top_pairs(
    conn: &mut SqliteConnection,
    from: i64,
    to: i64,
    limit: i64,
) -> sqlx::Result<Vec<TagPair>> {
    sqlx::query_as::<_, TagPair>(
        "SELECT ga.name AS tag_a, gb.name AS tag_b, p.topics
         FROM (SELECT a.tag_id AS a_id, b.tag_id AS b_id, COUNT(*) AS topics
               FROM topics t
               JOIN topic_tags a ON a.topic_id = t.id AND a.status = 'active'
               JOIN topic_tags b ON b.topic_id = t.id AND b.status = 'active' AND b.tag_id > a.tag_id
               WHERE t.created_at >= ?1 AND t.created_at < ?2 AND t.hidden = 0
               GROUP BY a.tag_id, b.tag_id
               ORDER BY topics DESC LIMIT ?3) p
         JOIN tags ga ON ga.id = p.a_id JOIN tags gb ON gb.id = p.b_id
         ORDER BY p.topics DESC, ga.name, gb.name",
    )
    .bind(from)
    .bind(to)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Every tag's name by id (a forum has hundreds, not millions, of tags).
pub async fn names(conn: &mut SqliteConnection) -> sqlx::Result<HashMap<i64, String>> {
    let rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM tags")
        .fetch_all(conn)
        .await?;
    Ok(rows.into_iter().collect())
}
