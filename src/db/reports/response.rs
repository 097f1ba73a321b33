//! Time to first response, overall and per tag. Only visible topics count: a hidden one was spam
//! or removed, and nobody was meant to answer it.
use sqlx::SqliteConnection;

/// Waits (seconds to the first response by someone other than the author) of the topics created
/// in `[from, to)`, `None` for those still unanswered.
pub async fn waits(
    conn: &mut SqliteConnection,
    from: i64,
    to: i64,
) -> sqlx::Result<Vec<Option<i64>>> {
    let rows: Vec<(Option<i64>,)> = sqlx::query_as(
        "SELECT first_response_at - created_at FROM topics
         WHERE created_at >= ?1 AND created_at < ?2 AND hidden = 0",
    )
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(w,)| w).collect())
}

/// `(tag id, wait)` for every topic created in `[from, to)` and each of its tags. A topic's tags are
/// its active ones; a topic without any counts under the model's suggestions instead, so untagged
/// topics are not missing from the per-tag figures.
pub async fn waits_by_tag(
    conn: &mut SqliteConnection,
    from: i64,
    to: i64,
) -> sqlx::Result<Vec<(i64, Option<i64>)>> {
    sqlx::query_as(
        "SELECT tt.tag_id, t.first_response_at - t.created_at
         FROM topics t JOIN topic_tags tt ON tt.topic_id = t.id
         WHERE t.created_at >= ?1 AND t.created_at < ?2 AND t.hidden = 0
           AND (tt.status = 'active'
                OR (tt.status = 'suggested' AND NOT EXISTS (
                        SELECT 1 FROM topic_tags h WHERE h.topic_id = t.id AND h.status = 'active')))",
    )
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await
}
