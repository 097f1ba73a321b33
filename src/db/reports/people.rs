//! People reports: who contributes most, who started contributing.
use crate::db::{Conn, on};

/// A user's posts and votes over a range of days (from the daily roll-up).
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Contribution {
    pub user_id: i64,
    pub username: String,
    pub posts: i64,
    pub votes: i64,
    pub active_days: i64,
}

/// Posters from the most prolific (all time) down, `limit` from `offset`: `(user id, posts)`.
pub async fn most_prolific(
    conn: &mut Conn<'_>,
    offset: i64,
    limit: i64,
) -> sqlx::Result<Vec<(i64, i64)>> {
    on!(conn, {
        sqlx::query_as(
            "SELECT user_id, posts FROM contributors ORDER BY posts DESC, user_id LIMIT $1 OFFSET $2",
        )
        .bind(limit)
        .bind(offset)
        .fetch_all(conn)
        .await
    })
}

/// Posts, votes and active days of the given users between the two days inclusive (users without
/// any activity then are left out).
pub async fn contributions_of(
    conn: &mut Conn<'_>,
    user_ids: &[i64],
    first_day: i64,
    last_day: i64,
) -> sqlx::Result<Vec<Contribution>> {
    on!(conn, {
        sqlx::query_as::<_, Contribution>(
            "SELECT a.user_id, u.username, CAST(SUM(a.posts) AS BIGINT) AS posts, CAST(SUM(a.votes) AS BIGINT) AS votes,
                    COUNT(*) AS active_days
             FROM daily_user_activity a JOIN users u ON u.id = a.user_id
             WHERE a.user_id IN (SELECT value FROM json_each($1)) AND a.day BETWEEN $2 AND $3
             GROUP BY a.user_id, u.username",
        )
        .bind(crate::db::json_ids(user_ids))
        .bind(first_day)
        .bind(last_day)
        .fetch_all(conn)
        .await
    })
}

/// A user whose first post fell in the period.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct NewContributor {
    pub user_id: i64,
    pub username: String,
    pub first_post_at: i64,
    pub signed_up_at: i64,
    pub posts: i64,
}

/// New contributors, the most recent first; `posts` counts their posts in the period.
pub async fn new_contributors(
    conn: &mut Conn<'_>,
    from: i64,
    to: i64,
    limit: i64,
) -> sqlx::Result<Vec<NewContributor>> {
    on!(conn, {
        sqlx::query_as::<_, NewContributor>(
            "SELECT c.user_id, u.username, c.first_post_at, u.created_at AS signed_up_at,
                    (SELECT CAST(COALESCE(SUM(a.posts), 0) AS BIGINT) FROM daily_user_activity a
                     WHERE a.user_id = c.user_id AND a.day BETWEEN $1 / 86400 AND ($2 - 1) / 86400) AS posts
             FROM contributors c JOIN users u ON u.id = c.user_id
             WHERE c.first_post_at >= $1 AND c.first_post_at < $2
             ORDER BY c.first_post_at DESC, c.user_id DESC LIMIT $3",
        )
        .bind(from)
        .bind(to)
        .bind(limit)
        .fetch_all(conn)
        .await
    })
}

/// How many users' first post fell in `[from, to)`.
pub async fn count_new_contributors(conn: &mut Conn<'_>, from: i64, to: i64) -> sqlx::Result<i64> {
    on!(conn, {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM contributors WHERE first_post_at >= $1 AND first_post_at < $2",
        )
        .bind(from)
        .bind(to)
        .fetch_one(conn)
        .await?;
        Ok(n)
    })
}
