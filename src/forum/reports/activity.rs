//! Activity per day and the headline figures (with response times) of the summary report.
use serde::Serialize;

use super::SummaryRow;
use crate::db::Conn;
use crate::db::reports::{activity as db, activity::DailyCounts};
use crate::domain::report::{Metric, Window, day_label};

/// One day of activity, as the chart, the table and the CSV show it.
#[derive(Debug, Clone, Serialize)]
pub struct ActivityRow {
    pub date: String,
    pub signups: i64,
    pub active_users: i64,
    pub topics: i64,
    pub posts: i64,
    pub votes: i64,
    pub flags: i64,
}

impl From<DailyCounts> for ActivityRow {
    fn from(d: DailyCounts) -> Self {
        Self {
            date: day_label(d.day),
            signups: d.signups,
            active_users: d.active_users,
            topics: d.topics,
            posts: d.posts,
            votes: d.votes,
            flags: d.flags,
        }
    }
}

/// The daily rows of a period.
pub async fn activity(conn: &mut Conn<'_>, w: Window) -> sqlx::Result<Vec<ActivityRow>> {
    let days = db::daily(conn, w.first_day, w.last_day).await?;
    Ok(days.into_iter().map(ActivityRow::from).collect())
}

/// Totals of a period, and its DAU (mean daily active users) and MAU (distinct active users in the
/// 30 days ending with the period).
struct Totals {
    signups: i64,
    topics: i64,
    posts: i64,
    votes: i64,
    flags: i64,
    dau: f64,
    mau: i64,
}

async fn totals(conn: &mut Conn<'_>, w: Window) -> sqlx::Result<Totals> {
    let days = db::daily(&mut *conn, w.first_day, w.last_day).await?;
    let sum = |f: fn(&DailyCounts) -> i64| days.iter().map(f).sum::<i64>();
    let month = w.month_ending();
    Ok(Totals {
        signups: sum(|d| d.signups),
        topics: sum(|d| d.topics),
        posts: sum(|d| d.posts),
        votes: sum(|d| d.votes),
        flags: sum(|d| d.flags),
        dau: sum(|d| d.active_users) as f64 / w.days as f64,
        mau: db::distinct_active_users(conn, month.first_day, month.last_day).await?,
    })
}

/// The headline figures of the period beside the previous one: activity and response times.
pub async fn summary(conn: &mut Conn<'_>, w: Window) -> sqlx::Result<Vec<SummaryRow>> {
    let now = totals(&mut *conn, w).await?;
    let before = totals(&mut *conn, w.previous()).await?;
    let stickiness = |t: &Totals| (t.mau > 0).then(|| t.dau / t.mau as f64);
    let (response, previous_response) = super::response_overall(conn, w).await?;
    Ok(vec![
        SummaryRow::new("signups", Metric::counts(now.signups, before.signups)),
        SummaryRow::new("dau", Metric::new(Some(now.dau), Some(before.dau))),
        SummaryRow::new("mau", Metric::counts(now.mau, before.mau)),
        SummaryRow::new(
            "dau_mau",
            Metric::new(stickiness(&now), stickiness(&before)),
        ),
        SummaryRow::new("topics", Metric::counts(now.topics, before.topics)),
        SummaryRow::new("posts", Metric::counts(now.posts, before.posts)),
        SummaryRow::new("votes", Metric::counts(now.votes, before.votes)),
        SummaryRow::new("flags", Metric::counts(now.flags, before.flags)),
        SummaryRow::new(
            "first_response_median_s",
            Metric::new(response.median_s, previous_response.median_s),
        ),
        SummaryRow::new(
            "first_response_p90_s",
            Metric::new(response.p90_s, previous_response.p90_s),
        ),
        SummaryRow::new(
            "no_response_share",
            Metric::new(
                response.no_response_share,
                previous_response.no_response_share,
            ),
        ),
    ])
}
