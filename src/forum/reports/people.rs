//! People: top contributors (with their previous period) and new contributors.
use std::collections::HashMap;

use serde::Serialize;

use crate::db::Conn;
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

/// Users read per step while looking for the period's top contributors.
const STEP: i64 = 100;

/// The period's most prolific posters. Walks users by all-time posts and stops as soon as the
/// `limit`-th best of the period has more posts than anyone further down has ever written.
pub async fn top_contributors(
    conn: &mut Conn<'_>,
    w: Window,
    limit: i64,
) -> sqlx::Result<Vec<TopContributorRow>> {
    let limit = limit.max(1) as usize;
    let mut best: Vec<db::Contribution> = Vec::new();
    let mut offset = 0;
    loop {
        let candidates = db::most_prolific(&mut *conn, offset, STEP).await?;
        let Some(&(_, ceiling)) = candidates.last() else {
            break;
        };
        let ids: Vec<i64> = candidates.iter().map(|c| c.0).collect();
        best.extend(
            db::contributions_of(&mut *conn, &ids, w.first_day, w.last_day)
                .await?
                .into_iter()
                .filter(|c| c.posts > 0),
        );
        best.sort_by(|a, b| b.posts.cmp(&a.posts).then(a.user_id.cmp(&b.user_id)));
        best.truncate(limit);
        offset += STEP;
        let full = best.len() == limit && best[limit - 1].posts > ceiling;
        if full || (candidates.len() as i64) < STEP {
            break;
        }
    }
    let ids: Vec<i64> = best.iter().map(|c| c.user_id).collect();
    let p = w.previous();
    let before: HashMap<i64, i64> = db::contributions_of(conn, &ids, p.first_day, p.last_day)
        .await?
        .into_iter()
        .map(|c| (c.user_id, c.posts))
        .collect();
    Ok(best
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
    conn: &mut Conn<'_>,
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
