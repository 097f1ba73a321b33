//! Tag reports: trending (growth against the previous period), new tags, pairs used together.
//! Trending and pairs read the daily roll-ups of migration 0007, not the topics.
use std::collections::HashMap;

use serde::Serialize;

use crate::db::Conn;
use crate::db::reports::{response, tags as db};
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

/// Tags by damped growth, the fastest-growing first. Counts come from the daily roll-up of
/// migration 0007 (a topic counts under its active tags, or its suggestions when it has none).
pub async fn trending_tags(
    conn: &mut Conn<'_>,
    w: Window,
    limit: usize,
) -> sqlx::Result<Vec<TrendingTagRow>> {
    let names = db::names(&mut *conn).await?;
    trending_from(conn, &names, w, limit).await
}

/// Trending tags and tag pairs (the tags page shows both).
pub async fn trending_and_pairs(
    conn: &mut Conn<'_>,
    w: Window,
    limit: usize,
) -> sqlx::Result<(Vec<TrendingTagRow>, Vec<TagPairRow>)> {
    let names = db::names(&mut *conn).await?;
    let trending = trending_from(&mut *conn, &names, w, limit).await?;
    let pairs = pairs_from(conn, &names, w, limit).await?;
    Ok((trending, pairs))
}

async fn trending_from(
    conn: &mut Conn<'_>,
    names: &HashMap<i64, String>,
    w: Window,
    limit: usize,
) -> sqlx::Result<Vec<TrendingTagRow>> {
    let p = w.previous();
    // (current, previous) topics per tag.
    let mut uses: HashMap<i64, (i64, i64)> = HashMap::new();
    for (tag_id, topics, _) in response::tag_counts(&mut *conn, w.first_day, w.last_day).await? {
        uses.entry(tag_id).or_default().0 = topics;
    }
    for (tag_id, topics, _) in response::tag_counts(conn, p.first_day, p.last_day).await? {
        uses.entry(tag_id).or_default().1 = topics;
    }
    let mut rows: Vec<TrendingTagRow> = uses
        .into_iter()
        .map(|(tag_id, (current, previous))| TrendingTagRow {
            tag: names.get(&tag_id).cloned().unwrap_or_default(),
            topics: current,
            previous,
            growth: (previous > 0).then(|| (current - previous) as f64 / previous as f64),
            trend: ranking::trending(current, previous),
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

pub async fn new_tags(conn: &mut Conn<'_>, w: Window, limit: i64) -> sqlx::Result<Vec<NewTagRow>> {
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

/// Pairs of active tags on the same topics of the period, the most frequent first (a pair is a
/// human judgement that the subjects meet, so suggestions do not count).
pub async fn tag_pairs(
    conn: &mut Conn<'_>,
    w: Window,
    limit: usize,
) -> sqlx::Result<Vec<TagPairRow>> {
    let names = db::names(&mut *conn).await?;
    pairs_from(conn, &names, w, limit).await
}

async fn pairs_from(
    conn: &mut Conn<'_>,
    names: &HashMap<i64, String>,
    w: Window,
    limit: usize,
) -> sqlx::Result<Vec<TagPairRow>> {
    let mut pairs: Vec<((i64, i64), i64)> = db::pair_counts(conn, w.first_day, w.last_day)
        .await?
        .into_iter()
        .collect();
    // Only pairs as frequent as the `limit`-th can make the list (ties are broken by name), so
    // the other thousands are never named.
    pairs.sort_unstable_by_key(|p| std::cmp::Reverse(p.1));
    if let Some(&(_, least)) = pairs.get(limit.saturating_sub(1)) {
        pairs.retain(|p| p.1 >= least);
    }
    let name = |id: i64| names.get(&id).cloned().unwrap_or_default();
    let mut rows: Vec<TagPairRow> = pairs
        .into_iter()
        .map(|((a, b), topics)| {
            let (a, b) = (name(a), name(b));
            let (tag_a, tag_b) = if a <= b { (a, b) } else { (b, a) };
            TagPairRow {
                tag_a,
                tag_b,
                topics,
            }
        })
        .collect();
    rows.sort_by(|x, y| {
        y.topics
            .cmp(&x.topics)
            .then_with(|| x.tag_a.cmp(&y.tag_a))
            .then_with(|| x.tag_b.cmp(&y.tag_b))
    });
    rows.truncate(limit);
    Ok(rows)
}
