//! Bans: a moderator bars a member for some days. The member's sessions end at once, and until the
//! ban expires they cannot log in, post, vote or flag. Ban and unban are logged in the same
//! transaction as the change.

use super::{ForumError, topics::Actor};
use crate::db::Pool;
use crate::db::{self, modlog::Target};
use crate::domain::{self, ValidationError};

/// The longest ban: ten years is as good as for ever, and keeps the arithmetic far from overflow.
pub const MAX_BAN_DAYS: i64 = 3650;
const MAX_REASON_CHARS: usize = 500;
/// A ban with more than this many days left reads as permanent: only a ban of (nearly)
/// [`MAX_BAN_DAYS`] gets there.
const PERMANENT_AFTER_DAYS: i64 = 9 * 365;

/// A running ban, as the banned member is told of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ban {
    /// When it ends (unix seconds).
    pub until: i64,
    /// The moderator's reason; empty when none was given.
    pub reason: String,
}

impl Ban {
    /// Whether the ban is as good as for ever (see [`PERMANENT_AFTER_DAYS`]).
    pub fn is_permanent(&self, now: i64) -> bool {
        self.until - now > PERMANENT_AFTER_DAYS * 86_400
    }
}

/// A ban as a moderator asked for it, before parsing.
pub struct BanRequest<'a> {
    pub days: i64,
    pub reason: &'a str,
}

/// Bans `username`; returns when the ban ends (unix seconds).
pub async fn ban(
    pool: &Pool,
    moderator: Actor,
    username: &str,
    request: &BanRequest<'_>,
) -> Result<i64, ForumError> {
    ensure_moderator(moderator)?;
    let reason = request.reason.trim();
    let mut errors = Vec::new();
    if !(1..=MAX_BAN_DAYS).contains(&request.days) {
        errors.push(ValidationError::new(
            "days",
            format!("must be between 1 and {MAX_BAN_DAYS}"),
        ));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        errors.push(ValidationError::new(
            "reason",
            format!("must be at most {MAX_REASON_CHARS} characters"),
        ));
    }
    if !errors.is_empty() {
        return Err(ForumError::Invalid(errors));
    }
    let now = domain::now();
    let until = now + request.days * 86_400;
    let mut tx = crate::db::begin_write(pool).await?;
    let user = db::users::find_by_username(&mut tx, username)
        .await?
        .ok_or(ForumError::NotFound)?;
    if user.role().is_moderator() {
        return Err(ForumError::Forbidden("moderators cannot be banned"));
    }
    db::users::set_banned_until(&mut tx, user.id, Some(until), reason).await?;
    db::sessions::delete_for_user(&mut tx, user.id).await?;
    let detail = if reason.is_empty() {
        format!("{} days", request.days)
    } else {
        format!("{} days: {reason}", request.days)
    };
    db::modlog::record(
        &mut tx,
        moderator.id,
        "ban",
        Target::User(user.id),
        &detail,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(until)
}

/// Lifts a ban early.
pub async fn unban(pool: &Pool, moderator: Actor, username: &str) -> Result<(), ForumError> {
    ensure_moderator(moderator)?;
    let mut tx = crate::db::begin_write(pool).await?;
    let user = db::users::find_by_username(&mut tx, username)
        .await?
        .ok_or(ForumError::NotFound)?;
    db::users::set_banned_until(&mut tx, user.id, None, "").await?;
    db::modlog::record(
        &mut tx,
        moderator.id,
        "unban",
        Target::User(user.id),
        "",
        domain::now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn ensure_moderator(actor: Actor) -> Result<(), ForumError> {
    if actor.is_moderator {
        Ok(())
    } else {
        Err(ForumError::Forbidden("only moderators may ban"))
    }
}
