//! Time to first response, overall and per tag (model suggestions stand in for untagged topics).
use std::collections::HashMap;

use serde::Serialize;
use sqlx::SqliteConnection;

use super::tagged::{TaggedTopic, tagged_topics};
use crate::db::reports::{response as db, tags::names};
use crate::domain::report::{ResponseTimes, Window};

fn times(waits: Vec<Option<i64>>) -> ResponseTimes {
    let topics = waits.len() as i64;
    ResponseTimes::from_waits(
        waits.into_iter().flatten().map(|w| w as f64).collect(),
        topics,
    )
}

/// Response times of the topics created in the period and in the previous one.
pub async fn response_overall(
    conn: &mut SqliteConnection,
    w: Window,
) -> sqlx::Result<(ResponseTimes, ResponseTimes)> {
    let current = db::waits(&mut *conn, w.from(), w.to()).await?;
    let p = w.previous();
    let previous = db::waits(conn, p.from(), p.to()).await?;
    Ok((times(current), times(previous)))
}

/// One tag's response times in the period and the previous one.
#[derive(Debug, Clone, Serialize)]
pub struct TagResponseRow {
    pub tag: String,
    pub topics: i64,
    pub answered: i64,
    pub median_s: Option<f64>,
    pub p90_s: Option<f64>,
    pub no_response_share: Option<f64>,
    pub previous_topics: i64,
    pub previous_median_s: Option<f64>,
    pub previous_no_response_share: Option<f64>,
}

/// Response times per tag of the topics created in `[from, to)`.
fn grouped(topics: &[TaggedTopic], from: i64, to: i64) -> HashMap<i64, ResponseTimes> {
    let mut by_tag: HashMap<i64, Vec<Option<i64>>> = HashMap::new();
    for topic in topics
        .iter()
        .filter(|t| t.created_at >= from && t.created_at < to)
    {
        for tag_id in &topic.tags {
            by_tag.entry(*tag_id).or_default().push(topic.wait);
        }
    }
    by_tag.into_iter().map(|(t, w)| (t, times(w))).collect()
}

/// Per tag, the tags with the most topics in the period first.
pub async fn response_by_tag(
    conn: &mut SqliteConnection,
    w: Window,
    limit: usize,
) -> sqlx::Result<Vec<TagResponseRow>> {
    let p = w.previous();
    let topics = tagged_topics(&mut *conn, p.from(), w.to()).await?;
    let current = grouped(&topics, w.from(), w.to());
    let previous = grouped(&topics, p.from(), p.to());
    let names = names(conn).await?;
    let mut rows: Vec<TagResponseRow> = current
        .into_iter()
        .map(|(tag_id, r)| {
            let p = previous.get(&tag_id).copied().unwrap_or_default();
            TagResponseRow {
                tag: names.get(&tag_id).cloned().unwrap_or_default(),
                topics: r.topics,
                answered: r.answered,
                median_s: r.median_s,
                p90_s: r.p90_s,
                no_response_share: r.no_response_share,
                previous_topics: p.topics,
                previous_median_s: p.median_s,
                previous_no_response_share: p.no_response_share,
            }
        })
        .collect();
    rows.sort_by(|a, b| b.topics.cmp(&a.topics).then_with(|| a.tag.cmp(&b.tag)));
    rows.truncate(limit);
    Ok(rows)
}
