use crate::db::{Conn, on};

/// Sets a user's vote on a post (+1, -1, or 0 to withdraw it), then recomputes the post's counts and,
/// for an opening post, the topic's score. Returns the post's new score: its imported score plus
/// the sum of its local votes (see migration 0016).
pub async fn cast(
    conn: &mut Conn<'_>,
    user_id: i64,
    post_id: i64,
    value: i64,
    now: i64,
) -> sqlx::Result<i64> {
    on!(conn, {
        if value == 0 {
            sqlx::query("DELETE FROM votes WHERE user_id = $1 AND post_id = $2")
                .bind(user_id)
                .bind(post_id)
                .execute(&mut *conn)
                .await?;
        } else {
            sqlx::query(
                "INSERT INTO votes (user_id, post_id, value, created_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (user_id, post_id) DO UPDATE SET value = excluded.value, created_at = excluded.created_at",
            )
            .bind(user_id)
            .bind(post_id)
            .bind(value)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        }
        let (score,): (i64,) = sqlx::query_as(
            "UPDATE posts SET
                 upvotes = (SELECT COUNT(*) FROM votes WHERE post_id = $1 AND value = 1),
                 downvotes = (SELECT COUNT(*) FROM votes WHERE post_id = $1 AND value = -1),
                 score = source_score + (SELECT COALESCE(SUM(value), 0) FROM votes WHERE post_id = $1)
             WHERE id = $1 RETURNING score",
        )
        .bind(post_id)
        .fetch_one(&mut *conn)
        .await?;
        sqlx::query(
            "UPDATE topics SET score = $1
             WHERE id = (SELECT topic_id FROM posts WHERE id = $2 AND is_first = 1)",
        )
        .bind(score)
        .bind(post_id)
        .execute(conn)
        .await?;
        Ok(score)
    })
}
