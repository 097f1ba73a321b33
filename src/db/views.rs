//! Topic page views, counted in memory and written in one batch by the rank job, so reading a
//! topic never waits on a database write.
use std::collections::HashMap;
use std::sync::Mutex;

use crate::db::{Conn, on};

#[derive(Debug, Default)]
pub struct ViewCounter {
    pending: Mutex<HashMap<i64, i64>>,
}

impl ViewCounter {
    pub fn record(&self, topic_id: i64) {
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        *pending.entry(topic_id).or_default() += 1;
    }

    /// Writes the pending counts and clears them. On a database error the counts are put back.
    pub async fn flush(&self, conn: &mut Conn<'_>) -> sqlx::Result<usize> {
        on!(conn, {
            let batch =
                std::mem::take(&mut *self.pending.lock().unwrap_or_else(|p| p.into_inner()));
            let mut written = 0;
            for (&topic_id, &views) in &batch {
                if let Err(e) = super::topics::add_views(conn, topic_id, views).await {
                    let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
                    for (id, n) in batch.iter().skip(written) {
                        *pending.entry(*id).or_default() += n;
                    }
                    return Err(e);
                }
                written += 1;
            }
            Ok(written)
        })
    }
}
