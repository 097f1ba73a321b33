//! The heavy pool: search, reports and exports run on their own few connections, behind a gate
//! and under a time budget per query, so they can never take the connections that page reads and
//! writes need. Past the gate's wait (`--heavy-wait-ms`) or a query's budget (`--query-budget-ms`,
//! enforced by SQLite's progress handler, which interrupts the statement, or by PostgreSQL's
//! `statement_timeout`; `error.rs` maps both) the answer is a 503 with `Retry-After`; the connection goes back to the pool
//! usable.
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::SqlitePoolOptions;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::error::AppError;
use crate::db::{AsConn, Engine, Kind, Pool, PoolConn};

/// Virtual-machine steps between two looks at the clock: about a microsecond of work.
const PROGRESS_STEPS: i32 = 100;
/// What `Retry-After` says: the heavy work of now is over by then.
pub const RETRY_AFTER_SECS: u64 = 2;

/// The heavy pool's settings, from `Settings`.
#[derive(Debug, Clone, Copy)]
pub struct HeavySettings {
    pub connections: u32,
    pub wait: Duration,
    pub budget: Duration,
}

pub struct HeavyPool {
    pool: Pool,
    gate: Arc<Semaphore>,
    settings: HeavySettings,
}

/// A heavy-pool connection with its query budget armed; hand it to `db` functions as
/// `&mut conn`. Dropping it frees the gate.
pub struct HeavyConn {
    conn: PoolConn,
    _permit: OwnedSemaphorePermit,
}

impl AsConn for HeavyConn {
    fn engine(&mut self) -> Engine<'_> {
        self.conn.engine()
    }
}

impl HeavyPool {
    /// Opens the heavy pool's connections to the (already migrated) database.
    pub async fn connect(url: &str, settings: HeavySettings) -> anyhow::Result<Self> {
        use anyhow::Context as _;
        let connections = settings.connections.max(1);
        let pool = match Kind::of_url(url) {
            Kind::Sqlite => Pool::Sqlite(
                SqlitePoolOptions::new()
                    .max_connections(connections)
                    // The budget is armed for one holder at a time: disarmed when the connection
                    // comes back, so the pool's own statements (a ROLLBACK on release) are never
                    // interrupted.
                    .after_release(|conn, _| {
                        Box::pin(async move {
                            conn.lock_handle().await?.remove_progress_handler();
                            Ok(true)
                        })
                    })
                    .connect_with(crate::db::options(url)?)
                    .await
                    .with_context(|| format!("cannot open the heavy pool on {url:?}"))?,
            ),
            Kind::Postgres => Pool::Postgres(
                PgPoolOptions::new()
                    .max_connections(connections)
                    .after_release(|conn, _| {
                        Box::pin(async move {
                            sqlx::query("SET statement_timeout = 0")
                                .execute(conn)
                                .await?;
                            Ok(true)
                        })
                    })
                    .connect(url)
                    .await
                    .with_context(|| format!("cannot open the heavy pool on {url:?}"))?,
            ),
        };
        Ok(Self {
            pool,
            gate: Arc::new(Semaphore::new(connections as usize)),
            settings,
        })
    }

    /// A connection for one heavy request: waits at most the gate's wait for a free one, then
    /// arms the budget for the statements run on it from now: SQLite's progress handler, or
    /// PostgreSQL's `statement_timeout` (per statement, so a request's few statements can take a
    /// few budgets there).
    pub async fn acquire(&self) -> Result<HeavyConn, AppError> {
        let permit = tokio::time::timeout(self.settings.wait, self.gate.clone().acquire_owned())
            .await
            .map_err(|_| busy())?
            .expect("the heavy gate is never closed");
        let mut conn = self.pool.acquire().await?;
        let budget = self.settings.budget;
        match &mut conn {
            PoolConn::Sqlite(conn) => {
                let deadline = Instant::now() + budget;
                conn.lock_handle()
                    .await?
                    .set_progress_handler(PROGRESS_STEPS, move || Instant::now() < deadline);
            }
            PoolConn::Postgres(conn) => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SET statement_timeout = {}",
                    budget.as_millis().max(1)
                )))
                .execute(&mut **conn)
                .await?;
            }
        }
        Ok(HeavyConn {
            conn,
            _permit: permit,
        })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

fn busy() -> AppError {
    AppError::Busy {
        retry_after_secs: RETRY_AFTER_SECS,
    }
}
