//! Single-use password-reset links and pending e-mail changes; only tokens' hashes are stored.
use crate::db::{Conn, on};

pub async fn insert_reset(
    conn: &mut Conn<'_>,
    token_hash: &str,
    user_id: i64,
    now: i64,
    expires_at: i64,
) -> sqlx::Result<()> {
    on!(conn, {
        sqlx::query(
            "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(now)
        .bind(expires_at)
        .execute(conn)
        .await?;
        Ok(())
    })
}

/// The member a reset token is for, while it is unused and unexpired.
pub async fn live_reset(
    conn: &mut Conn<'_>,
    token_hash: &str,
    now: i64,
) -> sqlx::Result<Option<i64>> {
    on!(conn, {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT user_id FROM password_resets
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(conn)
        .await?;
        Ok(row.map(|(id,)| id))
    })
}

/// Uses a reset token: it and every other open link of the member stop working. Returns whether
/// the token was still live (so two uses at once cannot both succeed).
pub async fn use_reset(
    conn: &mut Conn<'_>,
    token_hash: &str,
    user_id: i64,
    now: i64,
) -> sqlx::Result<bool> {
    on!(conn, {
        let done = sqlx::query(
            "UPDATE password_resets SET used_at = $3
             WHERE user_id = $2 AND used_at IS NULL
               AND EXISTS (SELECT 1 FROM password_resets WHERE token_hash = $1 AND used_at IS NULL
                           AND expires_at > $3)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(now)
        .execute(conn)
        .await?;
        Ok(done.rows_affected() > 0)
    })
}

pub async fn insert_email_change(
    conn: &mut Conn<'_>,
    token_hash: &str,
    user_id: i64,
    email: &str,
    expires_at: i64,
) -> sqlx::Result<()> {
    on!(conn, {
        sqlx::query("DELETE FROM email_changes WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "INSERT INTO email_changes (token_hash, user_id, email, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(email)
        .bind(expires_at)
        .execute(conn)
        .await?;
        Ok(())
    })
}

/// Takes a pending e-mail change by its token: the member and the new address, once.
pub async fn take_email_change(
    conn: &mut Conn<'_>,
    token_hash: &str,
    now: i64,
) -> sqlx::Result<Option<(i64, String)>> {
    on!(conn, {
        sqlx::query_as(
            "DELETE FROM email_changes WHERE token_hash = $1 AND expires_at > $2
             RETURNING user_id, email",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(conn)
        .await
    })
}

pub async fn insert_pending_registration(
    conn: &mut Conn<'_>,
    token_hash: &str,
    username: &str,
    email: &str,
    password_hash: &str,
    expires_at: i64,
) -> sqlx::Result<()> {
    on!(conn, {
        sqlx::query(
            "INSERT INTO pending_registrations (token_hash, username, email, password_hash, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(username)
        .bind(email)
        .bind(password_hash)
        .bind(expires_at)
        .execute(conn)
        .await?;
        Ok(())
    })
}

/// Takes a pending sign-up by its token, once: (username, email, password hash).
pub async fn take_pending_registration(
    conn: &mut Conn<'_>,
    token_hash: &str,
    now: i64,
) -> sqlx::Result<Option<(String, String, String)>> {
    on!(conn, {
        sqlx::query_as(
            "DELETE FROM pending_registrations WHERE token_hash = $1 AND expires_at > $2
             RETURNING username, email, password_hash",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(conn)
        .await
    })
}
