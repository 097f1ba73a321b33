//! Beside time to first response: time to accepted answer, and whether routing questions to
//! proven answerers gets them answered sooner than comparable questions nobody was told of.
use serde::Serialize;

use crate::db::Conn;
use crate::db::reports::answers as db;
use crate::domain::report::{ResponseTimes, Window};

/// Time to accepted answer of the topics created in the period and in the previous one, out of
/// `topics` and `previous_topics` (all the visible topics of each, for the share without one).
pub async fn accepted_overall(
    conn: &mut Conn<'_>,
    w: Window,
    topics: i64,
    previous_topics: i64,
) -> sqlx::Result<(ResponseTimes, ResponseTimes)> {
    let p = w.previous();
    let now = db::accepted_waits(&mut *conn, w.from(), w.to()).await?;
    let before = db::accepted_waits(conn, p.from(), p.to()).await?;
    let times = |waits: Vec<i64>, topics| {
        ResponseTimes::from_waits(waits.into_iter().map(|w| w as f64).collect(), topics)
    };
    Ok((times(now, topics), times(before, previous_topics)))
}

/// Routed topics against comparable unrouted ones, over one period.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RoutingRow {
    /// Topics routed to at least one member in the period.
    pub routed: i64,
    /// Of those, how many got a first response since.
    pub routed_answered: i64,
    /// Median seconds from routing to the first response.
    pub routed_median_s: Option<f64>,
    /// Topics that also waited `after_hours` without a response, then, but were not routed.
    pub unrouted: i64,
    pub unrouted_answered: i64,
    /// Median seconds from that moment to the first response.
    pub unrouted_median_s: Option<f64>,
}

fn times(waits: Vec<Option<i64>>) -> ResponseTimes {
    let topics = waits.len() as i64;
    ResponseTimes::from_waits(
        waits.into_iter().flatten().map(|w| w as f64).collect(),
        topics,
    )
}

pub async fn routing(conn: &mut Conn<'_>, w: Window, after_hours: i64) -> sqlx::Result<RoutingRow> {
    let routed = times(db::routed_waits(&mut *conn, w.from(), w.to()).await?);
    let unrouted = times(db::unrouted_waits(conn, w.from(), w.to(), after_hours).await?);
    Ok(RoutingRow {
        routed: routed.topics,
        routed_answered: routed.answered,
        routed_median_s: routed.median_s,
        unrouted: unrouted.topics,
        unrouted_answered: unrouted.answered,
        unrouted_median_s: unrouted.median_s,
    })
}
