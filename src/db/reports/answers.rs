//! Accepted answers and routing on the Responsiveness dashboard. Both read the topics (and the
//! routed ones) of one period, through the `topics_answered` index and the creation-time range.
use crate::db::{Conn, on};

/// Seconds from question to accepted answer (when the answer was posted) of the visible topics
/// created in `[from, to)` that have one.
pub async fn accepted_waits(conn: &mut Conn<'_>, from: i64, to: i64) -> sqlx::Result<Vec<i64>> {
    on!(conn, {
        let (json,): (String,) = sqlx::query_as(
            "SELECT COALESCE(json_group_array(MAX(p.created_at - t.created_at, 0)), '[]')
             FROM topics t JOIN posts p ON p.id = t.accepted_post_id
             WHERE t.accepted_post_id IS NOT NULL AND t.created_at >= $1 AND t.created_at < $2
               AND t.hidden = 0",
        )
        .bind(from)
        .bind(to)
        .fetch_one(conn)
        .await?;
        super::from_json(&json)
    })
}

/// Waits for a first response after routing, of the visible topics routed to someone in
/// `[from, to)`; `None` for those still without one.
pub async fn routed_waits(
    conn: &mut Conn<'_>,
    from: i64,
    to: i64,
) -> sqlx::Result<Vec<Option<i64>>> {
    on!(conn, {
        let (json,): (String,) = sqlx::query_as(
            "SELECT COALESCE(json_group_array(MAX(t.first_response_at - r.routed_at, 0)), '[]')
             FROM routed_topics r JOIN topics t ON t.id = r.topic_id
             WHERE r.routed_at >= $1 AND r.routed_at < $2 AND r.notified > 0 AND t.hidden = 0",
        )
        .bind(from)
        .bind(to)
        .fetch_one(conn)
        .await?;
        super::from_json(&json)
    })
}

/// The comparison for [`routed_waits`]: visible topics nobody was told of that also had no
/// response for `after_hours`, with that moment in `[from, to)`, and their waits for a first
/// response after it (`None`: none yet).
pub async fn unrouted_waits(
    conn: &mut Conn<'_>,
    from: i64,
    to: i64,
    after_hours: i64,
) -> sqlx::Result<Vec<Option<i64>>> {
    on!(conn, {
        let (json,): (String,) = sqlx::query_as(
            "SELECT COALESCE(json_group_array(t.first_response_at - (t.created_at + $3 * 3600)), '[]')
             FROM topics t
             WHERE t.created_at >= $1 - $3 * 3600 AND t.created_at < $2 - $3 * 3600 AND t.hidden = 0
               AND (t.first_response_at IS NULL OR t.first_response_at >= t.created_at + $3 * 3600)
               AND NOT EXISTS (SELECT 1 FROM routed_topics r
                               WHERE r.topic_id = t.id AND r.notified > 0)",
        )
        .bind(from)
        .bind(to)
        .bind(after_hours)
        .fetch_one(conn)
        .await?;
        super::from_json(&json)
    })
}
