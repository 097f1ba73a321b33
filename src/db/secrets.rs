//! The forum's own secrets, made once and kept in the database so that every process (and every
//! restart) signs alike.
use crate::db::{Conn, on};

/// The secret called `name`; the first time it is asked for, `fresh` (random bytes from the
/// caller) is stored as it.
pub async fn get_or_create(conn: &mut Conn<'_>, name: &str, fresh: &str) -> sqlx::Result<Vec<u8>> {
    on!(conn, {
        sqlx::query("INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(name)
            .bind(fresh.as_bytes())
            .execute(&mut *conn)
            .await?;
        let (value,): (Vec<u8>,) = sqlx::query_as("SELECT value FROM secrets WHERE name = $1")
            .bind(name)
            .fetch_one(conn)
            .await?;
        Ok(value)
    })
}
