//! The notify job: fans queued events out to watchers, mails what members asked to get by mail
//! (each at once, or a daily digest), and routes unanswered questions to proven answerers.
use std::time::Duration;

use crate::db::notifications::{self as notes, Unmailed};
use crate::db::{Conn, Pool};
use crate::mail::{Mail, Mailer, Signer, UNSUBSCRIBE};
use crate::{db, domain};

pub const PERIOD: Duration = Duration::from_secs(30);

/// Queued events handled per run (each is one statement, whatever its number of watchers).
const FANOUT_BATCH: i64 = 200;
/// Notifications mailed per run.
const MAIL_BATCH: i64 = 200;
/// Notifications older than this when mail is first switched on are never mailed.
const MAIL_HORIZON_SECS: i64 = 2 * 86_400;
const DAY: i64 = 86_400;

/// What a run did, for tests and the log.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Done {
    pub fanned_out: u64,
    pub mailed: u64,
    pub routed: u64,
}

impl Done {
    pub fn changed_anything(&self) -> bool {
        *self != Done::default()
    }
}

/// Routing: how long a question may wait without a reply, and the caps.
#[derive(Debug, Clone, Copy)]
pub struct Routing {
    pub after_hours: i64,
}

pub async fn run_once(
    pool: &Pool,
    mailer: &Mailer,
    signer: &Signer,
    routing: Routing,
) -> anyhow::Result<Done> {
    // One server at a time fans out and mails: two would mail the same notification twice. The
    // one that waited finds what the other left (usually nothing).
    let lease = db::lease::take(pool, db::lease::Job::Notify).await?;
    let now = domain::now();
    let mut done = Done::default();
    let mut conn = pool.acquire().await?;
    for item in notes::queued(&mut conn, FANOUT_BATCH).await? {
        let mut tx = db::begin_write(pool).await?;
        done.fanned_out += notes::fan_out(&mut tx, &item, now).await?;
        tx.commit().await?;
    }
    done.routed = db::routing::route(&mut conn, routing.after_hours, now).await?;
    if mailer.is_on() {
        done.mailed = mail(&mut conn, mailer, signer, now).await?;
    }
    drop(conn);
    lease.release().await?;
    Ok(done)
}

async fn mail(
    conn: &mut Conn<'_>,
    mailer: &Mailer,
    signer: &Signer,
    now: i64,
) -> anyhow::Result<u64> {
    let pending = notes::unmailed(conn, now - MAIL_HORIZON_SECS, MAIL_BATCH).await?;
    let mut mailed = 0;
    let mut digests: Vec<Vec<&Unmailed>> = Vec::new();
    for n in &pending {
        match n.email_delivery.as_str() {
            "immediate" => {
                let text = format!("{}\n\n{}", sentence(n), mailer.link(&link(n)));
                if send(mailer, signer, n, &title(n), &text).await {
                    notes::mark_mailed(conn, &[n.id], now).await?;
                    mailed += 1;
                }
            }
            "digest" => match digests.iter_mut().find(|d| d[0].user_id == n.user_id) {
                Some(digest) => digest.push(n),
                None => digests.push(vec![n]),
            },
            // Chose the app only after the notification was written.
            _ => notes::mark_mailed(conn, &[n.id], now).await?,
        }
    }
    for digest in digests {
        let first = digest[0];
        if !db::users::digest_due(conn, first.user_id, now - DAY).await? {
            continue;
        }
        let lines: Vec<String> = digest
            .iter()
            .map(|n| format!("- {}\n  {}", sentence(n), mailer.link(&link(n))))
            .collect();
        let text = format!(
            "Hello {},\n\nwhat happened since your last digest:\n\n{}",
            first.username,
            lines.join("\n")
        );
        let subject = format!("{} new notifications", digest.len());
        if send(mailer, signer, first, &subject, &text).await {
            let ids: Vec<i64> = digest.iter().map(|n| n.id).collect();
            notes::mark_mailed(conn, &ids, now).await?;
            db::users::set_digest_sent(conn, first.user_id, now).await?;
            mailed += ids.len() as u64;
        }
    }
    Ok(mailed)
}

/// Sends one notification mail; a failure is logged and retried on the next run.
async fn send(mailer: &Mailer, signer: &Signer, n: &Unmailed, subject: &str, text: &str) -> bool {
    let unsubscribe = mailer.link(&format!(
        "/unsubscribe?token={}",
        signer.sign(n.user_id, UNSUBSCRIBE)
    ));
    let mail = Mail {
        to: &n.email,
        subject,
        text,
        unsubscribe: Some(&unsubscribe),
    };
    match mailer.send(&mail).await {
        Ok(_) => true,
        Err(e) => {
            tracing::warn!(user_id = n.user_id, error = %e, "could not mail a notification");
            false
        }
    }
}

fn title(n: &Unmailed) -> String {
    let topic = n.topic_title.as_deref().unwrap_or("a topic");
    format!("{}: {topic}", kind_label(&n.kind))
}

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "reply" => "New reply",
        "mention" => "You were mentioned",
        "accepted" => "Answer accepted",
        "flag_resolved" => "Flag resolved",
        "post_hidden" => "Post hidden",
        "retagged" => "Topic retagged",
        "watched_topic" | "watched_tag" => "New in what you watch",
        "routed" => "A question for you",
        _ => "Notification",
    }
}

fn sentence(n: &Unmailed) -> String {
    let who = n.actor_name.as_deref().unwrap_or("someone");
    let topic = n.topic_title.as_deref().unwrap_or("a topic");
    match n.kind.as_str() {
        "reply" => format!("{who} replied to your topic “{topic}”."),
        "mention" => format!("{who} mentioned you in “{topic}”."),
        "accepted" => format!("{who} accepted your answer in “{topic}”."),
        "flag_resolved" => format!("Your flag in “{topic}” was resolved: {}.", n.detail),
        "post_hidden" => format!("A moderator hid your post in “{topic}”: {}.", n.detail),
        "retagged" => format!("A moderator retagged “{topic}”: {}.", n.detail),
        "watched_topic" => format!("{who} replied in “{topic}”, which you watch."),
        "watched_tag" => format!("{who} posted “{topic}” in a tag you watch."),
        "routed" => format!("“{topic}” has no answer yet, and you answer its tags: can you help?"),
        _ => format!("Something happened in “{topic}”."),
    }
}

fn link(n: &Unmailed) -> String {
    match (n.topic_id, n.post_id) {
        (Some(t), Some(p)) => format!("/t/{t}#post-{p}"),
        (Some(t), None) => format!("/t/{t}"),
        _ => "/notifications".into(),
    }
}
