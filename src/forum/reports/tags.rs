//! Tag reports: trending (growth against the previous period), new tags, pairs used together.
use serde::Serialize;
use sqlx::SqliteConnection;

use crate::db::reports::tags as db;
use crate::domain::{ranking, report::Window};

#[derive(Debug, Clone, Serialize)]
pub struct TrendingTagRow {
    pub tag: String,
    pub topics: i64,
    pub previous: i64,
    /// `(topics − previous) / previous`; none when the tag had no topics before.
    pub growth: Option<f64>,
    /// The damped growth the list is ordered by (`ranking::trending`).
    pub trend: f64,
}

/// Tags by damped growth, the fastest-growing first.
pub async fn trending_tags(
    conn: &mut SqliteConnection,
    w: Window,
    limit: usize,
) -> sqlx::Result<Vec<TrendingTagRow>> {
    let uses = db::use_by_tag(&mut *conn, w.previous().from(), w.from(), w.to()).await?;
    let names = db::names(conn).await?;
    let mut rows: Vec<TrendingTagRow> = uses
        .into_iter()
        .map(|u| TrendingTagRow {
            tag: names.get(&u.tag_id).cloned().unwrap_or_default(),
            topics: u.current,
            previous: u.previous,
            growth: (u.previous > 0).then(|| (u.current - u.previous) as f64 / u.previous as f64),
            trend: ranking::trending(u.current, u.previous),
        })
        .collect();
    rows.sort_by(|a, b| {
        b.trend
            .total_cmp(&a.trend)
            .then_with(|| b.topics.cmp(&a.topics))
            .then_with(|| a.tag.cmp(&b.tag))
    });
    rows.truncate(limit);
    Ok(rows)
}

#[derive(Debug, Clone, Serialize)]
pub struct NewTagRow {
    pub tag: String,
    pub created: String,
    pub topics: i64,
}

pub async fn new_tags(
    conn: &mut SqliteConnection,
    w: Window,
    limit: i64,
) -> sqlx::Result<Vec<NewTagRow>> {
    let tags = db::created_between(conn, w.from(), w.to(), limit).await?;
    Ok(tags
        .into_iter()
        .map(|t| NewTagRow {
            tag: t.tag,
            created: crate::domain::report::day_label(t.created_at.div_euclid(86_400)),
            topics: t.topics,
        })
        .collect())
}

#[derive(Debug, Clone, Serialize)]
pub struct TagPairRow {
    pub tag_a: String,
    pub tag_b: String,
    pub topics: i64,
}

pub async fn tag_pairs(
    conn: &mut SqliteConnection,
    w: Window,
    limit: i64,
) -> sqlx::Result<Vec<TagPairRow>> {
    let pairs = db::top_pairs(conn, w.from(), w.to(), limit).await?;
    Ok(pairs
        .into_iter()
        .map(|p| TagPairRow {
            tag_a: p.tag_a,
            tag_b: p.tag_b,
            topics: p.topics,
        })
        .collect())
}
