//! The channel on which app servers sharing one PostgreSQL database announce changes to each
//! other (`LISTEN`/`NOTIFY`; the listening side is `web::nodes`). On SQLite there is one server
//! per file and nothing to announce.
//!
//! A payload is what changed — `pages`, `sessions` or `champion` — and, when an app server
//! sent it, a space and that server's id, so it can skip its own. The `sessions` and `champion`
//! announcements come from triggers (migrations/postgres/0003_notify.sql), so every writer sends
//! them, the CLI included.
use sqlx::Connection as _;

use super::{Kind, Pool};

pub const CHANNEL: &str = "threadwise_invalidate";

/// Announces `payload` to every listening app server. NOTIFY outside a transaction is delivered
/// at once.
pub async fn announce(pool: &Pool, payload: &str) -> sqlx::Result<()> {
    let Pool::Postgres(pool) = pool else {
        return Ok(());
    };
    notify(pool, payload).await
}

/// For a command-line process that wrote to the database at `url`: the app servers' pages are
/// stale (no-op on SQLite, where servers catch such writes within their cache's TTL).
pub async fn announce_to_url(url: &str, payload: &str) -> sqlx::Result<()> {
    if Kind::of_url(url) != Kind::Postgres {
        return Ok(());
    }
    let mut conn = sqlx::postgres::PgConnection::connect(url).await?;
    notify(&mut conn, payload).await?;
    conn.close().await
}

async fn notify<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Postgres>,
    payload: &str,
) -> sqlx::Result<()> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(payload)
        .execute(executor)
        .await?;
    Ok(())
}
