//! The auto-tagger for moderators: model health (versions, per-tag quality, acceptance, training
//! schedule, cold start) with "Retrain now", and the review queue of suggested tags.
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::Nav;
use super::charts;
use crate::db::{self, labels::PendingSuggestion, model_versions::ModelVersion};
use crate::domain;
use crate::forum::review;
use crate::tagging::{
    self, TrainingProgress,
    quality::{PredictedQuality, Quality},
};
use crate::web::get_or_head;
use crate::web::render::{self, PageContext, ago, redirect};
use crate::web::session::Moderator;
use crate::web::{AppState, error::AppError};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/mod/model").route(get_or_head().to(model_health)))
        .service(web::resource("/mod/retrain").route(web::post().to(retrain_now)))
        .service(web::resource("/mod/review").route(get_or_head().to(review_queue)));
}

/// A tag that cannot be learned yet, and how many more labelled topics it needs.
pub struct ColdTag {
    pub tag: String,
    pub examples: i64,
    pub needed: i64,
}

/// Everything the model-health page and its JSON report show.
#[derive(serde::Serialize)]
pub struct ModelHealth {
    pub serving_version: Option<i64>,
    pub load_problem: Option<String>,
    pub versions: Vec<ModelVersion>,
    pub champion_metrics: Option<Quality>,
    pub acceptance: Vec<db::labels::AcceptanceWeek>,
    pub last_training: Option<i64>,
    pub next_check: i64,
    pub pending_requests: i64,
    pub min_tag_examples: i64,
    pub learnable_tags: usize,
    /// Tags the serving model knows.
    pub serving_tags: Option<usize>,
    /// A run training in this process, with its progress.
    pub training: Option<TrainingProgress>,
    /// A version in status `training` that this process is not running (the CLI, another server).
    pub training_elsewhere: Option<i64>,
    #[serde(skip)]
    pub cold_tags: Vec<ColdTag>,
    /// The precision target of suggestions (`--suggest-precision`).
    pub suggest_target: f64,
    /// Held-out estimate of all suggestions together at the target; `None` when the serving
    /// model has no held-out scores (it suggests with its decision thresholds).
    pub suggest_precision: Option<f64>,
    /// Held-out share of topics that get at least one suggestion at the target.
    pub suggest_coverage: Option<f64>,
    /// Live: accepted / (accepted + rejected) model suggestions, all tags.
    pub acceptance_rate: Option<f64>,
    /// Per tag the serving model knows: its suggestion threshold and estimates, beside the
    /// live acceptance.
    pub suggest_tags: Vec<SuggestTag>,
    /// Tags whose held-out precision cannot reach the target: never suggested.
    pub unsuggested_tags: Vec<String>,
}

/// One tag's suggestion threshold at the target, its held-out precision, and its live acceptance.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SuggestTag {
    pub tag: String,
    /// `None`: the tag is not suggested.
    pub threshold: Option<f32>,
    pub estimated_precision: f64,
    /// Held-out share of topics suggested this tag.
    pub estimated_coverage: f64,
    pub held_out_support: usize,
    pub accepted: i64,
    pub rejected: i64,
    pub acceptance_rate: Option<f64>,
}

fn rate(accepted: i64, rejected: i64) -> Option<f64> {
    (accepted + rejected > 0).then(|| accepted as f64 / (accepted + rejected) as f64)
}

/// The suggestion rows of the serving model, joined with the live acceptance per tag.
fn suggest_rows(
    suggest: Option<&crate::model::metrics::Suggestions>,
    live: &[db::labels::AcceptanceTag],
    held_out_items: usize,
) -> Vec<SuggestTag> {
    let Some(s) = suggest else {
        return Vec::new();
    };
    s.per_tag
        .iter()
        .map(|t| {
            let (accepted, rejected) = live
                .iter()
                .find(|l| l.tag == t.tag)
                .map_or((0, 0), |l| (l.accepted, l.rejected));
            SuggestTag {
                tag: t.tag.clone(),
                threshold: t.threshold,
                estimated_precision: t.precision,
                estimated_coverage: t.predicted as f64 / held_out_items.max(1) as f64,
                held_out_support: t.support,
                accepted,
                rejected,
                acceptance_rate: rate(accepted, rejected),
            }
        })
        .collect()
}

/// Reads the model's health from the database and the serving tagger.
pub async fn load_health(state: &AppState) -> Result<ModelHealth, AppError> {
    let mut conn = state.pool.acquire().await?;
    let versions = db::model_versions::list(&mut conn, 20).await?;
    let champion_metrics = versions
        .iter()
        .find(|v| v.status == "champion")
        .and_then(|v| v.metrics.as_deref())
        .and_then(Quality::parse);
    let since = domain::now() - 26 * 7 * 86_400;
    let acceptance = db::labels::acceptance_by_week(&mut conn, since).await?;
    let pending_requests = db::model_versions::pending_requests(&mut conn).await?;
    let min = state.settings.tagging.min_tag_examples as i64;
    let per_tag = tagging::dataset::training_examples_per_tag(&mut conn).await?;
    let learnable_tags = per_tag.iter().filter(|t| t.1 as i64 >= min).count();
    let cold_tags = per_tag
        .into_iter()
        .filter(|t| (t.1 as i64) < min)
        .take(50)
        .map(|(tag, examples)| ColdTag {
            needed: min - examples as i64,
            tag,
            examples: examples as i64,
        })
        .collect();
    let training = state.tagger.training();
    let training_elsewhere = versions
        .iter()
        .find(|v| v.status == "training" && training.is_none_or(|t| t.version != v.id))
        .map(|v| v.id);
    let last_training = versions.first().map(|v| v.created_at);
    let serving = state.tagger.current();
    let live = db::labels::acceptance_by_tag(&mut conn).await?;
    let (accepted, rejected) = live
        .iter()
        .fold((0, 0), |a, l| (a.0 + l.accepted, a.1 + l.rejected));
    let suggest = serving.as_ref().and_then(|m| m.suggest.as_ref());
    let held_out_items = serving
        .as_ref()
        .map_or(0, |m| m.classifier.held_out_items());
    let suggest_tags = suggest_rows(suggest, &live, held_out_items);
    Ok(ModelHealth {
        suggest_target: state.tagger.suggest_precision(),
        suggest_precision: suggest.map(|s| s.precision),
        suggest_coverage: suggest.map(|s| s.coverage),
        acceptance_rate: rate(accepted, rejected),
        unsuggested_tags: suggest_tags
            .iter()
            .filter(|t| t.threshold.is_none())
            .map(|t| t.tag.clone())
            .collect(),
        suggest_tags,
        serving_version: serving.as_ref().map(|m| m.version),
        serving_tags: serving.as_ref().map(|m| m.classifier.tags().len()),
        training,
        training_elsewhere,
        load_problem: state.tagger.problem(),
        versions,
        champion_metrics,
        acceptance,
        last_training,
        next_check: state
            .next_retrain_check
            .load(std::sync::atomic::Ordering::Relaxed),
        pending_requests,
        min_tag_examples: min,
        learnable_tags,
        cold_tags,
    })
}

#[derive(Template)]
#[template(path = "mod/model.html")]
struct ModelPage {
    ctx: PageContext,
    nav: Nav,
    health: ModelHealth,
    per_tag_chart: String,
    acceptance_chart: String,
}

impl ModelPage {
    fn age(&self, ts: &i64) -> String {
        ago(*ts)
    }

    fn when(&self, ts: &i64) -> String {
        if *ts <= 0 {
            return "—".into();
        }
        let delta = ts - domain::now();
        if delta > 0 {
            format!("in {}", charts::duration(delta as f64))
        } else {
            "due now".into()
        }
    }

    /// Whether the page should reload itself: a run is queued or training.
    fn busy(&self) -> bool {
        self.health.pending_requests > 0
            || self.health.training.is_some()
            || self.health.training_elsewhere.is_some()
    }

    fn progress(&self, t: &TrainingProgress) -> String {
        if t.epochs == 0 {
            "fitting the logistic regression".into()
        } else if t.fitting_regression {
            format!("blending after {} epochs", t.epoch)
        } else {
            format!(
                "epoch {} of at most {}, batch {} of {}",
                t.epoch, t.epochs, t.batch, t.batches
            )
        }
    }

    /// A version's topics: the count, or the sample it trained on when it did not read them all.
    fn topics(&self, v: &ModelVersion) -> String {
        v.metrics
            .as_deref()
            .and_then(tagging::dataset::Sample::of_stored)
            .map_or_else(|| v.examples.to_string(), |s| s.to_string())
    }

    fn score(&self, v: &Option<f64>) -> String {
        v.map_or_else(|| "—".into(), |x| format!("{x:.3}"))
    }

    fn seconds(&self, v: &Option<f64>) -> String {
        v.map_or_else(|| "—".into(), charts::duration)
    }

    fn acceptance_rate(&self, week: &db::labels::AcceptanceWeek) -> String {
        charts::percent(week.accepted as f64 / week.decided.max(1) as f64)
    }

    fn pct(&self, x: &f64) -> String {
        charts::percent(*x)
    }

    fn opt_pct(&self, x: &Option<f64>) -> String {
        x.map_or_else(|| "–".to_string(), charts::percent)
    }

    fn threshold(&self, t: &Option<f32>) -> String {
        t.map_or_else(|| "not suggested".to_string(), |t| format!("{t:.3}"))
    }

    /// Whether the quality head's probabilities beat the base rate on held-out topics, which is
    /// what decides whether the needs-attention order is more than freshness and views.
    fn quality_verdict(&self, q: &PredictedQuality) -> &'static str {
        if q.log_loss < q.base_rate_log_loss {
            "better than the base rate"
        } else {
            "no better than the base rate, so the list is ranked mostly by freshness and views"
        }
    }

    /// Whether the network's quality head beats the simple-feature baseline on held-out
    /// topics; on Stack Exchange data it did not (docs/classifier.md).
    fn simple_verdict(
        &self,
        network: &PredictedQuality,
        simple: &PredictedQuality,
    ) -> &'static str {
        let auc = |q: &PredictedQuality| q.roc_auc.unwrap_or(0.5);
        match (
            network.log_loss <= simple.log_loss,
            auc(network) >= auc(simple),
        ) {
            (true, true) => "the network predicts better",
            (false, false) => "the simple features predict better than the network",
            _ => "neither is better on both measures",
        }
    }

    fn week(&self, ts: &i64) -> String {
        render::date(*ts)
    }
}

async fn model_health(
    state: web::Data<AppState>,
    moderator: Moderator,
) -> Result<HttpResponse, AppError> {
    let health = load_health(&state).await?;
    let per_tag_chart = health
        .champion_metrics
        .as_ref()
        .map(|m| {
            let mut entries: Vec<(String, f64)> =
                m.per_tag.iter().map(|t| (t.tag.clone(), t.f1)).collect();
            entries.sort_by(|a, b| b.1.total_cmp(&a.1));
            entries.truncate(25);
            charts::bars(
                "F1 per tag (champion, held-out topics)",
                "F1",
                &entries,
                |v| format!("{v:.2}"),
            )
        })
        .unwrap_or_default();
    let acceptance_chart = if health.acceptance.is_empty() {
        String::new()
    } else {
        let entries: Vec<(String, f64)> = health
            .acceptance
            .iter()
            .map(|w| {
                (
                    render::date(w.week_start),
                    w.accepted as f64 / w.decided.max(1) as f64,
                )
            })
            .collect();
        charts::bars(
            "Suggestions accepted, per week",
            "share accepted",
            &entries,
            charts::percent,
        )
    };
    render::render(&ModelPage {
        ctx: PageContext::for_viewer(Some(moderator.0)),
        nav: Nav {
            active: "model",
            period: 30,
        },
        health,
        per_tag_chart,
        acceptance_chart,
    })
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf_token: String,
}

async fn retrain_now(
    state: web::Data<AppState>,
    moderator: Moderator,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, AppError> {
    let viewer = moderator.0;
    viewer.check_csrf(&form.csrf_token)?;
    review::request_retrain(&state.pool, (&viewer).into()).await?;
    state.retrain_now.notify_one();
    Ok(redirect("/mod/model"))
}

#[derive(Template)]
#[template(path = "mod/review.html")]
struct ReviewPage {
    ctx: PageContext,
    nav: Nav,
    queue: Vec<PendingSuggestion>,
}

impl ReviewPage {
    fn percent(&self, v: &Option<f64>) -> String {
        charts::percent(v.unwrap_or(0.0))
    }
}

async fn review_queue(
    state: web::Data<AppState>,
    moderator: Moderator,
) -> Result<HttpResponse, AppError> {
    let mut conn = state.pool.acquire().await?;
    let queue = db::labels::review_queue(&mut conn, 200, 0).await?;
    drop(conn);
    render::render(&ReviewPage {
        ctx: PageContext::for_viewer(Some(moderator.0)),
        nav: Nav {
            active: "review",
            period: 30,
        },
        queue,
    })
}
