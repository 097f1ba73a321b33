//! Hot (tag-normalised, so small tags surface) and rising topics.
use std::collections::HashMap;

use serde::Serialize;

use super::topic_url;
use crate::db::Conn;
use crate::db::reports::{content as db, tags::names};
use crate::domain::{ranking, report::DAY};

/// Candidates read by stored hot rank before normalising; normalising reorders, it rarely lifts a
/// topic from further down than this.
const HOT_CANDIDATES: i64 = 300;

#[derive(Debug, Clone, Serialize)]
pub struct HotRow {
    pub topic_id: i64,
    pub title: String,
    pub url: String,
    pub hot: f64,
    pub tag_normalised_hot: f64,
    /// The topic's busiest tag (the one it is normalised by); empty for untagged topics, which are
    /// normalised as if in the busiest tag of all so they gain nothing from having no tag.
    pub tag: String,
    pub tag_monthly_topics: i64,
}

/// Hot topics ordered by hot ÷ log10(2 + monthly topics of their busiest tag).
pub async fn hot(conn: &mut Conn<'_>, now: i64, limit: usize) -> sqlx::Result<Vec<HotRow>> {
    let candidates = db::hottest(&mut *conn, HOT_CANDIDATES).await?;
    let first_recent = db::first_topic_since(&mut *conn, now - 30 * DAY).await?;
    let monthly: HashMap<i64, i64> = db::tag_activity_since_topic(&mut *conn, first_recent)
        .await?
        .into_iter()
        .collect();
    let busiest_overall = monthly.values().copied().max().unwrap_or(0);
    let ids: Vec<i64> = candidates.iter().map(|t| t.id).collect();
    let mut busiest: HashMap<i64, (i64, i64)> = HashMap::new();
    for (topic_id, tag_id) in db::active_tags_of(&mut *conn, &ids).await? {
        let activity = monthly.get(&tag_id).copied().unwrap_or(0);
        let entry = busiest.entry(topic_id).or_insert((tag_id, activity));
        if activity > entry.1 {
            *entry = (tag_id, activity);
        }
    }
    let names = names(conn).await?;
    let mut rows: Vec<HotRow> = candidates
        .into_iter()
        .map(|t| {
            let (tag, activity) = match busiest.get(&t.id) {
                Some(&(tag_id, activity)) => {
                    (names.get(&tag_id).cloned().unwrap_or_default(), activity)
                }
                None => (String::new(), busiest_overall),
            };
            HotRow {
                topic_id: t.id,
                url: topic_url(t.id),
                title: t.title,
                hot: t.hot_rank,
                tag_normalised_hot: ranking::tag_normalised_hot(t.hot_rank, activity),
                tag,
                tag_monthly_topics: activity,
            }
        })
        .collect();
    rows.sort_by(|a, b| b.tag_normalised_hot.total_cmp(&a.tag_normalised_hot));
    rows.truncate(limit);
    Ok(rows)
}

#[derive(Debug, Clone, Serialize)]
pub struct RisingRow {
    pub topic_id: i64,
    pub title: String,
    pub url: String,
    pub rising: f64,
    pub score: i64,
    pub replies: i64,
    pub age_hours: f64,
}

/// Topics under two days old gathering votes and replies fastest.
pub async fn rising(conn: &mut Conn<'_>, now: i64, limit: usize) -> sqlx::Result<Vec<RisingRow>> {
    let young = db::created_since(conn, now - 2 * DAY).await?;
    let mut rows: Vec<RisingRow> = young
        .into_iter()
        .map(|t| {
            let age_hours = (now - t.created_at).max(0) as f64 / 3600.0;
            RisingRow {
                topic_id: t.id,
                url: topic_url(t.id),
                title: t.title,
                rising: ranking::rising(t.score, t.reply_count, age_hours),
                score: t.score,
                replies: t.reply_count,
                age_hours,
            }
        })
        .filter(|r| r.rising > 0.0)
        .collect();
    rows.sort_by(|a, b| {
        b.rising
            .total_cmp(&a.rising)
            .then(b.topic_id.cmp(&a.topic_id))
    });
    rows.truncate(limit);
    Ok(rows)
}
