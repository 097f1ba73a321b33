//! Leases: jobs that must run on one app server at a time when several share a PostgreSQL
//! database (training a model, fanning notifications out and mailing them).
//!
//! On PostgreSQL a lease is a session-level advisory lock held on a connection of its own, taken
//! out of the pool. It ends when the holder releases it or its connection ends — so when the
//! holding process dies, the server drops the lock as soon as it sees the socket close (a killed
//! process's kernel closes it at once; a vanished machine is caught by TCP keepalive). Nothing
//! has to expire by the clock, and no lease can outlive its holder.
//!
//! SQLite serves one app server per file (DESIGN.md §9): the lease is always granted there.
use sqlx::Connection as _;
use sqlx::postgres::PgConnection;

use super::Pool;

/// The jobs that take a lease. The value is the advisory lock's key, fixed forever: every
/// version of the app must agree on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    Retrain = 0x7477_0001,
    Notify = 0x7477_0002,
}

/// Held while the job runs; dropping it (or the process ending) frees the job for others.
#[must_use = "the lease ends when this is dropped"]
pub struct Lease {
    job: Job,
    /// The connection that holds the lock (PostgreSQL only).
    holder: Option<PgConnection>,
}

impl std::fmt::Debug for Lease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lease").field("job", &self.job).finish()
    }
}

/// Takes the lease on `job` if nobody holds it; `None` when another process (or another task of
/// this one) does.
pub async fn try_take(pool: &Pool, job: Job) -> sqlx::Result<Option<Lease>> {
    let Pool::Postgres(pool) = pool else {
        return Ok(Some(Lease { job, holder: None }));
    };
    // Out of the pool: a lock on a pooled connection would be returned to the pool with it.
    let mut holder = pool.acquire().await?.detach();
    let taken: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(job as i64)
        .fetch_one(&mut holder)
        .await?;
    if taken {
        Ok(Some(Lease {
            job,
            holder: Some(holder),
        }))
    } else {
        holder.close().await?;
        Ok(None)
    }
}

/// Takes the lease on `job`, waiting while another process holds it (for short jobs, where
/// running after the other beats skipping a turn).
pub async fn take(pool: &Pool, job: Job) -> sqlx::Result<Lease> {
    let Pool::Postgres(pool) = pool else {
        return Ok(Lease { job, holder: None });
    };
    let mut holder = pool.acquire().await?.detach();
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(job as i64)
        .execute(&mut holder)
        .await?;
    Ok(Lease {
        job,
        holder: Some(holder),
    })
}

/// Whether some process holds the lease on `job` now (always `false` on SQLite).
pub async fn is_held(pool: &Pool, job: Job) -> sqlx::Result<bool> {
    let Pool::Postgres(pool) = pool else {
        return Ok(false);
    };
    // Advisory locks on one bigint key show as classid = high half, objid = low half, objsubid 1.
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted
                          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                          AND classid = ($1 >> 32)::oid AND objid = ($1 & 4294967295)::oid
                          AND objsubid = 1)",
    )
    .bind(job as i64)
    .fetch_one(pool)
    .await
}

impl Lease {
    /// Whether holding the lease shuts every other process out. On SQLite it is always granted,
    /// so a server and the CLI may both hold it.
    pub fn is_exclusive(&self) -> bool {
        self.holder.is_some()
    }

    /// Whether this lease still shuts the others out: `false` once its connection has ended (the
    /// database restarted, the network dropped it, an operator terminated it), after which
    /// another process may have taken the job. Always `true` on SQLite.
    pub async fn still_held(&mut self) -> bool {
        let Some(holder) = self.holder.as_mut() else {
            return true;
        };
        sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted
                              AND pid = pg_backend_pid()
                              AND classid = ($1 >> 32)::oid AND objid = ($1 & 4294967295)::oid
                              AND objsubid = 1)",
        )
        .bind(self.job as i64)
        .fetch_one(holder)
        .await
        .unwrap_or(false)
    }

    /// Ends the lease now (dropping it ends it too, when its connection closes).
    pub async fn release(self) -> sqlx::Result<()> {
        let Some(mut holder) = self.holder else {
            return Ok(());
        };
        // Unlocked before closing: a backend ends (and drops its locks) only some time after
        // the client hangs up, and a run that follows at once would find the lease still held.
        // A connection that has already ended took the lock with it: nothing left to release.
        if let Err(e) = sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(self.job as i64)
            .execute(&mut holder)
            .await
        {
            tracing::debug!(error = %e, "the lease's connection had ended");
            return Ok(());
        }
        holder.close().await
    }
}
