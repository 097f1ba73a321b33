//! Getting back into an account and changing its keys: "forgot password" links (single use, one
//! hour, only the token's hash stored), password and e-mail changes. Every change of password ends
//! the account's other sessions.

use super::ForumError;
use super::topics::Actor;
use crate::auth::{self, SessionToken};
use crate::db;
use crate::db::{Conn, Pool};
use crate::domain::{self, Email, Password, ValidationError};
use crate::mail::{Mail, Mailer};

/// How long a reset link works.
pub const RESET_SECS: i64 = 3600;
/// How long an e-mail confirmation link works.
pub const CONFIRM_SECS: i64 = 24 * 3600;

/// Makes a reset link for a member (the CLI hands it over when there is no mail).
pub async fn reset_link(pool: &Pool, user_id: i64, mailer: &Mailer) -> Result<String, ForumError> {
    let token = SessionToken::generate();
    let now = domain::now();
    let mut conn = pool.acquire().await?;
    db::resets::insert_reset(&mut conn, &token.hash(), user_id, now, now + RESET_SECS).await?;
    Ok(mailer.link(&format!("/reset?token={}", token.as_str())))
}

/// "Forgot password?": mails a reset link when `email` belongs to an account. The caller answers
/// the same either way, so the form tells nobody which addresses are registered. Returns whether
/// a mail was sent (for tests and logs only).
pub async fn forgot(pool: &Pool, mailer: &Mailer, email: &str) -> Result<bool, ForumError> {
    let Ok(email) = Email::parse(email) else {
        return Ok(false);
    };
    let mut conn = pool.acquire().await?;
    let user = db::users::find_by_email(&mut conn, email.as_str()).await?;
    drop(conn);
    let Some(user) = user.filter(|_| mailer.is_on()) else {
        return Ok(false);
    };
    let link = reset_link(pool, user.id, mailer).await?;
    let text = format!(
        "Hello {},\n\nsomeone (hopefully you) asked to reset the password of your account on {}.\n\
         Choose a new one here within the hour:\n\n{link}\n\n\
         The link works once. If you did not ask, ignore this mail: your password stays as it is.",
        user.username,
        mailer.forum_name()
    );
    let mail = Mail {
        to: &user.email,
        subject: "Reset your password",
        text: &text,
        unsubscribe: None,
    };
    if let Err(e) = mailer.send(&mail).await {
        tracing::warn!(error = %e, "could not send a password-reset mail");
        return Ok(false);
    }
    Ok(true)
}

/// Whether a reset token is still good (the page shows the form, or says why not).
pub async fn reset_is_live(pool: &Pool, token: &str) -> Result<bool, ForumError> {
    let Some(token) = SessionToken::from_cookie(token) else {
        return Ok(false);
    };
    let mut conn = pool.acquire().await?;
    let live = db::resets::live_reset(&mut conn, &token.hash(), domain::now()).await?;
    Ok(live.is_some())
}

/// Sets a new password from a reset link: the link and every other open one stop working, and
/// every session of the account ends. Returns the member's id.
pub async fn reset(pool: &Pool, token: &str, password: &str) -> Result<i64, ForumError> {
    let expired = || ForumError::from(ValidationError::new("token", RESET_GONE));
    let token = SessionToken::from_cookie(token).ok_or_else(expired)?;
    let password = Password::parse(password)?;
    let mut conn = pool.acquire().await?;
    let user_id = db::resets::live_reset(&mut conn, &token.hash(), domain::now())
        .await?
        .ok_or_else(expired)?;
    drop(conn);
    let hash = auth::hash_password(password).await?;
    let mut tx = db::begin_write(pool).await?;
    if !db::resets::use_reset(&mut tx, &token.hash(), user_id, domain::now()).await? {
        return Err(expired());
    }
    db::users::set_password_hash(&mut tx, user_id, &hash).await?;
    db::sessions::delete_for_user(&mut tx, user_id).await?;
    tx.commit().await?;
    Ok(user_id)
}

pub const RESET_GONE: &str =
    "this reset link has expired or was already used; ask for a new one from the login page";

/// Changes a member's password after checking the current one; every other session ends.
pub async fn change_password(
    pool: &Pool,
    actor: Actor,
    current_session: &SessionToken,
    current: &str,
    new: &str,
) -> Result<(), ForumError> {
    let new = Password::parse(new).map_err(|e| ValidationError::new("new_password", e.message))?;
    let user = check_password(pool, actor, current).await?;
    let hash = auth::hash_password(new).await?;
    let mut tx = db::begin_write(pool).await?;
    db::users::set_password_hash(&mut tx, user.id, &hash).await?;
    db::sessions::delete_others(&mut tx, user.id, &current_session.hash()).await?;
    tx.commit().await?;
    Ok(())
}

async fn check_password(
    pool: &Pool,
    actor: Actor,
    password: &str,
) -> Result<db::users::User, ForumError> {
    let mut conn = pool.acquire().await?;
    let user = db::users::find_by_id(&mut conn, actor.id)
        .await?
        .ok_or(ForumError::NotFound)?;
    drop(conn);
    let ok = auth::verify_password(password.to_owned(), user.password_hash.clone()).await?;
    if !ok {
        return Err(ValidationError::new("current_password", "is not your password").into());
    }
    Ok(user)
}

/// What an e-mail change did.
#[derive(Debug, PartialEq, Eq)]
pub enum EmailChange {
    /// Without mail there is nothing to confirm with: the address changed at once.
    Changed,
    /// A confirmation link went to the new address; the old one stays until it is used.
    ConfirmationSent,
}

/// Changes a member's e-mail address (their password is asked for). With mail, the new address
/// must be confirmed from the link sent to it.
pub async fn change_email(
    pool: &Pool,
    mailer: &Mailer,
    actor: Actor,
    password: &str,
    email: &str,
) -> Result<EmailChange, ForumError> {
    let email = Email::parse(email)?;
    let user = check_password(pool, actor, password).await?;
    let mut conn = pool.acquire().await?;
    if db::users::find_by_email(&mut conn, email.as_str())
        .await?
        .is_some_and(|other| other.id != user.id)
    {
        return Err(ValidationError::new("email", "is already registered").into());
    }
    if !mailer.is_on() {
        set_email(&mut conn, user.id, email.as_str()).await?;
        return Ok(EmailChange::Changed);
    }
    let token = SessionToken::generate();
    let expires = domain::now() + CONFIRM_SECS;
    db::resets::insert_email_change(&mut conn, &token.hash(), user.id, email.as_str(), expires)
        .await?;
    drop(conn);
    let link = mailer.link(&format!("/settings/email/confirm?token={}", token.as_str()));
    let text = format!(
        "Hello {},\n\nconfirm {} as the address of your account on {} by opening:\n\n{link}\n\n\
         If you did not ask for this, ignore this mail.",
        user.username,
        email.as_str(),
        mailer.forum_name()
    );
    let mail = Mail {
        to: email.as_str(),
        subject: "Confirm your new e-mail address",
        text: &text,
        unsubscribe: None,
    };
    mailer
        .send(&mail)
        .await
        .map_err(|e| ForumError::Mail(e.to_string()))?;
    Ok(EmailChange::ConfirmationSent)
}

async fn set_email(conn: &mut Conn<'_>, user_id: i64, email: &str) -> Result<(), ForumError> {
    match db::users::set_email(conn, user_id, email).await {
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            Err(ValidationError::new("email", "is already registered").into())
        }
        other => Ok(other?),
    }
}

/// Confirms a new address from its link. Returns whether the link was good.
pub async fn confirm_email(pool: &Pool, token: &str) -> Result<bool, ForumError> {
    let Some(token) = SessionToken::from_cookie(token) else {
        return Ok(false);
    };
    let mut tx = db::begin_write(pool).await?;
    let Some((user_id, email)) =
        db::resets::take_email_change(&mut tx, &token.hash(), domain::now()).await?
    else {
        return Ok(false);
    };
    set_email(&mut tx, user_id, &email).await?;
    tx.commit().await?;
    Ok(true)
}
