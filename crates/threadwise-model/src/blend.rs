//! The bag-of-words logistic regression in training: fit it for each `C` and keep the best on the
//! validation set, then blend it into the trained network's tag logits with the weight that
//! scores best there, folded into the network's own tensors.
//!
//! The blend `z = (1 − a) · z_network + a · z_logistic` needs no new tensor: the network's tag
//! logits are `tags.w · pooled + tags.b + wide · x` and the regression's are `w · x + b` over the
//! same bag `x` (same rows, same idf), so scaling `tags.w`, mixing `tags.b` with `b` and `wide` with
//! `w` gives exactly the blended logits. Saved models keep their format.
use super::layers::bow::Bags;
use super::layers::loss::sigmoid;
use super::logistic::{Logistic, Negatives, Stopping};
use super::metrics::{self, Metrics};
use super::network::Network;
use super::params::ClassifierParams;
use ndarray::Array2;

/// Validation-set tags need this many positives before they get their own threshold.
pub(crate) const MIN_THRESHOLD_SUPPORT: usize = 5;

/// Shares of the regression in the blend that are tried: 0 (the network alone) to 1 (the
/// regression alone, with the network's quality head).
const BLEND_STEPS: usize = 10;

/// One model's result on the validation set, with its thresholds tuned there.
#[derive(Debug, Clone)]
pub(crate) struct Scored {
    pub thresholds: Vec<f32>,
    pub metrics: Metrics,
    pub loss: f64,
}

impl Scored {
    /// Tunes the thresholds on `probs` and scores them: what early stopping reads too.
    pub(crate) fn of(
        probs: ndarray::ArrayView2<f32>,
        gold: &[Vec<usize>],
        tags: &[String],
        threshold_prior: f64,
    ) -> Self {
        let thresholds =
            metrics::tune_thresholds(probs, gold, MIN_THRESHOLD_SUPPORT, threshold_prior);
        let metrics = metrics::evaluate(probs, gold, &thresholds, tags);
        Scored {
            thresholds,
            metrics,
            loss: mean_bce(probs, gold),
        }
    }

    /// Whether `self` beats `other`: higher micro-F1, or equal micro-F1 and lower loss.
    pub(crate) fn beats(&self, other: &Scored) -> bool {
        let (a, b) = (self.metrics.micro_f1, other.metrics.micro_f1);
        a > b + 1e-9 || ((a - b).abs() <= 1e-9 && self.loss < other.loss)
    }
}

/// What fitting the regression for one `C`, or blending it, scored on the validation set.
#[derive(Debug, Clone)]
pub enum LogisticReport {
    /// One value of `C`, fit from the previous one's weights.
    Fit {
        /// The inverse penalty.
        c: f64,
        /// L-BFGS iterations it took.
        iterations: usize,
        /// The regression alone on the validation set.
        valid: Metrics,
        /// Seconds the fit and its scoring took.
        seconds: f64,
    },
    /// The regression's share of the blended tag logits that is kept.
    Blend {
        /// 0 = the network alone, 1 = the regression alone.
        share: f32,
        /// `C` of the regression in the blend.
        c: f64,
        /// The blended model on the validation set.
        valid: Metrics,
    },
}

/// The sequences and gold tags of one split.
pub(crate) struct Split<'a> {
    pub seqs: &'a [Vec<u32>],
    pub gold: &'a [Vec<usize>],
    pub rejected: &'a [Vec<usize>],
}

/// The weights of `rejected` and of the other absent tags in the regression's loss.
pub(crate) fn negatives<'a>(p: &ClassifierParams, rejected: &'a [Vec<usize>]) -> Negatives<'a> {
    Negatives {
        rejected,
        rejected_weight: p.rejected_weight,
        absent: p.absent_weight,
    }
}

/// How long each of the regression's fits may run.
pub(crate) fn stopping(p: &ClassifierParams) -> Stopping {
    Stopping {
        iterations: p.logistic_iterations,
        relative_decrease: 1e-6,
        threads: p.threads,
    }
}

/// Fits the regression on `train`'s bags for each of `cs` (in increasing order, the first from
/// `start`, each later one from the last: weak penalties converge slowly from zero, quickly from
/// a stronger penalty's solution) and returns the one that scores best on `valid`, with its `C`.
/// `report` hears each.
#[expect(
    clippy::too_many_arguments,
    reason = "the start and its C values are what a warm start changes; the rest is one call site"
)]
pub(crate) fn fit_logistic(
    net: &Network<f32>,
    start: Logistic,
    cs: &[f64],
    train: Split,
    valid: Split,
    tags: &[String],
    p: &ClassifierParams,
    report: &mut dyn FnMut(LogisticReport),
) -> (Logistic, f64) {
    let (vocab, idf) = (net.embedding.nrows(), net.wide_idf.as_slice().expect("idf"));
    let x_train = Bags::of_sequences(train.seqs, vocab, idf);
    let x_valid = Bags::of_sequences(valid.seqs, vocab, idf);
    let mut cs = cs.to_vec();
    cs.sort_by(f64::total_cmp);
    let mut model = start;
    let mut best: Option<(Logistic, f64, Scored)> = None;
    for c in cs {
        let start = std::time::Instant::now();
        let iterations = model.fit_weighted(
            &x_train,
            train.gold,
            negatives(p, train.rejected),
            c,
            stopping(p),
        );
        let probs = model.logits(&x_valid).mapv(sigmoid);
        let scored = Scored::of(probs.view(), valid.gold, tags, p.threshold_prior);
        report(LogisticReport::Fit {
            c,
            iterations,
            valid: scored.metrics.clone(),
            seconds: start.elapsed().as_secs_f64(),
        });
        if best.as_ref().is_none_or(|(_, _, b)| scored.beats(b)) {
            best = Some((model.clone(), c, scored));
        }
    }
    let (model, c, _) = best.expect("at least one C (checked)");
    (model, c)
}

/// The regression's share `a` (from 0 to 1 in steps of 1/[`BLEND_STEPS`]) whose blend of the
/// validation logits `network` and `logistic` scores best; ties go to the smaller share.
pub(crate) fn choose_share(
    network: &Array2<f32>,
    logistic: &Array2<f32>,
    gold: &[Vec<usize>],
    tags: &[String],
    threshold_prior: f64,
) -> f32 {
    let mut best: Option<(f32, Scored)> = None;
    for step in 0..=BLEND_STEPS {
        let a = step as f32 / BLEND_STEPS as f32;
        let mut z = network * (1.0 - a);
        z.scaled_add(a, logistic);
        let scored = Scored::of(z.mapv(sigmoid).view(), gold, tags, threshold_prior);
        if best.as_ref().is_none_or(|(_, b)| scored.beats(b)) {
            best = Some((a, scored));
        }
    }
    best.map_or(0.0, |(a, _)| a)
}

/// Folds the blend with share `a` of `logistic` into `net`'s tag logits (see the module's
/// comment); the quality head is untouched.
pub(crate) fn fold(net: &mut Network<f32>, logistic: &Logistic, a: f32) {
    net.tags.w.mapv_inplace(|w| (1.0 - a) * w);
    net.tags.b.mapv_inplace(|b| (1.0 - a) * b);
    net.tags.b.scaled_add(a, &logistic.b);
    net.wide.mapv_inplace(|w| (1.0 - a) * w);
    net.wide.scaled_add(a, &logistic.w);
}

/// Mean binary cross-entropy of tag probabilities against the gold tags (validation loss).
pub(crate) fn mean_bce(probs: ndarray::ArrayView2<f32>, gold: &[Vec<usize>]) -> f64 {
    let eps = 1e-7_f64;
    let mut total = 0.0;
    for (row, tags) in probs.rows().into_iter().zip(gold) {
        for (j, &p) in row.iter().enumerate() {
            let p = f64::from(p).clamp(eps, 1.0 - eps);
            total -= if tags.contains(&j) {
                p.ln()
            } else {
                (1.0 - p).ln()
            };
        }
    }
    total / probs.len().max(1) as f64
}
