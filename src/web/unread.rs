//! Members' unread-notification counts for the header's bell, kept in memory: a page must not
//! count a member's notifications in the database on every request. A count is valid for the
//! page cache's generation it was read in; every write (a reply that notifies, a notification
//! read) and the notify job move the generation on, so a stale count is never shown.
use std::collections::HashMap;
use std::sync::Mutex;

use super::cache::PageCache;
use crate::db;
use crate::db::Pool;

#[derive(Default)]
pub struct UnreadCounts {
    counts: Mutex<HashMap<i64, (u64, i64)>>,
}

/// Past this many members the map starts over (it refills from the active ones).
const MAX_MEMBERS: usize = 100_000;

impl UnreadCounts {
    pub async fn get(&self, pool: &Pool, cache: &PageCache, user_id: i64) -> sqlx::Result<i64> {
        let generation = cache.generation();
        if let Some(&(seen, count)) = self.lock().get(&user_id)
            && seen == generation
        {
            return Ok(count);
        }
        let mut conn = pool.acquire().await?;
        let count = db::notifications::unread_count(&mut conn, user_id).await?;
        let mut counts = self.lock();
        if counts.len() >= MAX_MEMBERS {
            counts.clear();
        }
        // Stored under the generation read before the query: a write during it makes it stale.
        counts.insert(user_id, (generation, count));
        Ok(count)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, (u64, i64)>> {
        self.counts.lock().unwrap_or_else(|e| e.into_inner())
    }
}
