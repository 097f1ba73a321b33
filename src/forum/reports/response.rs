//! Time to first response, overall and per tag (model suggestions stand in for untagged topics).
//!
//! Counts (topics, answered, share without response) always come from the daily roll-ups of
//! migration 0017 and are exact. Medians and p90s are exact only over the topics' own waits, which
//! a busy forum cannot afford to read per page view (100k topics took ~250 ms), so:
//! - up to [`EXACT_TOPICS`] visible topics in the period and the previous one together, the waits
//!   are read and the percentiles are exact (small forums and the tests see exact figures);
//! - above that, they are interpolated in the roll-up's wait histograms (buckets 19 % wide, so
//!   within a few per cent), reading ~90 rows per tag instead of every topic.
use std::collections::HashMap;

use serde::Serialize;

use super::tagged::{TaggedTopic, tagged_topics};
use crate::db::Conn;
use crate::db::reports::{response as db, tags::names};
use crate::domain::report::{ResponseTimes, WaitHistogram, Window};

/// Up to this many visible topics in a period and its previous one, percentiles are computed
/// exactly from the topics (reading that many costs a few milliseconds).
pub const EXACT_TOPICS: i64 = 2_000;

/// Where percentiles come from. `Auto` is what the reports use; the others let tests compare the
/// roll-up with the topics themselves on the same data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Auto,
    /// Every wait of the period read from the topics: exact.
    Topics,
    /// The daily roll-up's histograms: interpolated.
    Rollup,
}

impl Source {
    /// Resolves `Auto` by the number of visible topics in both periods (from the roll-up).
    async fn resolve(self, conn: &mut Conn<'_>, w: Window) -> sqlx::Result<Source> {
        if self != Source::Auto {
            return Ok(self);
        }
        let p = w.previous();
        let now = db::overall_histogram(&mut *conn, w.first_day, w.last_day).await?;
        let before = db::overall_histogram(conn, p.first_day, p.last_day).await?;
        Ok(if now.topics + before.topics <= EXACT_TOPICS {
            Source::Topics
        } else {
            Source::Rollup
        })
    }
}

fn times(waits: Vec<Option<i64>>) -> ResponseTimes {
    let topics = waits.len() as i64;
    ResponseTimes::from_waits(
        waits.into_iter().flatten().map(|w| w as f64).collect(),
        topics,
    )
}

/// Response times of the topics created in the period and in the previous one.
pub async fn response_overall(
    conn: &mut Conn<'_>,
    w: Window,
) -> sqlx::Result<(ResponseTimes, ResponseTimes)> {
    response_overall_from(conn, w, Source::Auto).await
}

pub async fn response_overall_from(
    conn: &mut Conn<'_>,
    w: Window,
    source: Source,
) -> sqlx::Result<(ResponseTimes, ResponseTimes)> {
    let p = w.previous();
    match source.resolve(&mut *conn, w).await? {
        Source::Topics => {
            let current = db::waits(&mut *conn, w.from(), w.to()).await?;
            let previous = db::waits(conn, p.from(), p.to()).await?;
            Ok((times(current), times(previous)))
        }
        _ => {
            let current = db::overall_histogram(&mut *conn, w.first_day, w.last_day).await?;
            let previous = db::overall_histogram(conn, p.first_day, p.last_day).await?;
            Ok((current.times(), previous.times()))
        }
    }
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
    conn: &mut Conn<'_>,
    w: Window,
    limit: usize,
) -> sqlx::Result<Vec<TagResponseRow>> {
    response_by_tag_from(conn, w, limit, Source::Auto).await
}

pub async fn response_by_tag_from(
    conn: &mut Conn<'_>,
    w: Window,
    limit: usize,
    source: Source,
) -> sqlx::Result<Vec<TagResponseRow>> {
    let (current, previous) = match source.resolve(&mut *conn, w).await? {
        Source::Topics => {
            let p = w.previous();
            let topics = tagged_topics(&mut *conn, p.from(), w.to()).await?;
            (
                grouped(&topics, w.from(), w.to()),
                grouped(&topics, p.from(), p.to()),
            )
        }
        _ => return by_tag_from_rollup(conn, w, limit).await,
    };
    let names = names(conn).await?;
    let rows = current
        .into_iter()
        .map(|(tag_id, r)| {
            let tag = names.get(&tag_id).cloned().unwrap_or_default();
            row(tag, r, previous.get(&tag_id).copied().unwrap_or_default())
        })
        .collect();
    Ok(busiest(rows, limit))
}

fn row(tag: String, r: ResponseTimes, p: ResponseTimes) -> TagResponseRow {
    TagResponseRow {
        tag,
        topics: r.topics,
        answered: r.answered,
        median_s: r.median_s,
        p90_s: r.p90_s,
        no_response_share: r.no_response_share,
        previous_topics: p.topics,
        previous_median_s: p.median_s,
        previous_no_response_share: p.no_response_share,
    }
}

/// The tags with the most topics first (then by name), at most `limit`.
fn busiest(mut rows: Vec<TagResponseRow>, limit: usize) -> Vec<TagResponseRow> {
    rows.sort_by(|a, b| b.topics.cmp(&a.topics).then_with(|| a.tag.cmp(&b.tag)));
    rows.truncate(limit);
    rows
}

/// The busiest tags are chosen from the cheap per-tag counts first; only their histograms (in
/// both periods) are summed.
async fn by_tag_from_rollup(
    conn: &mut Conn<'_>,
    w: Window,
    limit: usize,
) -> sqlx::Result<Vec<TagResponseRow>> {
    let p = w.previous();
    let names = names(&mut *conn).await?;
    let counts = db::tag_counts(&mut *conn, w.first_day, w.last_day).await?;
    let mut chosen: Vec<(String, i64, i64)> = counts
        .into_iter()
        .map(|(tag_id, topics, _)| {
            (
                names.get(&tag_id).cloned().unwrap_or_default(),
                tag_id,
                topics,
            )
        })
        .collect();
    chosen.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    chosen.truncate(limit);
    let ids: Vec<i64> = chosen.iter().map(|c| c.1).collect();
    let current = db::tag_histograms(&mut *conn, w.first_day, w.last_day, &ids).await?;
    let previous = db::tag_histograms(conn, p.first_day, p.last_day, &ids).await?;
    let times = |h: Option<&WaitHistogram>| h.map(WaitHistogram::times).unwrap_or_default();
    let rows = chosen
        .into_iter()
        .map(|(tag, tag_id, _)| {
            row(
                tag,
                times(current.get(&tag_id)),
                times(previous.get(&tag_id)),
            )
        })
        .collect();
    Ok(busiest(rows, limit))
}
