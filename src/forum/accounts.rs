use super::{ForumError, collect};
use crate::auth::{self, SessionToken};
use crate::db;
use crate::db::{Conn, Pool};
use crate::domain::{self, Email, Password, Role, Username, ValidationError};
use crate::mail::{Mail, Mailer};

/// Creates an account. The very first account becomes admin.
pub async fn register(
    pool: &Pool,
    username: &str,
    email: &str,
    password: &str,
) -> Result<db::users::User, ForumError> {
    let (username, email, password) = collect(
        Username::parse(username),
        Email::parse(email),
        Password::parse(password),
    )?;
    let hash = auth::hash_password(password).await?;
    let mut conn = pool.acquire().await?;
    create(&mut conn, &username, &email, Some(&hash), None).await
}

/// Registration when the forum sends mail: the account is made only from a link mailed to the
/// address, and the answer is the same whether or not the address is registered (its owner gets
/// a notice instead). A taken username is still refused at once: names are public. How long a
/// sign-up link works: [`crate::forum::passwords::CONFIRM_SECS`].
pub async fn register_by_mail(
    pool: &Pool,
    mailer: &Mailer,
    username: &str,
    email: &str,
    password: &str,
) -> Result<(), ForumError> {
    let (username, email, password) = collect(
        Username::parse(username),
        Email::parse(email),
        Password::parse(password),
    )?;
    let mut conn = pool.acquire().await?;
    if db::users::find_by_username(&mut conn, username.as_str())
        .await?
        .is_some()
    {
        return Err(ValidationError::new("username", "is already taken").into());
    }
    let owner = db::users::find_by_email(&mut conn, email.as_str()).await?;
    drop(conn);
    // Hashed either way, so the answer takes as long whether or not the address is taken.
    let hash = auth::hash_password(password).await?;
    let forum = mailer.forum_name();
    let (subject, text) = match owner {
        Some(owner) => {
            let forgot = mailer.link("/forgot");
            (
                "Someone tried to sign up with your address".to_owned(),
                format!(
                    "Hello {},\n\nsomeone tried to sign up on {forum} with this address, which \
                     already belongs to your account ({}). If it was you, log in instead; if you \
                     forgot your password, choose a new one at {forgot}\n\nIf it was not you, \
                     nothing changed and you need do nothing.",
                    owner.username, owner.username
                ),
            )
        }
        None => {
            let token = SessionToken::generate();
            let expires = domain::now() + crate::forum::passwords::CONFIRM_SECS;
            let mut conn = pool.acquire().await?;
            db::resets::insert_pending_registration(
                &mut conn,
                &token.hash(),
                username.as_str(),
                email.as_str(),
                &hash,
                expires,
            )
            .await?;
            let link = mailer.link(&format!("/register/confirm?token={}", token.as_str()));
            (
                "Confirm your address to finish signing up".to_owned(),
                format!(
                    "Hello {},\n\nto finish signing up on {forum}, open this link within a \
                     day:\n\n{link}\n\nIf you did not sign up, ignore this mail.",
                    username.as_str()
                ),
            )
        }
    };
    let mail = Mail {
        to: email.as_str(),
        subject: &subject,
        text: &text,
        unsubscribe: None,
    };
    mailer
        .send(&mail)
        .await
        .map_err(|e| ForumError::Mail(e.to_string()))?;
    Ok(())
}

/// Makes the account of a confirmed sign-up and opens its first session. `None`: the link is
/// unknown, used or expired.
pub async fn confirm_registration(
    pool: &Pool,
    token: &str,
) -> Result<Option<(db::users::User, SessionToken)>, ForumError> {
    let Some(token) = SessionToken::from_cookie(token) else {
        return Ok(None);
    };
    let mut tx = crate::db::begin_write(pool).await?;
    let Some((username, email, hash)) =
        db::resets::take_pending_registration(&mut tx, &token.hash(), domain::now()).await?
    else {
        return Ok(None);
    };
    let (username, email) = (Username::parse(&username)?, Email::parse(&email)?);
    let user = create(&mut tx, &username, &email, Some(&hash), None).await?;
    let (session, _) = open_session(&mut tx, user.id).await?;
    tx.commit().await?;
    Ok(Some((user, session)))
}

/// Inserts a user, turning unique-constraint violations into a message on the right field.
pub async fn create(
    conn: &mut Conn<'_>,
    username: &Username,
    email: &Email,
    password_hash: Option<&str>,
    role: Option<Role>,
) -> Result<db::users::User, ForumError> {
    if db::users::find_by_username(conn, username.as_str())
        .await?
        .is_some()
    {
        return Err(ValidationError::new("username", "is already taken").into());
    }
    match db::users::insert(conn, username, email, password_hash, role, domain::now()).await {
        Ok(id) => db::users::find_by_id(conn, id)
            .await?
            .ok_or(ForumError::NotFound),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            let field = if e.message().contains("users.email")
                || e.constraint().is_some_and(|name| name.contains("email"))
            {
                ValidationError::new("email", "is already registered")
            } else {
                ValidationError::new("username", "is already taken")
            };
            Err(field.into())
        }
        Err(e) => Err(e.into()),
    }
}

/// Checks credentials and opens a new session (the previous one, if any, is ended: login rotates
/// the session). Unknown users, wrong passwords and password-less accounts get the same answer
/// after the same argon2 work.
pub async fn login(
    pool: &Pool,
    username: &str,
    password: &str,
    previous: Option<&SessionToken>,
) -> Result<(db::users::User, SessionToken, String), ForumError> {
    let mut conn = pool.acquire().await?;
    let user = db::users::find_by_username(&mut conn, username.trim()).await?;
    drop(conn);
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    let ok = auth::verify_password(password.to_owned(), stored).await?;
    let user = match user {
        Some(user) if ok => user,
        _ => {
            return Err(ValidationError::new("password", "wrong username or password").into());
        }
    };
    if let Some(until) = user.banned_until.filter(|until| *until > domain::now()) {
        let mut conn = pool.acquire().await?;
        let reason = db::users::ban_reason(&mut conn, user.id).await?;
        return Err(ForumError::Banned(super::bans::Ban { until, reason }));
    }
    let mut tx = crate::db::begin_write(pool).await?;
    if let Some(previous) = previous {
        db::sessions::delete(&mut tx, &previous.hash()).await?;
    }
    let (token, csrf) = open_session(&mut tx, user.id).await?;
    tx.commit().await?;
    Ok((user, token, csrf))
}

/// Stores a new session and returns its token (for the cookie) and CSRF token.
pub async fn open_session(
    conn: &mut Conn<'_>,
    user_id: i64,
) -> Result<(SessionToken, String), ForumError> {
    let token = SessionToken::generate();
    let csrf = auth::random_token();
    let now = domain::now();
    let expires = now + auth::SESSION_DAYS * 86_400;
    db::sessions::insert(conn, &token.hash(), user_id, &csrf, now, expires).await?;
    Ok((token, csrf))
}

pub async fn logout(pool: &Pool, token: &SessionToken) -> Result<(), ForumError> {
    let mut conn = pool.acquire().await?;
    db::sessions::delete(&mut conn, &token.hash()).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How many times, and against which kind of hash, `candidate` was verified.
    fn verifications_of(candidate: &str) -> Vec<bool> {
        auth::VERIFIED
            .lock()
            .unwrap()
            .iter()
            .filter(|(c, _)| c == candidate)
            .map(|(_, real)| *real)
            .collect()
    }

    fn message(e: ForumError) -> Vec<(&'static str, String)> {
        match e {
            ForumError::Invalid(errors) => {
                errors.into_iter().map(|e| (e.field, e.message)).collect()
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn unknown_users_and_wrong_passwords_take_the_same_path_and_get_the_same_answer() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let pool = db::connect(&url, 2).await.unwrap();
        register(&pool, "alice", "alice@example.org", "correct horse battery")
            .await
            .unwrap();

        let unknown = login(&pool, "nobody", "candidate for nobody", None)
            .await
            .unwrap_err();
        let wrong = login(&pool, "alice", "candidate for alice", None)
            .await
            .unwrap_err();

        assert_eq!(message(unknown), message(wrong));
        // One argon2 verification each: against the dummy hash for the unknown user, against the
        // real one for the wrong password.
        assert_eq!(verifications_of("candidate for nobody"), [false]);
        assert_eq!(verifications_of("candidate for alice"), [true]);
    }
}
