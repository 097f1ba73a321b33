//! Background loops beside the server. Each job exposes `run_once` so tests never wait on a timer;
//! a failing run is logged and the loop keeps ticking.
pub mod notify;
pub mod ranks;
pub mod retrain;

use std::future::Future;
use std::time::Duration;

/// Runs `tick` every `period` until the task is dropped, logging failures.
pub async fn every<F, Fut>(name: &'static str, period: Duration, mut tick: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let mut interval = tokio::time::interval(period);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        if let Err(e) = tick().await {
            tracing::warn!(job = name, error = ?e, "background job failed; will retry");
        }
    }
}
