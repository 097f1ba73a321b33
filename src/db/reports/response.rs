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
    let (json,): (String,) = sqlx::query_as(
        "SELECT COALESCE(json_group_array(first_response_at - created_at), '[]') FROM topics
         WHERE created_at >= ?1 AND created_at < ?2 AND hidden = 0",
    )
    .bind(from)
    .bind(to)
    .fetch_one(conn)
    .await?;
    super::from_json(&json)
}
