//! Daily activity: signups, active users, topics, posts, votes, flags.
use crate::db::{Conn, on};

/// One day of `daily_activity`. Days without a row had no activity.
#[derive(Debug, Clone, Copy, Default, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct DailyCounts {
    pub day: i64,
    pub signups: i64,
    pub active_users: i64,
    pub topics: i64,
    pub posts: i64,
    pub votes: i64,
    pub flags: i64,
}

/// Every day from `first_day` to `last_day` inclusive, zeros where nothing happened.
pub async fn daily(
    conn: &mut Conn<'_>,
    first_day: i64,
    last_day: i64,
) -> sqlx::Result<Vec<DailyCounts>> {
    on!(conn, {
        let rows = sqlx::query_as::<_, DailyCounts>(
            "SELECT day, signups, active_users, topics, posts, votes, flags
             FROM daily_activity WHERE day BETWEEN $1 AND $2 ORDER BY day",
        )
        .bind(first_day)
        .bind(last_day)
        .fetch_all(conn)
        .await?;
        let mut rows = rows.into_iter().peekable();
        Ok((first_day..=last_day)
            .map(|day| match rows.next_if(|r| r.day == day) {
                Some(row) => row,
                None => DailyCounts {
                    day,
                    ..DailyCounts::default()
                },
            })
            .collect())
    })
}

/// How many distinct users posted or voted between the two days inclusive.
pub async fn distinct_active_users(
    conn: &mut Conn<'_>,
    first_day: i64,
    last_day: i64,
) -> sqlx::Result<i64> {
    on!(conn, {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(DISTINCT user_id) FROM daily_user_activity WHERE day BETWEEN $1 AND $2",
        )
        .bind(first_day)
        .bind(last_day)
        .fetch_one(conn)
        .await?;
        Ok(n)
    })
}
