//! Evaluation under the data README's protocol, and per-tag threshold tuning.
//!
//! Prediction = every tag whose probability ≥ its threshold, plus always the top-1 tag. Micro- and
//! macro-F1 are over the tag space and all items (a tag with no gold and no prediction scores 0, as
//! scikit-learn's `zero_division=0` does); P@1 is over items with at least one gold tag.
//!
//! The quality head ("does this topic get a positive score or an answer?") is measured apart, by
//! [`quality_metrics`]: ROC-AUC says whether it ranks good topics above the others (what the
//! needs-attention list uses it for), log-loss whether its probabilities are honest, and the
//! base-rate log-loss beside it says whether it knows more than the share of good topics.
use ndarray::{Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

/// Precision, recall, F1 and support of one tag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TagMetrics {
    /// The tag.
    pub tag: String,
    /// TP / (TP + FP), 0 when nothing was predicted.
    pub precision: f64,
    /// TP / (TP + FN), 0 when there is no gold.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Number of items with this gold tag.
    pub support: usize,
}

/// Quality of a classifier on a labelled set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// F1 over all (item, tag) decisions.
    pub micro_f1: f64,
    /// Mean of the per-tag F1 scores.
    pub macro_f1: f64,
    /// Share of items (with a gold tag) whose most probable tag is gold.
    pub precision_at_1: f64,
    /// Items evaluated.
    pub examples: usize,
    /// Per-tag detail, in the classifier's tag order.
    pub per_tag: Vec<TagMetrics>,
}

fn top1(p: ArrayView1<f32>) -> usize {
    // First maximum wins so ties are deterministic.
    let mut best = 0;
    for (k, &x) in p.iter().enumerate() {
        if x > p[best] {
            best = k;
        }
    }
    best
}

/// The decision rule of the protocol: `p ≥ threshold`, plus the top-1 tag.
pub fn decide(p: ArrayView1<f32>, thresholds: &[f32]) -> Vec<bool> {
    let mut out: Vec<bool> = p.iter().zip(thresholds).map(|(&p, &t)| p >= t).collect();
    if !out.is_empty() {
        out[top1(p)] = true;
    }
    out
}

/// `gold` as a 0/1 matrix `[items, tags]`.
pub fn gold_matrix(gold: &[Vec<usize>], tags: usize) -> Array2<bool> {
    let mut y = Array2::from_elem((gold.len(), tags), false);
    for (i, g) in gold.iter().enumerate() {
        for &k in g {
            y[(i, k)] = true;
        }
    }
    y
}

fn f1(tp: usize, fp: usize, fn_: usize) -> f64 {
    if tp == 0 {
        0.0
    } else {
        2.0 * tp as f64 / (2 * tp + fp + fn_) as f64
    }
}

/// Evaluates probabilities `[items, tags]` against gold tag indices.
pub fn evaluate(
    probs: ArrayView2<f32>,
    gold: &[Vec<usize>],
    thresholds: &[f32],
    tags: &[String],
) -> Metrics {
    let k = tags.len();
    let y = gold_matrix(gold, k);
    let (mut tp, mut fp, mut fn_) = (vec![0; k], vec![0; k], vec![0; k]);
    let (mut hits, mut with_gold) = (0, 0);
    for (i, p) in probs.rows().into_iter().enumerate() {
        for (j, predicted) in decide(p, thresholds).into_iter().enumerate() {
            match (predicted, y[(i, j)]) {
                (true, true) => tp[j] += 1,
                (true, false) => fp[j] += 1,
                (false, true) => fn_[j] += 1,
                (false, false) => {}
            }
        }
        if !gold[i].is_empty() {
            with_gold += 1;
            hits += usize::from(y[(i, top1(p))]);
        }
    }
    let per_tag: Vec<TagMetrics> = (0..k)
        .map(|j| TagMetrics {
            tag: tags[j].clone(),
            precision: if tp[j] + fp[j] == 0 {
                0.0
            } else {
                tp[j] as f64 / (tp[j] + fp[j]) as f64
            },
            recall: if tp[j] + fn_[j] == 0 {
                0.0
            } else {
                tp[j] as f64 / (tp[j] + fn_[j]) as f64
            },
            f1: f1(tp[j], fp[j], fn_[j]),
            support: tp[j] + fn_[j],
        })
        .collect();
    let sum = |v: &[usize]| v.iter().sum::<usize>();
    Metrics {
        micro_f1: f1(sum(&tp), sum(&fp), sum(&fn_)),
        macro_f1: if k == 0 {
            0.0
        } else {
            per_tag.iter().map(|t| t.f1).sum::<f64>() / k as f64
        },
        precision_at_1: if with_gold == 0 {
            0.0
        } else {
            hits as f64 / with_gold as f64
        },
        examples: probs.nrows(),
        per_tag,
    }
}

/// Candidate thresholds: 0.05, 0.10, …, 0.95, with 0.01–0.04 in front on the fine grid (rare
/// tags' probabilities rarely reach 0.05).
fn grid(fine: bool) -> Vec<f32> {
    let low = if fine { 1..5 } else { 1..1 };
    low.map(|i| i as f32 * 0.01)
        .chain((1..20).map(|i| i as f32 * 0.05))
        .collect()
}

/// How [`tune_thresholds_by`] picks the thresholds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThresholdRule {
    /// Tags with fewer held-out positives than this get the global threshold.
    pub min_support: usize,
    /// Each tag's own threshold is pulled toward the global one as if the global one had this
    /// many positives: `(n·own + prior·global) / (n + prior)`.
    pub prior: f64,
    /// Also try 0.01–0.04.
    pub fine_grid: bool,
    /// Pull in logit space rather than in probability space (a low own threshold stays low).
    pub logit_shrink: bool,
    /// The global threshold maximises macro-F1 (one threshold for all tags) instead of micro-F1.
    pub global_for_macro: bool,
}

impl ThresholdRule {
    /// The default for the kept model: fine grid, own threshold from one held-out positive,
    /// pulled in logit space with prior 10 toward the one threshold best for macro-F1.
    pub fn rare_tags() -> Self {
        ThresholdRule {
            min_support: 1,
            prior: 10.0,
            fine_grid: true,
            logit_shrink: true,
            global_for_macro: true,
        }
    }

    /// The rule before the second-generation tagger: the coarse grid, at least 5 positives,
    /// prior 20 in probability space, global threshold by micro-F1.
    pub fn legacy(min_support: usize, prior: f64) -> Self {
        ThresholdRule {
            min_support,
            prior,
            fine_grid: false,
            logit_shrink: false,
            global_for_macro: false,
        }
    }
}

/// Tunes one threshold per tag on a validation set, maximising that tag's F1 under the decision
/// rule (the top-1 tag is always in). Tags with fewer than `min_support` validation positives get
/// the single threshold that maximises micro-F1 instead, since a per-tag choice from a handful of
/// items mostly fits noise; the others are pulled toward it, `(n·own + prior·global) / (n + prior)`
/// for a tag with `n` validation positives (`prior` = 0: no pull). Ties go to the threshold
/// nearest 0.5.
pub fn tune_thresholds(
    probs: ArrayView2<f32>,
    gold: &[Vec<usize>],
    min_support: usize,
    prior: f64,
) -> Vec<f32> {
    tune_thresholds_by(probs, gold, &ThresholdRule::legacy(min_support, prior))
}

/// [`tune_thresholds`] under a [`ThresholdRule`].
pub fn tune_thresholds_by(
    probs: ArrayView2<f32>,
    gold: &[Vec<usize>],
    rule: &ThresholdRule,
) -> Vec<f32> {
    let k = probs.ncols();
    let y = gold_matrix(gold, k);
    let tops: Vec<usize> = probs.rows().into_iter().map(top1).collect();
    let thresholds = grid(rule.fine_grid);
    // counts[g][j] = (tp, fp, fn) of tag j at grid threshold g.
    let counts: Vec<Vec<(usize, usize, usize)>> = thresholds
        .iter()
        .map(|&thr| {
            let mut c = vec![(0, 0, 0); k];
            for (i, p) in probs.rows().into_iter().enumerate() {
                for j in 0..k {
                    let predicted = p[j] >= thr || tops[i] == j;
                    match (predicted, y[(i, j)]) {
                        (true, true) => c[j].0 += 1,
                        (true, false) => c[j].1 += 1,
                        (false, true) => c[j].2 += 1,
                        _ => {}
                    }
                }
            }
            c
        })
        .collect();
    let better = |score: f64, g: usize, best: (f64, usize)| {
        score > best.0 + 1e-12
            || ((score - best.0).abs() <= 1e-12
                && (thresholds[g] - 0.5).abs() < (thresholds[best.1] - 0.5).abs())
    };
    let mut global = (f64::MIN, 0);
    for (g, c) in counts.iter().enumerate() {
        let score = if rule.global_for_macro {
            c.iter().map(|&(tp, fp, fn_)| f1(tp, fp, fn_)).sum::<f64>() / k.max(1) as f64
        } else {
            let (tp, fp, fn_) = c
                .iter()
                .fold((0, 0, 0), |a, x| (a.0 + x.0, a.1 + x.1, a.2 + x.2));
            f1(tp, fp, fn_)
        };
        if better(score, g, global) {
            global = (score, g);
        }
    }
    let logit = |p: f64| (p / (1.0 - p)).ln();
    (0..k)
        .map(|j| {
            let support = y.column(j).iter().filter(|&&b| b).count();
            if support < rule.min_support.max(1) {
                return thresholds[global.1];
            }
            let mut best = (f64::MIN, 0);
            for (g, c) in counts.iter().enumerate() {
                let (tp, fp, fn_) = c[j];
                if better(f1(tp, fp, fn_), g, best) {
                    best = (f1(tp, fp, fn_), g);
                }
            }
            let (own, global) = (
                f64::from(thresholds[best.1]),
                f64::from(thresholds[global.1]),
            );
            let (n, prior) = (support as f64, rule.prior);
            if rule.logit_shrink {
                let z = (n * logit(own) + prior * logit(global)) / (n + prior);
                (1.0 / (1.0 + (-z).exp())) as f32
            } else {
                ((n * own + prior * global) / (n + prior)) as f32
            }
        })
        .collect()
}

/// One tag's suggestion threshold at a precision target, estimated on held-out scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuggestThreshold {
    /// The tag.
    pub tag: String,
    /// The lowest threshold whose held-out precision reaches the target; `None` when none does
    /// (the tag is then never suggested).
    pub threshold: Option<f32>,
    /// Held-out precision at that threshold (at the best threshold tried when none reaches the
    /// target, 0 when nothing was ever predicted).
    pub precision: f64,
    /// Held-out items at or above the threshold.
    pub predicted: usize,
    /// Held-out positives of the tag.
    pub support: usize,
}

/// Suggestion thresholds at a precision target, and what they are estimated to give.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestions {
    /// The precision target they were chosen for.
    pub target: f64,
    /// Per tag, in the classifier's tag order.
    pub per_tag: Vec<SuggestThreshold>,
    /// Held-out precision of all suggestions together.
    pub precision: f64,
    /// Share of held-out items that get at least one suggestion.
    pub coverage: f64,
}

impl Suggestions {
    /// The thresholds, `f32::INFINITY` for tags that are not suggested.
    pub fn thresholds(&self) -> Vec<f32> {
        self.per_tag
            .iter()
            .map(|t| t.threshold.unwrap_or(f32::INFINITY))
            .collect()
    }
}

/// The Wilson score interval's lower end for `hits` of `n` at `z` standard deviations: a
/// precision that `hits / n` supports with that confidence (`z = 0` gives `hits / n` itself).
pub fn wilson_lower_bound(hits: usize, n: usize, z: f64) -> f64 {
    if n == 0 {
        return 0.0;
    }
    let (n, p) = (n as f64, hits as f64 / n as f64);
    let z2 = z * z;
    let centre = p + z2 / (2.0 * n);
    let spread = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    ((centre - spread) / (1.0 + z2 / n)).max(0.0)
}

/// Each tag's suggestion threshold: the lowest held-out probability `t` such that the items
/// with `p ≥ t` are at least `min_predicted` and their precision's Wilson lower bound at `z`
/// (see [`wilson_lower_bound`]) reaches `target` (no top-1 rule: a suggestion is only made when
/// it is likely right). The bound asks more of a threshold that rests on few predictions: the
/// lowest threshold whose raw precision just reaches the target is where chance flatters most.
/// Tags that never reach the target get `None`. Also the overall held-out precision and
/// coverage of those thresholds.
pub fn suggestion_thresholds(
    probs: ArrayView2<f32>,
    gold: &[Vec<usize>],
    tags: &[String],
    target: f64,
    (min_predicted, z): (usize, f64),
) -> Suggestions {
    let k = probs.ncols();
    let y = gold_matrix(gold, k);
    let per_tag: Vec<SuggestThreshold> = (0..k)
        .map(|j| {
            let mut scored: Vec<(f32, bool)> = probs
                .column(j)
                .iter()
                .zip(y.column(j))
                .map(|(&p, &g)| (p, g))
                .collect();
            // Highest first; walking down, the candidate threshold is each distinct score.
            scored.sort_by(|a, b| b.0.total_cmp(&a.0));
            let support = scored.iter().filter(|s| s.1).count();
            let (mut tp, mut n) = (0usize, 0usize);
            let mut lowest: Option<(f32, f64, usize)> = None;
            let mut best_precision = 0.0_f64;
            let mut i = 0;
            while i < scored.len() {
                let t = scored[i].0;
                while i < scored.len() && scored[i].0 == t {
                    tp += usize::from(scored[i].1);
                    n += 1;
                    i += 1;
                }
                let precision = tp as f64 / n as f64;
                if n >= min_predicted.max(1) {
                    best_precision = best_precision.max(precision);
                    if wilson_lower_bound(tp, n, z) >= target {
                        lowest = Some((t, precision, n));
                    }
                }
            }
            match lowest {
                Some((t, precision, predicted)) => SuggestThreshold {
                    tag: tags[j].clone(),
                    threshold: Some(t),
                    precision,
                    predicted,
                    support,
                },
                None => SuggestThreshold {
                    tag: tags[j].clone(),
                    threshold: None,
                    precision: best_precision,
                    predicted: 0,
                    support,
                },
            }
        })
        .collect();
    let (mut tp, mut n, mut covered) = (0usize, 0usize, 0usize);
    for (i, row) in probs.rows().into_iter().enumerate() {
        let mut any = false;
        for (j, &p) in row.iter().enumerate() {
            if per_tag[j].threshold.is_some_and(|t| p >= t) {
                any = true;
                n += 1;
                tp += usize::from(y[(i, j)]);
            }
        }
        covered += usize::from(any);
    }
    Suggestions {
        target,
        per_tag,
        precision: if n == 0 { 0.0 } else { tp as f64 / n as f64 },
        coverage: covered as f64 / probs.nrows().max(1) as f64,
    }
}

/// How well predicted quality separates and estimates the topics that got a positive score or an
/// answer, on the examples with a quality label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QualityMetrics {
    /// Examples with a quality label.
    pub examples: usize,
    /// Of them, the ones that got a positive score or an answer.
    pub positives: usize,
    /// `positives / examples`.
    pub base_rate: f64,
    /// Probability that a random positive is scored above a random negative (ties count half);
    /// `None` when the labels are all one class, where it is undefined.
    pub roc_auc: Option<f64>,
    /// Mean negative log-likelihood of the labels under the predicted probabilities (natural log,
    /// probabilities clamped to [1e-7, 1 − 1e-7] so one confident miss is large, not infinite).
    pub log_loss: f64,
    /// The log-loss of predicting `base_rate` for every example: a model below it knows more
    /// than the share of good topics. (The rate is this set's own, so the baseline is a little
    /// flattered.)
    pub base_rate_log_loss: f64,
}

/// Probabilities this close to 0 or 1 are clamped in [`log_loss`].
const LOG_LOSS_EPSILON: f64 = 1e-7;

/// Rank-based ROC-AUC (the Mann–Whitney U statistic over positives × negatives): tied scores
/// get their average rank, so a tie between a positive and a negative counts one half. `None`
/// without both a positive and a negative, or for mismatched lengths.
pub fn roc_auc(scores: &[f64], labels: &[bool]) -> Option<f64> {
    if scores.len() != labels.len() {
        return None;
    }
    let positives = labels.iter().filter(|&&y| y).count();
    let negatives = labels.len() - positives;
    if positives == 0 || negatives == 0 {
        return None;
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    // Sum of the (1-based, tie-averaged) ranks of the positives.
    let mut positive_ranks = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        let tied_positives = order[i..=j].iter().filter(|&&k| labels[k]).count();
        positive_ranks += rank * tied_positives as f64;
        i = j + 1;
    }
    let (p, n) = (positives as f64, negatives as f64);
    Some((positive_ranks - p * (p + 1.0) / 2.0) / (p * n))
}

/// Mean binary log-loss (natural log) of `labels` under `probs`, clamped as in
/// [`QualityMetrics::log_loss`]; `None` when empty or of mismatched lengths.
pub fn log_loss(probs: &[f64], labels: &[bool]) -> Option<f64> {
    if probs.is_empty() || probs.len() != labels.len() {
        return None;
    }
    let total: f64 = probs
        .iter()
        .zip(labels)
        .map(|(&p, &y)| {
            let p = p.clamp(LOG_LOSS_EPSILON, 1.0 - LOG_LOSS_EPSILON);
            if y { -p.ln() } else { -(1.0 - p).ln() }
        })
        .sum();
    Some(total / probs.len() as f64)
}

/// [`QualityMetrics`] of predicted probabilities against optional labels (unlabelled examples
/// are left out); `None` when no example has a label.
pub fn quality_metrics(probs: &[f32], labels: &[Option<bool>]) -> Option<QualityMetrics> {
    let (p, y): (Vec<f64>, Vec<bool>) = probs
        .iter()
        .zip(labels)
        .filter_map(|(&p, &y)| y.map(|y| (f64::from(p), y)))
        .unzip();
    let log_loss = log_loss(&p, &y)?;
    let positives = y.iter().filter(|&&y| y).count();
    let base_rate = positives as f64 / y.len() as f64;
    Some(QualityMetrics {
        examples: y.len(),
        positives,
        base_rate,
        roc_auc: roc_auc(&p, &y),
        log_loss,
        base_rate_log_loss: self::log_loss(&vec![base_rate; y.len()], &y)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn follows_the_protocol_top1_is_always_predicted() {
        let probs = array![[0.9, 0.6, 0.1], [0.2, 0.3, 0.1], [0.1, 0.1, 0.1]];
        let gold = vec![vec![0], vec![2], vec![]];
        let tags: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let m = evaluate(probs.view(), &gold, &[0.5; 3], &tags);
        // Predictions: {a, b}, {b (top-1)}, {a (first of ties)}; gold: {a}, {c}, {}.
        // tp = 1 (a), fp = 3 (b twice, a once), fn = 1 (c): micro = 2/(2+3+1).
        approx::assert_abs_diff_eq!(m.micro_f1, 2.0 / 6.0, epsilon = 1e-12);
        approx::assert_abs_diff_eq!(m.precision_at_1, 0.5, epsilon = 1e-12);
        assert_eq!(m.per_tag[2].support, 1);
        approx::assert_abs_diff_eq!(m.macro_f1, (2.0 / 3.0) / 3.0, epsilon = 1e-12);
    }

    #[test]
    fn tuned_thresholds_separate_a_shifted_tag() {
        // Tag 1 is gold exactly when its probability is ≥ 0.3; tag 0 is always top-1 and gold.
        let probs = array![[0.9, 0.35], [0.9, 0.32], [0.9, 0.2], [0.9, 0.1]];
        let gold = vec![vec![0, 1], vec![0, 1], vec![0], vec![0]];
        let thr = tune_thresholds(probs.view(), &gold, 1, 0.0);
        assert!(thr[1] > 0.2 && thr[1] <= 0.3, "{thr:?}");
        // A prior pulls the tag's own threshold toward the global one.
        let global = tune_thresholds(probs.view(), &gold, 100, 0.0)[1];
        let pulled = tune_thresholds(probs.view(), &gold, 1, 2.0)[1];
        approx::assert_abs_diff_eq!(pulled, (2.0 * thr[1] + 2.0 * global) / 4.0, epsilon = 1e-6);
    }

    #[test]
    fn the_wilson_bound_asks_more_of_few_predictions() {
        approx::assert_abs_diff_eq!(wilson_lower_bound(8, 10, 1.0), 0.649_08, epsilon = 1e-5);
        approx::assert_abs_diff_eq!(wilson_lower_bound(3, 3, 1.0), 0.75, epsilon = 1e-12);
        approx::assert_abs_diff_eq!(wilson_lower_bound(80, 100, 0.0), 0.8, epsilon = 1e-12);
        assert!(wilson_lower_bound(80, 100, 1.0) > wilson_lower_bound(8, 10, 1.0));
        assert_eq!(wilson_lower_bound(0, 0, 1.0), 0.0);
    }

    #[test]
    fn suggestion_thresholds_reach_the_target_precision() {
        // Tag 0: scores 0.9 0.8 0.7 0.6 0.5 0.4 with gold T T T F T F: precision from the top is
        // 1, 1, 1, 0.75, 0.8, 0.67; the lowest threshold at ≥ 0.8 is 0.5 (4 of 5).
        // Tag 1: never better than 1 in 2: not suggested.
        let probs = array![
            [0.9, 0.9],
            [0.8, 0.1],
            [0.7, 0.8],
            [0.6, 0.1],
            [0.5, 0.1],
            [0.4, 0.1]
        ];
        let gold = vec![vec![0, 1], vec![0], vec![0], vec![], vec![0], vec![1]];
        let tags: Vec<String> = ["a", "b"].map(String::from).to_vec();
        let s = suggestion_thresholds(probs.view(), &gold, &tags, 0.8, (2, 0.0));
        assert_eq!(s.per_tag[0].threshold, Some(0.5));
        approx::assert_abs_diff_eq!(s.per_tag[0].precision, 0.8, epsilon = 1e-12);
        assert_eq!(s.per_tag[0].predicted, 5);
        assert_eq!(s.per_tag[1].threshold, None, "{:?}", s.per_tag[1]);
        // Every suggestion made with these thresholds is right at least 80 % of the time.
        assert!(s.precision >= 0.8);
        approx::assert_abs_diff_eq!(s.coverage, 5.0 / 6.0, epsilon = 1e-12);
        // A stricter target raises the threshold: 1.0 needs 0.7.
        let strict = suggestion_thresholds(probs.view(), &gold, &tags, 1.0, (2, 0.0));
        assert_eq!(strict.per_tag[0].threshold, Some(0.7));
        // Asking for confidence: 4 of 5 does not show 0.6 at one standard deviation (its lower
        // bound is 0.58), 3 of 3 does (0.75).
        let sure = suggestion_thresholds(probs.view(), &gold, &tags, 0.6, (2, 1.0));
        assert_eq!(sure.per_tag[0].threshold, Some(0.7));
        approx::assert_abs_diff_eq!(sure.per_tag[0].precision, 1.0, epsilon = 1e-12);
        assert_eq!(strict.thresholds()[1], f32::INFINITY);
    }

    #[test]
    fn the_fine_grid_and_logit_shrinkage_keep_a_rare_tags_low_threshold() {
        // Tag 1 is gold exactly when its probability is ≥ 0.03 (below the coarse grid).
        let probs = array![[0.9, 0.04], [0.9, 0.03], [0.9, 0.02], [0.9, 0.01]];
        let gold = vec![vec![0, 1], vec![0, 1], vec![0], vec![0]];
        let rule = ThresholdRule {
            min_support: 1,
            prior: 0.0,
            fine_grid: true,
            logit_shrink: true,
            global_for_macro: false,
        };
        let thr = tune_thresholds_by(probs.view(), &gold, &rule);
        assert!(thr[1] > 0.02 && thr[1] <= 0.0301, "{thr:?}");
    }

    #[test]
    fn roc_auc_counts_ties_as_half_and_needs_both_classes() {
        // Perfect and reversed rankings.
        assert_eq!(
            roc_auc(&[0.1, 0.2, 0.8, 0.9], &[false, false, true, true]),
            Some(1.0)
        );
        assert_eq!(
            roc_auc(&[0.9, 0.8, 0.2, 0.1], &[false, false, true, true]),
            Some(0.0)
        );
        // Scores 0.1 (−) 0.4 (+) 0.4 (−) 0.8 (+): pairs (+0.4 > −0.1) 1, (+0.4 = −0.4) ½,
        // (+0.8 > both) 2 → 3.5 of 4 pairs.
        let auc = roc_auc(&[0.1, 0.4, 0.4, 0.8], &[false, true, false, true]).unwrap();
        approx::assert_abs_diff_eq!(auc, 0.875, epsilon = 1e-12);
        // All tied: a coin toss.
        assert_eq!(roc_auc(&[0.5; 4], &[true, false, true, false]), Some(0.5));
        assert_eq!(roc_auc(&[0.1, 0.9], &[true, true]), None);
        assert_eq!(roc_auc(&[0.1, 0.9], &[false, false]), None);
        assert_eq!(roc_auc(&[], &[]), None);
    }

    #[test]
    fn log_loss_matches_hand_computation_and_clamps_certain_misses() {
        // −(ln 0.8 + ln(1 − 0.4)) / 2 = (0.223144 + 0.510826) / 2 = 0.366985
        let l = log_loss(&[0.8, 0.4], &[true, false]).unwrap();
        approx::assert_abs_diff_eq!(l, 0.366_985, epsilon = 1e-6);
        // A certain miss costs −ln(1e-7) = 16.118, not infinity.
        let miss = log_loss(&[0.0], &[true]).unwrap();
        approx::assert_abs_diff_eq!(miss, 16.118_096, epsilon = 1e-5);
        assert_eq!(log_loss(&[], &[]), None);
    }

    #[test]
    fn quality_metrics_skip_unlabelled_examples_and_compare_with_the_base_rate() {
        let probs = [0.9, 0.6, 0.3, 0.5, 0.2];
        let labels = [Some(true), Some(true), Some(false), None, Some(true)];
        let q = quality_metrics(&probs, &labels).unwrap();
        assert_eq!((q.examples, q.positives), (4, 3));
        approx::assert_abs_diff_eq!(q.base_rate, 0.75, epsilon = 1e-12);
        // Positives 0.9, 0.6, 0.2 against the negative 0.3: 2 of 3 pairs.
        approx::assert_abs_diff_eq!(q.roc_auc.unwrap(), 2.0 / 3.0, epsilon = 1e-6);
        // −(ln 0.9 + ln 0.6 + ln 0.7 + ln 0.2) / 4 = (0.105361 + 0.510826 + 0.356675 + 1.609438) / 4
        approx::assert_abs_diff_eq!(q.log_loss, 0.645_575, epsilon = 1e-5);
        // −(3 ln 0.75 + ln 0.25) / 4 = (0.863046 + 1.386294) / 4 = 0.562335
        approx::assert_abs_diff_eq!(q.base_rate_log_loss, 0.562_335, epsilon = 1e-6);

        // One class: no AUC, and the base rate is certain.
        let q = quality_metrics(&[0.9, 0.8], &[Some(true), Some(true)]).unwrap();
        assert_eq!(q.roc_auc, None);
        approx::assert_abs_diff_eq!(q.base_rate_log_loss, 0.0, epsilon = 1e-6);
        assert_eq!(quality_metrics(&[0.5], &[None]), None);
    }
}
