use sqlx::SqliteConnection;

use crate::domain::{Email, Role, Username};

/// A user row as the app needs it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub password_hash: Option<String>,
    pub role: String,
    pub created_at: i64,
    pub banned_until: Option<i64>,
}

impl User {
    pub fn role(&self) -> Role {
        self.role.parse().unwrap_or(Role::Member)
    }
}

/// Inserts a user with the given role, or — when `role` is `None` — as admin if it is the first
/// account that can log in (imported accounts have no password and do not count) and member
/// otherwise. Decided in the same statement, so two concurrent first registrations cannot both
/// become admin.
pub async fn insert(
    conn: &mut SqliteConnection,
    username: &Username,
    email: &Email,
    password_hash: Option<&str>,
    role: Option<Role>,
    now: i64,
) -> sqlx::Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO users (username, email, password_hash, role, created_at)
         VALUES (?1, ?2, ?3,
                 COALESCE(?4, CASE WHEN EXISTS (SELECT 1 FROM users WHERE password_hash IS NOT NULL)
                                   THEN 'member' ELSE 'admin' END),
                 ?5)
         RETURNING id",
    )
    .bind(username.as_str())
    .bind(email.as_str())
    .bind(password_hash)
    .bind(role.map(Role::as_str))
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn find_by_username(
    conn: &mut SqliteConnection,
    username: &str,
) -> sqlx::Result<Option<User>> {
    sqlx::query_as::<_, User>(
        "SELECT id, username, email, password_hash, role, created_at, banned_until
         FROM users WHERE username = ?1",
    )
    .bind(username)
    .fetch_optional(conn)
    .await
}

pub async fn find_by_id(conn: &mut SqliteConnection, id: i64) -> sqlx::Result<Option<User>> {
    sqlx::query_as::<_, User>(
        "SELECT id, username, email, password_hash, role, created_at, banned_until
         FROM users WHERE id = ?1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Returns whether a user with that name existed.
pub async fn set_role(
    conn: &mut SqliteConnection,
    username: &str,
    role: Role,
) -> sqlx::Result<bool> {
    let done = sqlx::query("UPDATE users SET role = ?1 WHERE username = ?2")
        .bind(role.as_str())
        .bind(username)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn count(conn: &mut SqliteConnection) -> sqlx::Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
        .fetch_one(conn)
        .await?;
    Ok(n)
}

/// Bans a user until `until` (unix seconds), or lifts the ban with `None`.
pub async fn set_banned_until(
    conn: &mut SqliteConnection,
    user_id: i64,
    until: Option<i64>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET banned_until = ?1 WHERE id = ?2")
        .bind(until)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}
