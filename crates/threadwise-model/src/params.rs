//! Hyper-parameters, checked once (linfa's `Params → check() → ValidParams`).
use super::ModelError;
use serde::{Deserialize, Serialize};

/// Training hyper-parameters with builder methods; [`Default`] holds the tuned defaults.
/// Missing fields deserialise to their defaults, so models saved before a parameter existed load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClassifierParams {
    /// Maximum passes over the training set (early stopping may end sooner).
    pub epochs: usize,
    /// Epochs without a better validation micro-F1 before stopping.
    pub patience: usize,
    /// Wall-clock budget in seconds: training ends (keeping the best epoch so far) once it is
    /// spent. `None` = no limit.
    pub max_seconds: Option<f64>,
    /// Least number of optimiser steps: on small data the epochs (and patience) are scaled up
    /// until training takes at least this many steps.
    pub min_steps: usize,
    /// LSTM hidden size.
    pub hidden: usize,
    /// Embedding width.
    pub embedding: usize,
    /// Stacked LSTM layers.
    pub layers: usize,
    /// Tokens per post kept (title, `<sep>`, body).
    pub max_len: usize,
    /// Worker threads for training and batch inference.
    pub threads: usize,
    /// Seed of every random choice (initialisation, shuffling, dropout, validation split).
    pub seed: u64,
    /// Sequences per optimiser step.
    pub batch_size: usize,
    /// Tags with fewer training examples are not learned.
    pub min_tag_examples: usize,
    /// Vocabulary size cap, special tokens included.
    pub max_vocab: usize,
    /// Tokens seen fewer times are `<unk>`.
    pub min_token_count: usize,
    /// Adam's step size.
    pub learning_rate: f32,
    /// Global gradient-norm clipping threshold.
    pub clip_norm: f32,
    /// Dropout rate on the pooled vector.
    pub dropout: f64,
    /// Share of input tokens dropped (word dropout) during training.
    pub token_dropout: f64,
    /// Weight of the quality head's loss relative to the tag loss.
    pub quality_weight: f32,
    /// Share of the training set held out for validation when no validation set is given.
    pub valid_fraction: f64,
    /// Training inputs with fewer examples than this are *small*: they get the small-data
    /// default of [`ClassifierParams::wide_alone_weight`] (see [`ClassifierParams::resolved`]).
    pub small_data: usize,
    /// After early stopping on the held-out share, train again from scratch on the whole training
    /// input for the chosen number of epochs and keep that model (with the thresholds tuned on
    /// the held-out share). Only when the validation set is held out of the training input.
    pub refit: bool,
    /// What picks the epoch that is kept: the held-out micro-F1 (ties: lower loss) or the
    /// held-out loss alone.
    pub select_by: Selection,
    /// A linear bag-of-words path from the tokens straight to the tag logits, trained jointly
    /// with the LSTM ("wide & deep").
    pub wide: bool,
    /// Hashed-bigram rows of the bag-of-words path (0 = words only). `None` = none for small
    /// training inputs (most of their bigrams are seen once: noise that dilutes the words' share
    /// of each normalised bag), [`large_data_buckets`] for the tag count otherwise.
    pub wide_buckets: Option<usize>,
    /// Whether the bag-of-words features are weighted by their inverse document frequency in the
    /// training set (TF-IDF); otherwise every feature has idf 1 (sublinear tf, L2-normalised).
    pub wide_idf: bool,
    /// Weight of an extra loss on the bag-of-words path alone (its logits plus the tag bias),
    /// relative to the tag loss; 0 = the path is trained only through the joint logits.
    /// `None` = 1 for small training inputs, 0 otherwise.
    pub wide_alone_weight: Option<f32>,
    /// Whether the bag-of-words features are also fit on their own as an L2-regularised logistic
    /// regression (solved to convergence, `C` picked from `logistic_c` on the validation set),
    /// which is then blended into the tag logits with a weight picked on the validation set
    /// (`model::blend`). Only with the bag-of-words path (`wide`).
    pub logistic: bool,
    /// The values of the logistic regression's inverse penalty `C` (scikit-learn's meaning) tried.
    pub logistic_c: Vec<f64>,
    /// Most L-BFGS iterations per value of `C` (each fit starts from the previous one's weights).
    pub logistic_iterations: usize,
    /// Decay of the exponential moving average of the weights that is validated and kept
    /// (per optimiser step; 0 = off, keep the raw weights).
    pub ema_decay: f32,
    /// Decoupled (AdamW) weight decay on the weight matrices; 0 = plain Adam.
    pub weight_decay: f32,
    /// Decoupled weight decay of the bag-of-words table alone (`None` = `weight_decay`): the
    /// wide path over-fits within a few epochs, the LSTM does not.
    pub wide_weight_decay: Option<f32>,
    /// The bag-of-words table's learning rate as a share of `learning_rate`.
    pub wide_lr_scale: f32,
    /// Optimiser steps over which the learning rate rises linearly from 0.
    pub warmup_steps: usize,
    /// The learning rate follows a cosine from its full value down to this share of it over the
    /// planned steps (epochs × batches); 1 = constant.
    pub lr_min_fraction: f32,
    /// The learning rate is multiplied by this after every epoch that does not improve; 1 = off.
    pub plateau_decay: f32,
    /// Per-tag thresholds are pulled toward the global one as if the global one had this many
    /// validation positives behind it (tags with few positives mostly get the global); 0 = off.
    pub threshold_prior: f64,
    /// How the kept model's decision thresholds are tuned on the held-out share after training
    /// (early stopping always reads the legacy rule with `threshold_prior`); `None` = that legacy
    /// rule for the kept model too.
    pub final_thresholds: Option<super::metrics::ThresholdRule>,
    /// Weight of a rejected tag (a confirmed negative) in the network's and the logistic
    /// regression's loss.
    pub rejected_weight: f64,
    /// Weight of every other absent tag (an unlabelled absence: authors tag incompletely) in the
    /// network's and the logistic regression's loss; positives weigh 1.
    pub absent_weight: f64,
    /// Most epochs of a warm start ([`ValidParams::fit_with`] from a champion of the same
    /// architecture): it begins near a good model, so it needs fewer than `epochs`.
    pub warm_epochs: usize,
    /// Folds of the cross-fitting that scores every training example by a model that did not
    /// see it, when the held-out share is small (see `cross_fit_below`); 0 or 1 = off. Each fold
    /// is one more training run, so this only pays on small data, where a held-out share of a
    /// few hundred topics gives thresholds that rest on a handful of predictions. The folds
    /// together get a `max_seconds` budget of their own; out of it, the held-out share is kept.
    pub cross_fit_folds: usize,
    /// Cross-fit only when the held-out share has fewer items than this.
    pub cross_fit_below: usize,
}

/// What early stopping reads to pick the epoch that is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Selection {
    /// Held-out micro-F1 with tuned thresholds; on a tie, the lower held-out loss.
    #[default]
    MicroF1,
    /// Held-out mean binary cross-entropy alone.
    Loss,
}

/// All cores but one (so the web server keeps one), at least one.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().saturating_sub(1).max(1))
}

impl Default for ClassifierParams {
    fn default() -> Self {
        ClassifierParams {
            epochs: 15,
            patience: 5,
            min_steps: 3000,
            max_seconds: Some(540.0),
            hidden: 96,
            embedding: 64,
            layers: 2,
            max_len: 256,
            threads: default_threads(),
            seed: 42,
            batch_size: 32,
            min_tag_examples: 20,
            max_vocab: 30_000,
            min_token_count: 2,
            learning_rate: 4e-3,
            clip_norm: 5.0,
            dropout: 0.3,
            token_dropout: 0.1,
            quality_weight: 0.2,
            valid_fraction: 0.1,
            small_data: 5000,
            refit: false,
            select_by: Selection::MicroF1,
            // Measured on debtags (README): the bag-of-words path with 2¹⁶ bigram buckets, AdamW
            // decay 0.1 against its fast over-fitting, and thresholds pulled toward the global one
            // took validation micro-F1 from 0.619 to 0.644; cosine decay, plateau decay, decay 0.3
            // and word dropout 0.2 did not help. A quarter of the learning rate for the bag-of-words
            // table (it over-fits within a few epochs at the full rate) took it to 0.647 / 0.350 /
            // 0.837 (from 0.644 / 0.342 / 0.834); a separate table decay of 1.0, or of 0 with the
            // quarter rate, were worse (0.631, 0.642). Early stopping on the raw weights then picked
            // noisy epochs (seeds 42 / 7 / 3: 0.630 / 0.629 / 0.637). TF-IDF for the bag (idf from
            // the training set, sublinear tf) and validating and keeping a moving average of the
            // weights (decay 0.998 per step, a horizon of ~1.2 epochs) made the validation curve
            // smooth: seeds 42 / 7 / 3 / 1 give 0.6505 / 0.6441 / 0.6446 / 0.6397 (mean 0.6447
            // against the baseline's 0.644: level with it, not reliably above). An average decay of
            // 0.999, halving the rate on plateaus and an extra loss on the bag alone
            // (`wide_alone_weight` 1) were not better on debtags; that extra loss helps the small
            // Stack Exchange set (README). Patience 5 instead of 3 was never worse and sometimes
            // better: debtags seed 1 0.6397 -> 0.6542, Stack Exchange seed 42 0.362 -> 0.371, seeds
            // 3 and 7 unchanged; on a loaded machine debtags then ends at the 540 s cap. Below
            // `small_data` examples the bag-of-words loss is on (`resolved`): Stack Exchange seeds
            // 42 / 7 0.371 / 0.369 -> 0.385 / 0.383; a refit on all the data was worse (0.352).
            // Blending in the bag-of-words features' own logistic regression (`logistic`, C picked
            // on the held-out share) took debtags seeds 42 / 7 to 0.667 / 0.663 and, with no
            // bigram rows below `small_data` (`resolved`), Stack Exchange to 0.444 / 0.435
            // (with the bigram rows: 0.407 / 0.390). README has the whole table.
            wide: true,
            wide_buckets: None,
            wide_idf: true,
            ema_decay: 0.998,
            logistic: true,
            logistic_c: vec![1.0, 4.0, 16.0, 64.0],
            logistic_iterations: 100,
            wide_alone_weight: None,
            weight_decay: 0.1,
            wide_weight_decay: None,
            wide_lr_scale: 0.25,
            warmup_steps: 0,
            lr_min_fraction: 1.0,
            plateau_decay: 1.0,
            threshold_prior: 20.0,
            // Measured with `examples/thresholds.rs` on the same trained models (docs/classifier.md,
            // 2026-12-03): the fine grid, every tag with a held-out positive tuned for its own F1,
            // pulled toward the one threshold best for macro-F1 in logit space with prior 10, took
            // Stack Exchange seed 42 from 0.4435 / 0.3953 to 0.4477 / 0.4385 (micro / macro-F1)
            // and a debtags seed-42 model from 0.6522 / 0.3175 to 0.6471 / 0.4830.
            final_thresholds: Some(super::metrics::ThresholdRule::rare_tags()),
            // Authors tag incompletely: an absent tag is a probable negative, a rejected one a
            // certain one. Measured by simulation on debtags (docs/classifier.md, 2026-12-04: 30 %
            // of the tags dropped, rejections for half the wrong predictions, warm retrain):
            // rejections at 3 took micro / macro-F1 from 0.6392 / 0.4259 to 0.6483 / 0.4529, and
            // absences at 0.5 macro-F1 on to 0.4647 (micro 0.6428); on the complete file a cold
            // run with absences at 0.5 gave 0.6543 / 0.4983 (defaults before: 0.6515 / 0.5013).
            rejected_weight: 3.0,
            absent_weight: 0.5,
            warm_epochs: 3,
            cross_fit_folds: 5,
            cross_fit_below: 1_000,
        }
    }
}

macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident: $ty:ty),* $(,)?) => {
        impl ClassifierParams {
            $($(#[$doc])* pub fn $name(mut self, value: $ty) -> Self {
                self.$name = value;
                self
            })*
        }
    };
}

setters! {
    /// Sets [`ClassifierParams::epochs`].
    epochs: usize,
    /// Sets [`ClassifierParams::patience`].
    patience: usize,
    /// Sets [`ClassifierParams::max_seconds`].
    max_seconds: Option<f64>,
    /// Sets [`ClassifierParams::min_steps`].
    min_steps: usize,
    /// Sets [`ClassifierParams::hidden`].
    hidden: usize,
    /// Sets [`ClassifierParams::embedding`].
    embedding: usize,
    /// Sets [`ClassifierParams::layers`].
    layers: usize,
    /// Sets [`ClassifierParams::max_len`].
    max_len: usize,
    /// Sets [`ClassifierParams::threads`].
    threads: usize,
    /// Sets [`ClassifierParams::seed`].
    seed: u64,
    /// Sets [`ClassifierParams::batch_size`].
    batch_size: usize,
    /// Sets [`ClassifierParams::min_tag_examples`].
    min_tag_examples: usize,
    /// Sets [`ClassifierParams::max_vocab`].
    max_vocab: usize,
    /// Sets [`ClassifierParams::min_token_count`].
    min_token_count: usize,
    /// Sets [`ClassifierParams::learning_rate`].
    learning_rate: f32,
    /// Sets [`ClassifierParams::clip_norm`].
    clip_norm: f32,
    /// Sets [`ClassifierParams::dropout`].
    dropout: f64,
    /// Sets [`ClassifierParams::token_dropout`].
    token_dropout: f64,
    /// Sets [`ClassifierParams::quality_weight`].
    quality_weight: f32,
    /// Sets [`ClassifierParams::valid_fraction`].
    valid_fraction: f64,
    /// Sets [`ClassifierParams::wide`].
    wide: bool,
    /// Sets [`ClassifierParams::wide_buckets`].
    wide_buckets: Option<usize>,
    /// Sets [`ClassifierParams::wide_idf`].
    wide_idf: bool,
    /// Sets [`ClassifierParams::ema_decay`].
    ema_decay: f32,
    /// Sets [`ClassifierParams::logistic`].
    logistic: bool,
    /// Sets [`ClassifierParams::logistic_c`].
    logistic_c: Vec<f64>,
    /// Sets [`ClassifierParams::logistic_iterations`].
    logistic_iterations: usize,
    /// Sets [`ClassifierParams::wide_alone_weight`].
    wide_alone_weight: Option<f32>,
    /// Sets [`ClassifierParams::small_data`].
    small_data: usize,
    /// Sets [`ClassifierParams::refit`].
    refit: bool,
    /// Sets [`ClassifierParams::select_by`].
    select_by: Selection,
    /// Sets [`ClassifierParams::weight_decay`].
    weight_decay: f32,
    /// Sets [`ClassifierParams::wide_weight_decay`].
    wide_weight_decay: Option<f32>,
    /// Sets [`ClassifierParams::wide_lr_scale`].
    wide_lr_scale: f32,
    /// Sets [`ClassifierParams::warmup_steps`].
    warmup_steps: usize,
    /// Sets [`ClassifierParams::lr_min_fraction`].
    lr_min_fraction: f32,
    /// Sets [`ClassifierParams::plateau_decay`].
    plateau_decay: f32,
    /// Sets [`ClassifierParams::threshold_prior`].
    threshold_prior: f64,
    /// Sets [`ClassifierParams::rejected_weight`].
    rejected_weight: f64,
    /// Sets [`ClassifierParams::absent_weight`].
    absent_weight: f64,
    /// Sets [`ClassifierParams::warm_epochs`].
    warm_epochs: usize,
    /// Sets [`ClassifierParams::cross_fit_folds`].
    cross_fit_folds: usize,
    /// Sets [`ClassifierParams::cross_fit_below`].
    cross_fit_below: usize,
}

/// Most hashed-bigram rows of the bag-of-words path for training inputs that are not small.
pub const LARGE_DATA_BUCKETS: usize = 1 << 16;

/// Bigram cells (rows × tags) of the bag-of-words table that the default allows: training keeps
/// about sixteen copies of the table (network, gradient, Adam's moments, the moving average,
/// the regression and its L-BFGS history), so on a big forum with hundreds of tags this decides
/// the peak memory. Measured on a generated 100k-topic forum with 297 tags: 65,536 rows peaked
/// at 1,429 MB, 16,384 at 477 MB (docs/classifier.md).
pub const WIDE_BIGRAM_CELLS: usize = 1 << 23;

/// The default bigram rows for `tags` tags: [`LARGE_DATA_BUCKETS`], fewer when the tags are so
/// many that the table would pass [`WIDE_BIGRAM_CELLS`]. A power of two, so that the count (and
/// with it the architecture a warm start needs) only changes when the tag count crosses one.
pub fn large_data_buckets(tags: usize) -> usize {
    let fit = (WIDE_BIGRAM_CELLS / tags.max(1)).max(1);
    (1usize << fit.ilog2()).clamp(1 << 10, LARGE_DATA_BUCKETS)
}

/// Parameters that passed [`ClassifierParams::check`]; only these can train.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidParams(pub(crate) ClassifierParams);

impl ValidParams {
    /// The checked values.
    pub fn params(&self) -> &ClassifierParams {
        &self.0
    }
}

impl ClassifierParams {
    /// Whether a training input of `examples` examples is small (fewer than `small_data`).
    pub fn is_small(&self, examples: usize) -> bool {
        examples < self.small_data
    }

    /// The parameters with every `None` that depends on the data set's size decided for a
    /// training input of `examples` examples: small inputs get the bag-of-words path's own loss
    /// (`wide_alone_weight` 1) and no bigram rows, others no such loss, and their bigram rows
    /// are left to [`ClassifierParams::wide_buckets_for`] the tag count. The same rule for any
    /// data.
    pub fn resolved(&self, examples: usize) -> ClassifierParams {
        let small = self.is_small(examples);
        let mut p = self.clone();
        p.wide_alone_weight = Some(p.wide_alone_weight.unwrap_or(if small { 1.0 } else { 0.0 }));
        if small {
            p.wide_buckets = Some(p.wide_buckets.unwrap_or(0));
        }
        p
    }

    /// The bigram rows for `tags` tags: the set value, else [`large_data_buckets`].
    pub fn wide_buckets_for(&self, tags: usize) -> usize {
        self.wide_buckets
            .unwrap_or_else(|| large_data_buckets(tags))
    }

    /// Checks every value's range.
    pub fn check(&self) -> Result<ValidParams, ModelError> {
        self.check_sizes()?;
        self.check_optimiser()?;
        self.check_regularisation()?;
        self.check_wide_path()?;
        Ok(ValidParams(self.clone()))
    }

    /// Counts and sizes.
    fn check_sizes(&self) -> Result<(), ModelError> {
        let p = self;
        let positive = [
            ("epochs", p.epochs),
            ("hidden", p.hidden),
            ("embedding", p.embedding),
            ("layers", p.layers),
            ("max_len", p.max_len),
            ("threads", p.threads),
            ("batch_size", p.batch_size),
            ("min_tag_examples", p.min_tag_examples),
            ("min_token_count", p.min_token_count),
            ("logistic_iterations", p.logistic_iterations),
            ("warm_epochs", p.warm_epochs),
        ];
        for (name, value) in positive {
            require(value > 0, name, value, "must be at least 1")?;
        }
        require(
            p.max_vocab >= 4,
            "max_vocab",
            p.max_vocab,
            "must be at least 4 (3 special tokens + 1)",
        )?;
        if let Some(s) = p.max_seconds {
            require(
                s > 0.0,
                "max_seconds",
                s,
                "must be a positive number of seconds",
            )?;
        }
        require(
            p.valid_fraction > 0.0 && p.valid_fraction < 1.0,
            "valid_fraction",
            p.valid_fraction,
            "must be in (0, 1)",
        )
    }

    /// Learning rate, its schedule and the moving average.
    fn check_optimiser(&self) -> Result<(), ModelError> {
        let p = self;
        require(
            positive(p.learning_rate),
            "learning_rate",
            p.learning_rate,
            "must be a positive number",
        )?;
        require(
            positive(p.clip_norm),
            "clip_norm",
            p.clip_norm,
            "must be a positive number",
        )?;
        require(
            (0.0..1.0).contains(&p.ema_decay),
            "ema_decay",
            p.ema_decay,
            "must be in [0, 1)",
        )?;
        require(
            (0.0..=1.0).contains(&p.lr_min_fraction),
            "lr_min_fraction",
            p.lr_min_fraction,
            "must be in [0, 1]",
        )?;
        require(
            p.plateau_decay > 0.0 && p.plateau_decay <= 1.0,
            "plateau_decay",
            p.plateau_decay,
            "must be in (0, 1]",
        )
    }

    /// Dropout, weight decay, loss weights and the thresholds' prior.
    fn check_regularisation(&self) -> Result<(), ModelError> {
        let p = self;
        require(
            (0.0..1.0).contains(&p.dropout),
            "dropout",
            p.dropout,
            "must be in [0, 1)",
        )?;
        require(
            (0.0..1.0).contains(&p.token_dropout),
            "token_dropout",
            p.token_dropout,
            "must be in [0, 1)",
        )?;
        require(
            non_negative(p.quality_weight),
            "quality_weight",
            p.quality_weight,
            "must be ≥ 0",
        )?;
        require(
            p.weight_decay >= 0.0 && p.weight_decay * p.learning_rate < 1.0,
            "weight_decay",
            p.weight_decay,
            "must be ≥ 0 and below 1 / learning_rate",
        )?;
        require(
            non_negative(p.threshold_prior),
            "threshold_prior",
            p.threshold_prior,
            "must be ≥ 0",
        )?;
        require(
            non_negative(p.rejected_weight),
            "rejected_weight",
            p.rejected_weight,
            "must be ≥ 0",
        )?;
        require(
            non_negative(p.absent_weight),
            "absent_weight",
            p.absent_weight,
            "must be ≥ 0",
        )
    }

    /// The bag-of-words path and its logistic regression.
    fn check_wide_path(&self) -> Result<(), ModelError> {
        let p = self;
        if let Some(d) = p.wide_weight_decay {
            require(
                d >= 0.0 && d * p.learning_rate * p.wide_lr_scale < 1.0,
                "wide_weight_decay",
                d,
                "must be ≥ 0 and below 1 / (learning_rate · wide_lr_scale)",
            )?;
        }
        require(
            positive(p.wide_lr_scale),
            "wide_lr_scale",
            p.wide_lr_scale,
            "must be a positive number",
        )?;
        if let Some(w) = p.wide_alone_weight {
            require(non_negative(w), "wide_alone_weight", w, "must be ≥ 0")?;
        }
        require(
            !p.logistic_c.is_empty(),
            "logistic_c",
            "[]",
            "needs at least one value",
        )?;
        if let Some(&c) = p.logistic_c.iter().find(|c| !positive(**c)) {
            return Err(ModelError::param(
                "logistic_c",
                c,
                "every value must be a positive number",
            ));
        }
        Ok(())
    }
}

/// `Err` naming the parameter, its value and the rule unless `ok`.
fn require(
    ok: bool,
    name: &'static str,
    value: impl std::fmt::Display,
    rule: &'static str,
) -> Result<(), ModelError> {
    if ok {
        Ok(())
    } else {
        Err(ModelError::param(name, value, rule))
    }
}

/// Finite and above zero (NaN is neither).
fn positive<F: Into<f64>>(x: F) -> bool {
    let x = x.into();
    x > 0.0 && x.is_finite()
}

/// Finite and not below zero (NaN is neither).
fn non_negative<F: Into<f64>>(x: F) -> bool {
    let x = x.into();
    x >= 0.0 && x.is_finite()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_names_the_bad_value() {
        let err = ClassifierParams::default()
            .dropout(1.5)
            .check()
            .unwrap_err()
            .to_string();
        assert!(err.contains("dropout") && err.contains("1.5"), "{err}");
        let err = ClassifierParams::default()
            .hidden(0)
            .check()
            .unwrap_err()
            .to_string();
        assert!(err.contains("hidden"), "{err}");
        let err = ClassifierParams::default()
            .wide_lr_scale(0.0)
            .check()
            .unwrap_err()
            .to_string();
        assert!(err.contains("wide_lr_scale"), "{err}");
        let err = ClassifierParams::default()
            .wide_weight_decay(Some(-1.0))
            .check()
            .unwrap_err()
            .to_string();
        assert!(err.contains("wide_weight_decay"), "{err}");
        assert!(ClassifierParams::default().check().is_ok());
        let err = ClassifierParams::default()
            .wide_alone_weight(Some(f32::NAN))
            .check()
            .unwrap_err()
            .to_string();
        assert!(err.contains("wide_alone_weight"), "{err}");
        let err = ClassifierParams::default()
            .logistic_c(vec![4.0, 0.0])
            .check()
            .unwrap_err()
            .to_string();
        assert!(err.contains("logistic_c") && err.contains('0'), "{err}");
    }

    #[test]
    fn small_inputs_get_the_small_data_defaults_and_explicit_values_win() {
        let p = ClassifierParams::default().small_data(1000);
        assert_eq!(p.resolved(999).wide_alone_weight, Some(1.0));
        assert_eq!(p.resolved(1000).wide_alone_weight, Some(0.0));
        assert_eq!(p.resolved(999).wide_buckets, Some(0));
        assert_eq!(p.resolved(1000).wide_buckets, None);
        assert_eq!(p.resolved(1000).wide_buckets_for(100), LARGE_DATA_BUCKETS);
        assert_eq!(p.resolved(1000).wide_buckets_for(128), LARGE_DATA_BUCKETS);
        assert_eq!(p.resolved(1000).wide_buckets_for(129), 1 << 15);
        assert_eq!(p.resolved(1000).wide_buckets_for(297), 1 << 14);
        assert_eq!(p.resolved(1000).wide_buckets_for(1_000_000), 1 << 10);
        assert_eq!(
            p.clone()
                .wide_buckets(Some(7))
                .resolved(1000)
                .wide_buckets_for(297),
            7
        );
        let set = p.wide_alone_weight(Some(0.5)).resolved(10);
        assert_eq!(set.wide_alone_weight, Some(0.5));
        assert_eq!(
            set.resolved(1_000_000),
            set,
            "resolving twice changes nothing"
        );
    }

    #[test]
    fn models_saved_before_the_small_data_rule_still_load_their_params() {
        let mut json = serde_json::to_value(ClassifierParams::default()).expect("serialises");
        let obj = json.as_object_mut().expect("an object");
        obj.insert("wide_alone_weight".into(), serde_json::json!(0.0));
        for key in ["refit", "select_by", "small_data"] {
            obj.remove(key);
        }
        let p: ClassifierParams = serde_json::from_value(json).expect("deserialises");
        assert_eq!(p.wide_alone_weight, Some(0.0));
        assert!(!p.refit);
        assert_eq!(p.select_by, Selection::MicroF1);
    }
}
