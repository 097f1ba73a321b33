//! Rank refresh: writes buffered page views and recomputes the time-decaying ranks.
use anyhow::Context;

use crate::db::Pool;
use crate::db::{self, views::ViewCounter};
use crate::domain;

/// How often the rank job runs.
pub const PERIOD: std::time::Duration = std::time::Duration::from_secs(60);

/// Returns how many topics were re-ranked.
pub async fn run_once(pool: &Pool, views: &ViewCounter) -> anyhow::Result<u64> {
    let mut tx = crate::db::begin_write(pool).await?;
    views.flush(&mut tx).await.context("flushing topic views")?;
    let updated = db::topics::refresh_recent_ranks(&mut tx, domain::now())
        .await
        .context("refreshing topic ranks")?;
    tx.commit().await?;
    Ok(updated)
}
