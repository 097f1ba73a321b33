//! `threadwise retrain`: exactly one retraining run against the database, for operators and scripts.
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::db;
use crate::tagging::Tagger;
use crate::tagging::TaggingSettings;
use crate::tagging::retrain::{self, Outcome, Trigger};

pub async fn run(database_url: &str, settings: &TaggingSettings) -> anyhow::Result<()> {
    let pool = db::connect(database_url, 2).await?;
    let tagger = Arc::new(Tagger::default());
    let mut conn = pool.acquire().await?;
    tagger.load_champion(&mut conn).await?;
    drop(conn);
    let config = settings.retrain_config();
    let outcome = retrain::run_once(
        &pool,
        &tagger,
        &config,
        Trigger::Manual,
        Arc::new(AtomicBool::new(false)),
    )
    .await?;
    println!("{outcome}");
    let version = match &outcome {
        Outcome::Promoted { version, .. }
        | Outcome::Rejected { version, .. }
        | Outcome::Failed { version, .. } => *version,
        Outcome::Skipped(_) => {
            pool.close().await;
            return Ok(());
        }
    };
    let mut conn = pool.acquire().await?;
    if let Some(v) = db::model_versions::list(&mut conn, 50)
        .await?
        .into_iter()
        .find(|v| v.id == version)
    {
        println!(
            "status {} · {} topics · {} tags · {} negative labels · {:.1} s",
            v.status,
            v.examples,
            v.tags,
            v.negative_labels,
            v.train_seconds.unwrap_or_default()
        );
        if let Some(metrics) = v.metrics {
            println!("metrics {metrics}");
        }
    }
    drop(conn);
    pool.close().await;
    if matches!(outcome, Outcome::Failed { .. }) {
        anyhow::bail!("training failed");
    }
    Ok(())
}
