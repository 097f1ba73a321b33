use std::sync::{Arc, Mutex};

use arc_swap::ArcSwapOption;

use super::MAX_SUGGESTIONS;
use crate::db;
use crate::db::Conn;
use crate::model::Classifier;

/// The champion classifier currently serving suggestions.
#[derive(Debug)]
pub struct ServingModel {
    pub version: i64,
    pub classifier: Classifier,
    /// Per-tag suggestion thresholds at the forum's precision target, estimated on the model's
    /// held-out share; `None` for models saved without held-out scores (they suggest with their
    /// decision thresholds, the old rule).
    pub suggest: Option<crate::model::metrics::Suggestions>,
}

/// What the serving model says about a post.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Suggestions {
    pub model_version: i64,
    /// Tags at or above their suggestion threshold, most confident first, at most
    /// [`MAX_SUGGESTIONS`], with the model's probability.
    pub tags: Vec<(String, f32)>,
    /// Per suggested tag (same order): the held-out share of topics with at least this score
    /// for the tag that carried it, a calibrated probability; `None` for models without
    /// held-out scores.
    pub calibrated: Vec<Option<f64>>,
    pub quality: Option<f32>,
}

/// How far a training run in this process has got, for the model page.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct TrainingProgress {
    pub version: i64,
    pub started_at: i64,
    pub epoch: usize,
    pub epochs: usize,
    pub batch: usize,
    pub batches: usize,
    /// The logistic-regression fits run before the network's epochs.
    pub fitting_regression: bool,
}

/// Holds the serving model. Swapping is atomic: a request sees the old model or the new one, never
/// waits for training.
#[derive(Debug)]
pub struct Tagger {
    serving: ArcSwapOption<ServingModel>,
    problem: Mutex<Option<String>>,
    training: Mutex<Option<TrainingProgress>>,
    suggest_precision: f64,
}

impl Default for Tagger {
    fn default() -> Self {
        Self::with_suggest_precision(super::DEFAULT_SUGGEST_PRECISION)
    }
}

impl Tagger {
    /// A tagger that suggests a tag only where its held-out precision reaches `target`.
    pub fn with_suggest_precision(target: f64) -> Self {
        Self {
            serving: ArcSwapOption::default(),
            problem: Mutex::default(),
            training: Mutex::default(),
            suggest_precision: target,
        }
    }

    /// The precision target of suggestions.
    pub fn suggest_precision(&self) -> f64 {
        self.suggest_precision
    }

    pub fn current(&self) -> Option<Arc<ServingModel>> {
        self.serving.load_full()
    }

    pub fn serve(&self, version: i64, classifier: Classifier) {
        let suggest = classifier.suggestions(self.suggest_precision);
        self.serving.store(Some(Arc::new(ServingModel {
            version,
            classifier,
            suggest,
        })));
        *self.problem.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// Why the champion could not be loaded, for the moderators' dashboard.
    pub fn problem(&self) -> Option<String> {
        self.problem
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Loads the champion from the database. An unreadable champion is logged and remembered,
    /// and the forum goes on without suggestions.
    pub async fn load_champion(&self, conn: &mut Conn<'_>) -> sqlx::Result<()> {
        let Some((version, weights)) = db::model_versions::champion_weights(conn).await? else {
            return Ok(());
        };
        let loaded = tokio::task::spawn_blocking(move || Classifier::from_bytes(&weights)).await;
        match loaded {
            Ok(Ok(classifier)) => self.serve(version, classifier),
            Ok(Err(e)) => {
                let message = format!("champion model version {version} cannot be loaded: {e}");
                tracing::error!("{message}; serving without tag suggestions");
                *self.problem.lock().unwrap_or_else(|p| p.into_inner()) = Some(message);
            }
            Err(e) => tracing::error!(error = ?e, "loading the champion model panicked"),
        }
        Ok(())
    }

    /// Loads the champion if another one was stored since this process loaded its own (by the
    /// CLI's `retrain`, or another server); returns whether it changed. Cheap when nothing did:
    /// one indexed read of the champion's id.
    pub async fn refresh(&self, conn: &mut Conn<'_>) -> sqlx::Result<bool> {
        let stored = db::model_versions::champion_id(conn).await?;
        let serving = self.current().map(|m| m.version);
        if stored.is_none() || stored == serving {
            return Ok(false);
        }
        self.load_champion(conn).await?;
        Ok(self.current().map(|m| m.version) != serving)
    }

    /// The training run in this process, if one is going.
    pub fn training(&self) -> Option<TrainingProgress> {
        *self.training.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records how far the run in this process has got (`None` when it ended).
    pub fn set_training(&self, progress: Option<TrainingProgress>) {
        *self.training.lock().unwrap_or_else(|p| p.into_inner()) = progress;
    }

    /// Suggests tags for a post on a blocking thread. `None` when no model serves.
    pub async fn suggest(&self, title: String, body: String) -> Option<Suggestions> {
        let model = self.current()?;
        tokio::task::spawn_blocking(move || suggest_with(&model, &title, &body))
            .await
            .ok()
    }
}

/// Tags whose probability reaches the tag's suggestion threshold (at the precision target; the
/// decision threshold for models without held-out scores), best first.
pub fn suggest_with(model: &ServingModel, title: &str, body: &str) -> Suggestions {
    let (probs, quality) = model.classifier.scores(title, body);
    let thresholds = match &model.suggest {
        Some(s) => s.thresholds(),
        None => model.classifier.thresholds().to_vec(),
    };
    let mut chosen: Vec<(usize, f32)> = probs
        .iter()
        .zip(&thresholds)
        .enumerate()
        .filter(|(_, (p, t))| p >= t)
        .map(|(k, (&p, _))| (k, p))
        .collect();
    chosen.sort_by(|a, b| b.1.total_cmp(&a.1));
    chosen.truncate(MAX_SUGGESTIONS);
    let tags = model.classifier.tags();
    Suggestions {
        model_version: model.version,
        calibrated: chosen
            .iter()
            .map(|&(k, p)| model.classifier.calibrated(k, p))
            .collect(),
        tags: chosen
            .into_iter()
            .map(|(k, p)| (tags[k].clone(), p))
            .collect(),
        quality,
    }
}
