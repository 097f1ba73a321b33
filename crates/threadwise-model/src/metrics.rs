//! Evaluation under the data README's protocol, and per-tag threshold tuning.
//!
//! Prediction = every tag whose probability ≥ its threshold, plus always the top-1 tag. Micro- and
//! macro-F1 are over the tag space and all items (a tag with no gold and no prediction scores 0, as
//! scikit-learn's `zero_division=0` does); P@1 is over items with at least one gold tag.
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

/// Candidate thresholds: 0.05, 0.10, …, 0.95.
fn grid() -> impl Iterator<Item = f32> {
    (1..20).map(|i| i as f32 * 0.05)
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
    let k = probs.ncols();
    let y = gold_matrix(gold, k);
    let tops: Vec<usize> = probs.rows().into_iter().map(top1).collect();
    // counts[g][j] = (tp, fp, fn) of tag j at grid threshold g.
    let counts: Vec<Vec<(usize, usize, usize)>> = grid()
        .map(|thr| {
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
    let thresholds: Vec<f32> = grid().collect();
    let better = |score: f64, g: usize, best: (f64, usize)| {
        score > best.0 + 1e-12
            || ((score - best.0).abs() <= 1e-12
                && (thresholds[g] - 0.5).abs() < (thresholds[best.1] - 0.5).abs())
    };
    let mut global = (f64::MIN, 0);
    for (g, c) in counts.iter().enumerate() {
        let (tp, fp, fn_) = c
            .iter()
            .fold((0, 0, 0), |a, x| (a.0 + x.0, a.1 + x.1, a.2 + x.2));
        if better(f1(tp, fp, fn_), g, global) {
            global = (f1(tp, fp, fn_), g);
        }
    }
    (0..k)
        .map(|j| {
            let support = y.column(j).iter().filter(|&&b| b).count();
            if support < min_support {
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
            let n = support as f64;
            ((n * own + prior * global) / (n + prior)) as f32
        })
        .collect()
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
}
