//! The retrain job: wakes every `retrain_interval` (or at once on "Retrain now") and retrains
//! when enough new labels arrived. Training runs on a blocking thread; shutdown sets `stop`, which
//! the trainer checks between batches.
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use crate::tagging::retrain::{self, Outcome, Trigger};
use crate::web::AppState;

/// One check (and maybe one training run), as the loop does it.
pub async fn run_once(
    state: &AppState,
    trigger: Trigger,
    stop: Arc<AtomicBool>,
) -> anyhow::Result<Outcome> {
    let config = state.settings.tagging.retrain_config();
    let outcome = retrain::run_once(&state.pool, &state.tagger, &config, trigger, stop).await?;
    match &outcome {
        Outcome::Skipped(why) => tracing::debug!(%why, "retrain skipped"),
        other => tracing::info!(outcome = %other, "retrain finished"),
    }
    Ok(outcome)
}

/// Runs until the task is dropped; failures are logged and the loop keeps ticking.
pub async fn run_forever(state: AppState, stop: Arc<AtomicBool>) {
    let period = Duration::from_secs(state.settings.tagging.retrain_interval_secs.max(1));
    loop {
        let next = crate::domain::now() + period.as_secs() as i64;
        state
            .next_retrain_check
            .store(next, std::sync::atomic::Ordering::Relaxed);
        tokio::select! {
            () = tokio::time::sleep(period) => {}
            () = state.retrain_now.notified() => {}
        }
        // Manual requests are rows in retrain_requests, so `Schedule` picks them up too.
        if let Err(e) = run_once(&state, Trigger::Schedule, stop.clone()).await {
            tracing::warn!(error = ?e, "retrain job failed; will retry");
        }
    }
}
