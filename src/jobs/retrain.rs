//! The retrain job: wakes every `interval` (or at once on "Retrain now") and retrains when enough
//! new labels arrived. Training runs on a blocking thread; shutdown sets `stop`, which the trainer
//! checks between batches.
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::Duration;

use crate::db::Pool;
use crate::tagging::Tagger;
use crate::tagging::retrain::{self, Outcome, RetrainConfig, Trigger};

/// How often a server looks for a champion stored by another process.
pub const CHAMPION_CHECK: Duration = Duration::from_secs(30);

/// What the job needs, and nothing of the web layer: the web layer keeps clones of `wake` (its
/// "Retrain now" button) and `next_check` (shown on the dashboard).
#[derive(Clone)]
pub struct RetrainJob {
    pub pool: Pool,
    pub tagger: Arc<Tagger>,
    pub config: RetrainConfig,
    pub interval: Duration,
    /// Wakes the job before its interval is up.
    pub wake: Arc<tokio::sync::Notify>,
    /// When the job next looks for new labels (unix seconds).
    pub next_check: Arc<AtomicI64>,
}

impl RetrainJob {
    /// One check (and maybe one training run), as the loop does it.
    pub async fn run_once(
        &self,
        trigger: Trigger,
        stop: Arc<AtomicBool>,
    ) -> anyhow::Result<Outcome> {
        let outcome =
            retrain::run_once(&self.pool, &self.tagger, &self.config, trigger, stop).await?;
        match &outcome {
            Outcome::Skipped(why) => tracing::debug!(%why, "retrain skipped"),
            other => tracing::info!(outcome = %other, "retrain finished"),
        }
        Ok(outcome)
    }

    /// Runs until the task is dropped; failures are logged and the loop keeps ticking.
    pub async fn run_forever(self, stop: Arc<AtomicBool>) {
        let period = self.interval.max(Duration::from_secs(1));
        loop {
            let next = crate::domain::now() + period.as_secs() as i64;
            self.next_check.store(next, Ordering::Relaxed);
            tokio::select! {
                () = tokio::time::sleep(period) => {}
                () = self.wake.notified() => {}
            }
            // Manual requests are rows in retrain_requests, so `Schedule` picks them up too.
            if let Err(e) = self.run_once(Trigger::Schedule, stop.clone()).await {
                tracing::warn!(error = ?e, "retrain job failed; will retry");
            }
        }
    }
}
