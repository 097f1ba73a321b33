//! Sessions kept in memory, so a request with a session cookie learns who it is without a database
//! round trip.
//!
//! Correctness rests on the session epoch (migration 0013): triggers move it in the transaction
//! that deletes a session or changes a user's role, ban, password or name. The cache re-reads it
//! after each write request of this process has answered (so logout, ban, demotion and password
//! changes refuse the old session on the very next request) and once a second for writers in other
//! processes (the CLI). When it moved, every cached session is dropped: such changes are rare, and
//! the members' next requests refill the map. An entry is stored under the cache's generation read
//! *before* its database lookup, so a lookup that raced with an invalidation is never served.
//! Expiry is checked against the cached expiry on every request.
use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use crate::db::Pool;
use crate::db::{self, sessions::SessionUser};

/// Past this many sessions the map starts over (it refills from the active members).
const MAX_SESSIONS: usize = 100_000;

#[derive(Default)]
pub struct SessionCache {
    /// The database epoch last seen; `i64::MIN` until the first read.
    epoch: AtomicI64,
    /// Moves on whenever cached entries must not be served any more.
    generation: AtomicU64,
    entries: RwLock<HashMap<String, (u64, SessionUser)>>,
}

impl SessionCache {
    pub fn new() -> Self {
        Self {
            epoch: AtomicI64::new(i64::MIN),
            ..Self::default()
        }
    }

    /// The session behind a token hash, if it is live at `now`: from memory, or looked up (and
    /// then remembered).
    pub async fn find(
        &self,
        pool: &Pool,
        token_hash: &str,
        now: i64,
    ) -> sqlx::Result<Option<SessionUser>> {
        let generation = self.generation.load(Ordering::SeqCst);
        if let Some((seen, user)) = self.read().get(token_hash)
            && *seen == generation
        {
            return Ok((user.expires_at > now).then(|| user.clone()));
        }
        let mut conn = pool.acquire().await?;
        let found = db::sessions::find_user(&mut conn, token_hash, now).await?;
        drop(conn);
        if let Some(user) = &found {
            let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
            if entries.len() >= MAX_SESSIONS {
                entries.clear();
            }
            entries.insert(token_hash.to_owned(), (generation, user.clone()));
        }
        Ok(found)
    }

    /// Drops every cached session (this process changed sessions or users in a way the epoch
    /// will show, or cannot tell whether it did).
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.entries
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Re-reads the epoch and drops the cached sessions when it moved. On a database error the
    /// cache is dropped too: it cannot know what changed.
    pub async fn refresh(&self, pool: &Pool) {
        let epoch = match pool.acquire().await {
            Ok(mut conn) => db::sessions::epoch(&mut conn).await,
            Err(e) => Err(e),
        };
        match epoch {
            Ok(epoch) => {
                if self.epoch.swap(epoch, Ordering::SeqCst) != epoch {
                    self.invalidate();
                }
            }
            Err(e) => {
                tracing::warn!(error = ?e, "cannot read the session epoch; dropping cached sessions");
                self.invalidate();
            }
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, (u64, SessionUser)>> {
        self.entries.read().unwrap_or_else(|e| e.into_inner())
    }
}
