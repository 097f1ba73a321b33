use crate::db::{Conn, on};

/// The signed-in user behind a session token, with the session's CSRF token.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionUser {
    pub user_id: i64,
    pub username: String,
    pub role: String,
    pub banned_until: Option<i64>,
    pub csrf_token: String,
    pub expires_at: i64,
}

pub async fn insert(
    conn: &mut Conn<'_>,
    token_hash: &str,
    user_id: i64,
    csrf_token: &str,
    now: i64,
    expires_at: i64,
) -> sqlx::Result<()> {
    on!(conn, {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(csrf_token)
        .bind(now)
        .bind(expires_at)
        .execute(conn)
        .await?;
        Ok(())
    })
}

/// Looks up a live (unexpired) session.
pub async fn find_user(
    conn: &mut Conn<'_>,
    token_hash: &str,
    now: i64,
) -> sqlx::Result<Option<SessionUser>> {
    on!(conn, {
        sqlx::query_as::<_, SessionUser>(
            "SELECT u.id AS user_id, u.username, u.role, u.banned_until, s.csrf_token, s.expires_at
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(conn)
        .await
    })
}

pub async fn delete(conn: &mut Conn<'_>, token_hash: &str) -> sqlx::Result<()> {
    on!(conn, {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(conn)
            .await?;
        Ok(())
    })
}

/// Ends every session of a user (bans, password changes).
pub async fn delete_for_user(conn: &mut Conn<'_>, user_id: i64) -> sqlx::Result<()> {
    on!(conn, {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(conn)
            .await?;
        Ok(())
    })
}

pub async fn delete_expired(conn: &mut Conn<'_>, now: i64) -> sqlx::Result<u64> {
    on!(conn, {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(conn)
            .await?;
        Ok(done.rows_affected())
    })
}

/// A member's live session, for the settings page (only hashes are stored).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub token_hash: String,
    pub created_at: i64,
    pub expires_at: i64,
}

pub async fn list_for_user(
    conn: &mut Conn<'_>,
    user_id: i64,
    now: i64,
) -> sqlx::Result<Vec<SessionRow>> {
    on!(conn, {
        sqlx::query_as::<_, SessionRow>(
            "SELECT token_hash, created_at, expires_at FROM sessions
             WHERE user_id = $1 AND expires_at > $2 ORDER BY created_at DESC",
        )
        .bind(user_id)
        .bind(now)
        .fetch_all(conn)
        .await
    })
}

/// Ends every session of a user but one (a password change keeps the one that made it).
pub async fn delete_others(conn: &mut Conn<'_>, user_id: i64, keep_hash: &str) -> sqlx::Result<()> {
    on!(conn, {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(user_id)
            .bind(keep_hash)
            .execute(conn)
            .await?;
        Ok(())
    })
}

/// The session epoch (migration 0013): it moves whenever a session ends or a signed-in user's
/// role, ban, password or name changes, so an in-memory copy of sessions knows it is stale.
pub async fn epoch(conn: &mut Conn<'_>) -> sqlx::Result<i64> {
    on!(conn, {
        sqlx::query_scalar("SELECT epoch FROM session_epoch WHERE id = 1")
            .fetch_one(conn)
            .await
    })
}
