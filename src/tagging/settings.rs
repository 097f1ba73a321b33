//! The auto-tagger's settings: when to retrain and how big a model to train.
use clap::Args;

/// The auto-tagger: when to retrain and how big a model to train.
#[derive(Debug, Clone, Args)]
pub struct TaggingSettings {
    /// Seconds between checks whether to retrain.
    #[arg(long, env = "THREADWISE_RETRAIN_INTERVAL", default_value_t = 3600)]
    pub retrain_interval_secs: u64,

    /// New labels since the champion that trigger a scheduled retrain.
    #[arg(long, env = "THREADWISE_RETRAIN_MIN_NEW_LABELS", default_value_t = 50)]
    pub retrain_min_new_labels: i64,

    /// A tag is learned once this many topics carry it.
    #[arg(long, env = "THREADWISE_MIN_TAG_EXAMPLES", default_value_t = 20)]
    pub min_tag_examples: usize,

    /// Apply (not just suggest) model tags at or above this confidence; off when unset.
    #[arg(long, env = "THREADWISE_AUTO_APPLY_CONFIDENCE")]
    pub auto_apply_confidence: Option<f32>,

    /// Suggest a tag only where its held-out precision reaches this target (each tag's
    /// threshold is the lowest that does; tags that cannot are not suggested).
    #[arg(
        long,
        env = "THREADWISE_SUGGEST_PRECISION",
        default_value_t = super::DEFAULT_SUGGEST_PRECISION,
        value_parser = parse_precision
    )]
    pub suggest_precision: f64,

    /// Training threads (default: all cores but one, so the web server keeps one).
    #[arg(long, env = "THREADWISE_TRAIN_THREADS")]
    pub train_threads: Option<usize>,

    /// Override the classifier's default epochs.
    #[arg(long, env = "THREADWISE_TRAIN_EPOCHS")]
    pub train_epochs: Option<usize>,

    /// Override the classifier's default LSTM hidden size.
    #[arg(long, env = "THREADWISE_TRAIN_HIDDEN")]
    pub train_hidden: Option<usize>,

    /// Override the classifier's default embedding width.
    #[arg(long, env = "THREADWISE_TRAIN_EMBEDDING")]
    pub train_embedding: Option<usize>,

    /// Override the classifier's early-stopping patience (epochs without improvement).
    #[arg(long, env = "THREADWISE_TRAIN_PATIENCE")]
    pub train_patience: Option<usize>,

    /// Override the classifier's Adam learning rate.
    #[arg(long, env = "THREADWISE_TRAIN_LEARNING_RATE")]
    pub train_learning_rate: Option<f32>,

    /// Override the classifier's minimum optimiser steps (it adds epochs on small data).
    #[arg(long, env = "THREADWISE_TRAIN_MIN_STEPS")]
    pub train_min_steps: Option<usize>,

    /// Override the folds of the cross-fitting that a small forum's retrain adds for its
    /// suggestion thresholds (default 5, each one more training run; 0 = off).
    #[arg(long, env = "THREADWISE_TRAIN_CROSS_FIT_FOLDS")]
    pub train_cross_fit_folds: Option<usize>,

    /// Override the number of hashed-bigram rows of the bag-of-words path (its table has one
    /// row per token and bucket and one column per tag, and training keeps several copies of it:
    /// on a big forum it decides the peak memory).
    #[arg(long, env = "THREADWISE_TRAIN_WIDE_BUCKETS")]
    pub train_wide_buckets: Option<usize>,

    /// Override the classifier's training time budget in seconds (the held-out run and the
    /// refit together).
    #[arg(long, env = "THREADWISE_TRAIN_MAX_SECONDS")]
    pub train_max_seconds: Option<f64>,

    /// Past this many training topics, a retrain trains on a recency-weighted sample of them
    /// (newer topics more likely kept), and says so.
    #[arg(
        long,
        env = "THREADWISE_TRAIN_MAX_TOPICS",
        default_value_t = super::dataset::DEFAULT_MAX_TRAIN_TOPICS
    )]
    pub train_max_topics: usize,

    /// Retrain from scratch every time instead of warm from the champion (a warm start reuses
    /// its weights when the architecture is unchanged, and trains fewer epochs).
    #[arg(long, env = "THREADWISE_TRAIN_COLD")]
    pub train_cold: bool,
}

/// A precision target: a number in (0, 1].
fn parse_precision(s: &str) -> Result<f64, String> {
    let p: f64 = s
        .parse()
        .map_err(|e| format!("{s:?} is not a number: {e}"))?;
    if p > 0.0 && p <= 1.0 {
        Ok(p)
    } else {
        Err(format!("{p} is not a precision in (0, 1]"))
    }
}

impl Default for TaggingSettings {
    fn default() -> Self {
        Self {
            retrain_interval_secs: 3600,
            retrain_min_new_labels: 50,
            min_tag_examples: 20,
            auto_apply_confidence: None,
            suggest_precision: super::DEFAULT_SUGGEST_PRECISION,
            train_threads: None,
            train_epochs: None,
            train_hidden: None,
            train_embedding: None,
            train_patience: None,
            train_learning_rate: None,
            train_min_steps: None,
            train_cross_fit_folds: None,
            train_max_seconds: None,
            train_wide_buckets: None,
            train_max_topics: super::dataset::DEFAULT_MAX_TRAIN_TOPICS,
            train_cold: false,
        }
    }
}

impl TaggingSettings {
    /// The training configuration these settings describe.
    pub fn retrain_config(&self) -> super::retrain::RetrainConfig {
        let mut params =
            crate::model::ClassifierParams::default().min_tag_examples(self.min_tag_examples);
        if let Some(threads) = self.train_threads {
            params = params.threads(threads);
        }
        if let Some(epochs) = self.train_epochs {
            params = params.epochs(epochs);
        }
        if let Some(hidden) = self.train_hidden {
            params = params.hidden(hidden);
        }
        if let Some(embedding) = self.train_embedding {
            params = params.embedding(embedding);
        }
        if let Some(patience) = self.train_patience {
            params = params.patience(patience);
        }
        if let Some(learning_rate) = self.train_learning_rate {
            params = params.learning_rate(learning_rate);
        }
        if let Some(min_steps) = self.train_min_steps {
            params = params.min_steps(min_steps);
        }
        if let Some(folds) = self.train_cross_fit_folds {
            params = params.cross_fit_folds(folds);
        }
        if let Some(buckets) = self.train_wide_buckets {
            params = params.wide_buckets(Some(buckets));
        }
        if let Some(seconds) = self.train_max_seconds {
            params = params.max_seconds(Some(seconds));
        }
        super::retrain::RetrainConfig {
            params,
            min_new_labels: self.retrain_min_new_labels,
            warm: !self.train_cold,
            max_train_topics: self.train_max_topics,
        }
    }
}
