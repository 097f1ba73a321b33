//! The needs-attention list: one ranking over four kinds of work, each scored by its own formula
//! in `domain::ranking` on a shared scale (flags ≥ 1 > contradictions ≤ 0.8 > the rest), each row
//! saying why it is there.
use serde::Serialize;

use super::topic_url;
use crate::db::Conn;
use crate::db::{self, reports::content as db_content};
use crate::domain::{ranking, report::DAY};

/// Unanswered topics older than a week have been seen by everyone who would answer.
const UNANSWERED_WINDOW: i64 = 7 * DAY;
/// Topics answered but unresolved are listed until they are this old.
const UNRESOLVED_WINDOW: i64 = 30 * DAY;
/// A model suggestion this sure that contradicts the author is worth a look.
const CONFIDENT: f64 = 0.9;
/// Suggestions between these confidences are the model's coin tosses.
const UNSURE: (f64, f64) = (0.35, 0.65);
/// Candidates read per kind; the merged list keeps the best `limit` of all.
const PER_KIND: i64 = 200;

#[derive(Debug, Clone, Serialize)]
pub struct AttentionRow {
    /// `flagged`, `unanswered`, `unresolved`, `tag_conflict` or `uncertain_tag`.
    pub kind: &'static str,
    pub score: f64,
    pub topic_id: i64,
    pub post_id: Option<i64>,
    pub title: String,
    pub url: String,
    pub reason: String,
}

fn hours(seconds: i64) -> String {
    let h = seconds.max(0) / 3600;
    if h < 48 {
        format!("{h} h")
    } else {
        format!("{} days", h / 24)
    }
}

/// Everything that waits for a moderator, the most urgent first. A topic with replies but no
/// accepted answer `unresolved_after_days` after it was asked counts as still open.
pub async fn needs_attention(
    conn: &mut Conn<'_>,
    now: i64,
    unresolved_after_days: i64,
    limit: usize,
) -> sqlx::Result<Vec<AttentionRow>> {
    let mut rows = Vec::new();
    for f in db::flags::list_open(&mut *conn, PER_KIND).await? {
        rows.push(AttentionRow {
            kind: "flagged",
            score: ranking::flagged_attention(f.open_flags),
            topic_id: f.topic_id,
            post_id: Some(f.post_id),
            url: format!("/t/{}#post-{}", f.topic_id, f.post_id),
            reason: format!(
                "{} open flag{} ({}) for {}, post by {}",
                f.open_flags,
                if f.open_flags == 1 { "" } else { "s" },
                f.reasons.replace(',', ", "),
                hours(now - f.first_flagged_at),
                f.author_name
            ),
            title: f.topic_title,
        });
    }
    for t in db_content::unanswered_since(&mut *conn, now - UNANSWERED_WINDOW).await? {
        let age = now - t.created_at;
        let quality = match t.predicted_quality {
            Some(q) => format!("predicted quality {q:.2}"),
            None => format!(
                "no quality prediction yet (neutral {:.1})",
                ranking::NEUTRAL_QUALITY
            ),
        };
        rows.push(AttentionRow {
            kind: "unanswered",
            score: ranking::unanswered_attention(
                t.predicted_quality,
                age as f64 / 3600.0,
                t.view_count,
            ),
            topic_id: t.id,
            post_id: None,
            url: topic_url(t.id),
            reason: format!(
                "unanswered for {}, {} views, {quality}",
                hours(age),
                t.view_count
            ),
            title: t.title,
        });
    }
    let due = now - unresolved_after_days.max(0) * DAY;
    let unresolved =
        db_content::unresolved_between(&mut *conn, now - UNRESOLVED_WINDOW, due, PER_KIND).await?;
    for t in unresolved {
        let waiting = due - t.created_at;
        rows.push(AttentionRow {
            kind: "unresolved",
            score: ranking::unresolved_attention(
                t.predicted_quality,
                waiting as f64 / 3600.0,
                t.view_count,
            ),
            topic_id: t.id,
            post_id: None,
            url: topic_url(t.id),
            reason: format!(
                "{} {}, no accepted answer after {}",
                t.reply_count,
                if t.reply_count == 1 {
                    "reply"
                } else {
                    "replies"
                },
                hours(now - t.created_at)
            ),
            title: t.title,
        });
    }
    for s in db_content::confident_contradictions(&mut *conn, CONFIDENT, PER_KIND).await? {
        rows.push(AttentionRow {
            kind: "tag_conflict",
            score: ranking::contradiction_attention(s.confidence),
            topic_id: s.topic_id,
            post_id: None,
            url: topic_url(s.topic_id),
            reason: format!(
                "model is {:.0}% sure of \"{}\"; the author tagged {}",
                s.confidence * 100.0,
                s.tag,
                s.author_tags
            ),
            title: s.title,
        });
    }
    let (low, high) = UNSURE;
    for s in db_content::uncertain_suggestions(&mut *conn, low, high, PER_KIND).await? {
        rows.push(AttentionRow {
            kind: "uncertain_tag",
            score: ranking::uncertain_suggestion_attention(s.confidence),
            topic_id: s.topic_id,
            post_id: None,
            url: topic_url(s.topic_id),
            reason: format!(
                "model suggests \"{}\" at {:.0}% confidence: accept or reject to teach it",
                s.tag,
                s.confidence * 100.0
            ),
            title: s.title,
        });
    }
    rows.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(b.topic_id.cmp(&a.topic_id))
    });
    rows.truncate(limit);
    Ok(rows)
}
