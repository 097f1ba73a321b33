//! People reports: who contributes most, who started contributing.
use sqlx::SqliteConnection;

/// A user's posts and votes over a range of days (from the daily roll-up).
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Contribution {
    pub user_id: i64,
    pub username: String,
    pub posts: i64,
    pub votes: i64,
    pub active_days: i64,
}

/// Most posts between the two days inclusive.
pub async fn top_contributors(
    conn: &mut SqliteConnection,
    first_day: i64,
    last_day: i64,
    limit: i64,
) -> sqlx::Result<Vec<Contribution>> {
    sqlx::query_as::<_, Contribution>(
        "SELECT c.user_id, u.username, c.posts, c.votes, c.active_days
         FROM (SELECT user_id, SUM(posts) AS posts, SUM(votes) AS votes, COUNT(*) AS active_days
               FROM daily_user_activity WHERE day BETWEEN ?1 AND ?2
               GROUP BY user_id ORDER BY posts DESC, user_id LIMIT ?3) c
         JOIN users u ON u.id = c.user_id
         ORDER BY c.posts DESC, c.user_id",
    )
    .bind(first_day)
    .bind(last_day)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Posts of the given users between the two days (for the previous period of top contributors).
pub async fn posts_of(
    conn: &mut SqliteConnection,
    user_ids: &[i64],
    first_day: i64,
    last_day: i64,
) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT user_id, SUM(posts) FROM daily_user_activity
         WHERE user_id IN (SELECT value FROM json_each(?1)) AND day BETWEEN ?2 AND ?3
         GROUP BY user_id",
    )
    .bind(crate::db::json_ids(user_ids))
    .bind(first_day)
    .bind(last_day)
    .fetch_all(conn)
    .await
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

/// New contributors, the most prolific first; `posts` counts their posts in the period.
pub async fn new_contributors(
    conn: &mut SqliteConnection,
    from: i64,
    to: i64,
    limit: i64,
) -> sqlx::Result<Vec<NewContributor>> {
    sqlx::query_as::<_, NewContributor>(
        "SELECT c.user_id, u.username, c.first_post_at, u.created_at AS signed_up_at,
                (SELECT COALESCE(SUM(a.posts), 0) FROM daily_user_activity a
                 WHERE a.user_id = c.user_id AND a.day BETWEEN ?1 / 86400 AND (?2 - 1) / 86400) AS posts
         FROM contributors c JOIN users u ON u.id = c.user_id
         WHERE c.first_post_at >= ?1 AND c.first_post_at < ?2
         ORDER BY posts DESC, c.first_post_at DESC LIMIT ?3",
    )
    .bind(from)
    .bind(to)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// How many users' first post fell in `[from, to)`.
pub async fn count_new_contributors(
    conn: &mut SqliteConnection,
    from: i64,
    to: i64,
) -> sqlx::Result<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM contributors WHERE first_post_at >= ?1 AND first_post_at < ?2",
    )
    .bind(from)
    .bind(to)
    .fetch_one(conn)
    .await?;
    Ok(n)
}
