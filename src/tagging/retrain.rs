//! One retraining run: read the labels, train a challenger off the async threads with no database
//! connection held, judge it against the champion on the same held-out topics, store it whatever
//! the outcome, and swap it in if it is at least as good.
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;

use super::{Tagger, TrainingProgress, dataset};
use crate::db::{self, model_versions::Finished};
use crate::db::{Conn, Pool};
use crate::domain;
use crate::model::simple::SimpleQuality;
use crate::model::{Classifier, ClassifierParams, Corpus, Role, TrainProgress};

/// A challenger may be this much worse in micro-F1 and still replace the champion (noise).
pub const PROMOTION_TOLERANCE: f64 = 0.005;

/// What starts a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// The periodic job: trains only with enough new labels or a pending "Retrain now".
    Schedule,
    /// Trains now, whatever the label count.
    Manual,
}

impl Trigger {
    fn as_str(self) -> &'static str {
        match self {
            Trigger::Schedule => "schedule",
            Trigger::Manual => "manual",
        }
    }
}

#[derive(Debug, Clone)]
pub struct RetrainConfig {
    pub params: ClassifierParams,
    /// New labels since the champion that make the schedule retrain.
    pub min_new_labels: i64,
    /// Whether a retrain starts warm from the champion (when its architecture matches).
    pub warm: bool,
    /// Past this many training topics, train on a recency-weighted sample of them.
    pub max_train_topics: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Nothing trained, and why.
    Skipped(String),
    Promoted {
        version: i64,
        micro_f1: f64,
        champion_micro_f1: Option<f64>,
    },
    Rejected {
        version: i64,
        micro_f1: f64,
        champion_micro_f1: f64,
    },
    Failed {
        version: i64,
        error: String,
    },
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Skipped(why) => write!(f, "skipped: {why}"),
            Outcome::Promoted {
                version,
                micro_f1,
                champion_micro_f1,
            } => match champion_micro_f1 {
                Some(old) => write!(
                    f,
                    "version {version} is the new champion (micro-F1 {micro_f1:.3} vs {old:.3})"
                ),
                None => write!(
                    f,
                    "version {version} is the first champion (micro-F1 {micro_f1:.3})"
                ),
            },
            Outcome::Rejected {
                version,
                micro_f1,
                champion_micro_f1,
            } => write!(
                f,
                "version {version} rejected: micro-F1 {micro_f1:.3} is worse than the champion's {champion_micro_f1:.3}"
            ),
            Outcome::Failed { version, error } => write!(f, "version {version} failed: {error}"),
        }
    }
}

/// Runs one retraining if it is due (always for [`Trigger::Manual`]).
pub async fn run_once(
    pool: &Pool,
    tagger: &Arc<Tagger>,
    config: &RetrainConfig,
    trigger: Trigger,
    stop: Arc<AtomicBool>,
) -> anyhow::Result<Outcome> {
    // Taken before looking at what is due: a server that waited for another's run then sees
    // that run's champion, and does not train again on the same labels.
    let Some(mut lease) = db::lease::try_take(pool, db::lease::Job::Retrain).await? else {
        return Ok(Outcome::Skipped("another server is training".into()));
    };
    let outcome = run_leased(pool, tagger, config, trigger, stop, &mut lease).await;
    // Released on every way out: a dropped lease ends only when the server notices its closed
    // connection, and a run that follows at once would find it still held.
    lease.release().await?;
    outcome
}

async fn run_leased(
    pool: &Pool,
    tagger: &Arc<Tagger>,
    config: &RetrainConfig,
    trigger: Trigger,
    stop: Arc<AtomicBool>,
    lease: &mut db::lease::Lease,
) -> anyhow::Result<Outcome> {
    let mut conn = pool.acquire().await?;
    if lease.is_exclusive() {
        // Nobody else trains now, so a version still 'training' lost its server mid-run.
        let abandoned = db::model_versions::fail_abandoned(&mut conn, domain::now()).await?;
        if abandoned > 0 {
            tracing::warn!(
                abandoned,
                "marked versions whose server died in training as failed"
            );
        }
    }
    let trigger = match due(&mut conn, tagger, config, trigger).await? {
        Due::No(reason) => return Ok(Outcome::Skipped(reason)),
        Due::Yes(trigger) => trigger,
    };
    let now = domain::now();
    db::model_versions::mark_requests_handled(&mut conn, now).await?;
    let champion_model = tagger.current();
    // The corpus keeps as many ids per topic as the longer-reading of the two models.
    let max_len = champion_model
        .as_deref()
        .map_or(0, |m| m.classifier.params().max_len)
        .max(config.params.max_len);
    let options = dataset::LoadOptions {
        batch_topics: dataset::BATCH_TOPICS,
        max_train_topics: config.max_train_topics,
        seed: config.params.seed,
        max_len,
    };
    let data = dataset::load(&mut conn, &options)
        .await
        .context("reading the training labels")?;
    if let Some(sample) = data.sample {
        tracing::info!(
            kept = sample.kept,
            of = sample.of,
            "{sample} (a recency-weighted sample: more than {} training topics)",
            config.max_train_topics
        );
    }
    let learnable = data.learnable_tags(config.params.min_tag_examples);
    if learnable == 0 {
        return Ok(Outcome::Skipped(format!(
            "no tag has {} labelled topics yet ({} labelled topics in all)",
            config.params.min_tag_examples, data.topics
        )));
    }
    let hyperparameters = serde_json::to_string(&config.params)?;
    let version = db::model_versions::start(
        &mut conn,
        trigger.as_str(),
        data.topics as i64,
        learnable as i64,
        data.negative_labels as i64,
        &hyperparameters,
        now,
    )
    .await?;
    // No connection is held while training: it can take minutes.
    drop(conn);

    let started = Instant::now();
    let params = config.params.clone();
    let warm = config.warm;
    let mut progress = TrainingProgress {
        version,
        started_at: now,
        epoch: 0,
        epochs: 0,
        batch: 0,
        batches: 0,
        fitting_regression: false,
    };
    tagger.set_training(Some(progress));
    let reporter = Arc::clone(tagger);
    // Training stops when the server does (`stop`) or when the lease is lost: another server
    // may then have taken the job, and two champions trained side by side would race.
    let training_stop = Arc::new(AtomicBool::new(false));
    let stop_training = Arc::clone(&training_stop);
    let training = tokio::task::spawn_blocking(move || {
        train_and_judge(
            &params,
            &data.corpus,
            data.sample,
            champion_model.as_deref().map(|m| &m.classifier),
            warm,
            &stop_training,
            &mut |p: &TrainProgress| {
                progress.fitting_regression = p.logistic.is_some() && p.epoch == 0;
                if p.epochs > 0 {
                    (progress.epoch, progress.epochs) = (p.epoch, p.epochs);
                    (progress.batch, progress.batches) = (p.batch, p.batches);
                }
                reporter.set_training(Some(progress));
            },
        )
    });
    let (judged, lease_lost) = watch_training(training, &stop, &training_stop, lease).await;
    tagger.set_training(None);
    let mut judged = judged.context("the training thread panicked")?;
    if lease_lost {
        judged = Err(LEASE_LOST.to_owned());
    }
    record(
        pool,
        tagger,
        version,
        judged,
        started.elapsed().as_secs_f64(),
    )
    .await
}

/// Why a version whose server lost the lease while training was not stored.
const LEASE_LOST: &str =
    "the training lease was lost (its database connection ended); another server may train";

/// How often a running training looks at the server's stop flag, and at the lease.
const STOP_CHECK: Duration = Duration::from_millis(250);
const LEASE_CHECK: Duration = Duration::from_secs(5);

/// Waits for `training`, passing the server's `stop` on to `training_stop` and checking every
/// [`LEASE_CHECK`] that the lease is still held (stopping the training when it is not). Returns
/// the training's result and whether the lease was lost.
async fn watch_training<T>(
    training: tokio::task::JoinHandle<T>,
    stop: &AtomicBool,
    training_stop: &AtomicBool,
    lease: &mut db::lease::Lease,
) -> (Result<T, tokio::task::JoinError>, bool) {
    tokio::pin!(training);
    let mut ticks = tokio::time::interval(STOP_CHECK);
    let mut lease_checked = Instant::now();
    let mut lost = false;
    loop {
        tokio::select! {
            judged = &mut training => return (judged, lost),
            _ = ticks.tick() => {
                if stop.load(Ordering::Relaxed) {
                    training_stop.store(true, Ordering::Relaxed);
                }
                if !lost && lease_checked.elapsed() >= LEASE_CHECK {
                    lease_checked = Instant::now();
                    if !lease.still_held().await {
                        tracing::warn!("lost the training lease; stopping this training");
                        lost = true;
                        training_stop.store(true, Ordering::Relaxed);
                    }
                }
            }
        }
    }
}

/// Whether a run should train, and as what.
enum Due {
    No(String),
    /// Yes, recorded as this trigger: a scheduled check that finds a moderator's pending
    /// "Retrain now" is a manual run.
    Yes(Trigger),
}

/// A scheduled check trains with a pending "Retrain now", a champion that does not load, or
/// enough new labels since the champion; a manual run always trains.
async fn due(
    conn: &mut Conn<'_>,
    tagger: &Tagger,
    config: &RetrainConfig,
    trigger: Trigger,
) -> anyhow::Result<Due> {
    if trigger == Trigger::Manual || db::model_versions::pending_requests(conn).await? > 0 {
        return Ok(Due::Yes(Trigger::Manual));
    }
    // A champion that cannot be loaded (say, a model file of an older format after an upgrade)
    // serves nothing, so waiting for new labels would leave the forum without suggestions.
    if tagger.problem().is_some() {
        return Ok(Due::Yes(trigger));
    }
    let champion = db::model_versions::champion(conn).await?;
    let since = champion.as_ref().map_or(i64::MIN, |c| c.created_at);
    let new_labels = db::labels::count_new_labels(conn, since).await?;
    Ok(if new_labels < config.min_new_labels {
        Due::No(format!(
            "{new_labels} new labels since the champion, {} needed",
            config.min_new_labels
        ))
    } else {
        Due::Yes(trigger)
    })
}

/// Stores the run's result with `version` and serves the challenger if it is at least as good
/// as the champion (within [`PROMOTION_TOLERANCE`]).
async fn record(
    pool: &Pool,
    tagger: &Tagger,
    version: i64,
    judged: Result<Judged, String>,
    seconds: f64,
) -> anyhow::Result<Outcome> {
    let judged = match judged {
        Err(error) => {
            let finished = Finished {
                status: "failed",
                metrics: None,
                micro_f1: None,
                champion_micro_f1: None,
                train_seconds: seconds,
                error: Some(&error),
                weights: None,
            };
            let mut tx = crate::db::begin_write(pool).await?;
            db::model_versions::finish(&mut tx, version, &finished, domain::now()).await?;
            tx.commit().await?;
            tracing::warn!(version, %error, "training failed; the champion keeps serving");
            return Ok(Outcome::Failed { version, error });
        }
        Ok(judged) => judged,
    };
    let promote = judged
        .champion_micro_f1
        .is_none_or(|old| judged.micro_f1 >= old - PROMOTION_TOLERANCE);
    let finished = Finished {
        status: if promote { "champion" } else { "rejected" },
        metrics: Some(&judged.metrics),
        micro_f1: Some(judged.micro_f1),
        champion_micro_f1: judged.champion_micro_f1,
        train_seconds: seconds,
        error: None,
        weights: Some(&judged.weights),
    };
    let mut tx = crate::db::begin_write(pool).await?;
    db::model_versions::finish(&mut tx, version, &finished, domain::now()).await?;
    tx.commit().await?;
    if promote {
        tagger.serve(version, judged.classifier);
        Ok(Outcome::Promoted {
            version,
            micro_f1: judged.micro_f1,
            champion_micro_f1: judged.champion_micro_f1,
        })
    } else {
        Ok(Outcome::Rejected {
            version,
            micro_f1: judged.micro_f1,
            champion_micro_f1: judged.champion_micro_f1.unwrap_or_default(),
        })
    }
}

struct Judged {
    classifier: Classifier,
    /// The challenger's metrics as stored (JSON) and its weights as stored, both serialised on
    /// the training thread so that the write transaction only writes.
    metrics: String,
    weights: Vec<u8>,
    micro_f1: f64,
    champion_micro_f1: Option<f64>,
}

/// The version's metrics as stored: the judged metrics, plus how training began (`start`:
/// `warm` or `cold`, with its details) so a version says whether it reused the champion, and
/// the quality head's ROC-AUC and log-loss on the same topics (`quality`, when measured) so the
/// model page shows how far the needs-attention ranking can trust it, those of a logistic
/// regression on simple features fit on the same training topics (`simple_quality`): on Stack
/// Exchange data the simple model predicted better, so the page compares the two; and the
/// sample it trained on (`sample`: `kept` of `of` topics) when it did not read them all.
fn stored_metrics(
    metrics: &crate::model::Metrics,
    start: Option<&crate::model::Start>,
    (quality, simple_quality): (
        Option<&crate::model::QualityMetrics>,
        Option<&crate::model::QualityMetrics>,
    ),
    sample: Option<dataset::Sample>,
) -> serde_json::Result<String> {
    let mut value = serde_json::to_value(metrics)?;
    if let Some(object) = value.as_object_mut() {
        if let Some(start) = start {
            object.insert("start".into(), serde_json::to_value(start)?);
        }
        if let Some(quality) = quality {
            object.insert("quality".into(), serde_json::to_value(quality)?);
        }
        if let Some(simple) = simple_quality {
            object.insert("simple_quality".into(), serde_json::to_value(simple)?);
        }
        if let Some(sample) = sample {
            object.insert("sample".into(), serde_json::to_value(sample)?);
        }
    }
    serde_json::to_string(&value)
}

/// Trains and measures both models on the held-out topics (the validation topics when none are
/// held out yet). Errors come back as text: they are stored with the failed version.
fn train_and_judge(
    params: &ClassifierParams,
    corpus: &Corpus,
    sample: Option<dataset::Sample>,
    champion: Option<&Classifier>,
    warm: bool,
    stop: &AtomicBool,
    progress: &mut dyn FnMut(&TrainProgress),
) -> Result<Judged, String> {
    let valid_params = params.check().map_err(|e| e.to_string())?;
    let classifier = valid_params
        .fit_corpus(champion.filter(|_| warm), corpus, progress, stop)
        .map_err(|e| e.to_string())?;
    let judge_on = [Role::HeldOut, Role::Valid, Role::Train]
        .into_iter()
        .find(|&role| corpus.count(role) > 0)
        .unwrap_or(Role::Train);
    let (metrics, quality) = classifier
        .evaluate_corpus_with_quality(corpus, &[judge_on])
        .map_err(|e| e.to_string())?;
    let simple_quality = SimpleQuality::fit_rows(&corpus.simple_features(&[Role::Train]))
        .and_then(|s| s.evaluate_rows(&corpus.simple_features(&[judge_on])));
    let champion_micro_f1 = match champion {
        Some(c) => Some(
            c.evaluate_corpus(corpus, &[judge_on])
                .map_err(|e| e.to_string())?
                .micro_f1,
        ),
        None => None,
    };
    let weights = classifier.to_bytes().map_err(|e| e.to_string())?;
    Ok(Judged {
        micro_f1: metrics.micro_f1,
        metrics: stored_metrics(
            &metrics,
            classifier.start(),
            (quality.as_ref(), simple_quality.as_ref()),
            sample,
        )
        .map_err(|e| e.to_string())?,
        weights,
        classifier,
        champion_micro_f1,
    })
}
