//! People: top contributors (with their previous period) and new contributors.
use std::collections::HashMap;

use serde::Serialize;
use sqlx::SqliteConnection;

use crate::db::reports::people as db;
use crate::domain::report::{DAY, Window, day_label};

#[derive(Debug, Clone, Serialize)]
pub struct TopContributorRow {
    pub username: String,
    pub posts: i64,
    pub previous_posts: i64,
    pub votes: i64,
    pub active_days: i64,
}

pub async fn top_contributors(
    conn: &mut SqliteConnection,
    w: Window,
    limit: i64,
) -> sqlx::Result<Vec<TopContributorRow>> {
    let top = db::top_contributors(&mut *conn, w.first_day, w.last_day, limit).await?;
    let ids: Vec<i64> = top.iter().map(|c| c.user_id).collect();
    let p = w.previous();
    let before: HashMap<i64, i64> = db::posts_of(conn, &ids, p.first_day, p.last_day)
        .await?
        .into_iter()
        .collect();
    Ok(top
        .into_iter()
        .map(|c| TopContributorRow {
            previous_posts: before.get(&c.user_id).copied().unwrap_or(0),
            username: c.username,
            posts: c.posts,
            votes: c.votes,
            active_days: c.active_days,
        })
        .collect())
}

#[derive(Debug, Clone, Serialize)]
pub struct NewContributorRow {
    pub username: String,
    pub first_post: String,
    pub signed_up: String,
    pub posts: i64,
}

pub async fn new_contributors(
    conn: &mut SqliteConnection,
    w: Window,
    limit: i64,
) -> sqlx::Result<(Vec<NewContributorRow>, i64, i64)> {
    let rows = db::new_contributors(&mut *conn, w.from(), w.to(), limit).await?;
    let count = db::count_new_contributors(&mut *conn, w.from(), w.to()).await?;
    let p = w.previous();
    let previous = db::count_new_contributors(conn, p.from(), p.to()).await?;
    let rows = rows
        .into_iter()
        .map(|c| NewContributorRow {
            username: c.username,
            first_post: day_label(c.first_post_at.div_euclid(DAY)),
            signed_up: day_label(c.signed_up_at.div_euclid(DAY)),
            posts: c.posts,
        })
        .collect();
    Ok((rows, count, previous))
}
