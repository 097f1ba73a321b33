//! Platt scaling of the quality head: `σ(a·z + c)` fit to held-out labels, folded into the
//! head's weights.
//!
//! Most topics of a technical forum get an answer or a positive score, so the quality head
//! learns to say "yes" to nearly everything and, trained to a low training loss, says it with a
//! confidence the held-out topics do not bear out (measured: a mean prediction of 0.999 where
//! 93 % were positive, and a log-loss twice the base rate's). Scaling the logit is monotone, so
//! the ranking (ROC-AUC) is unchanged; only the probabilities become honest. The scaled logit is
//! again linear in the head's input, so it folds into the head and inference is unchanged.
use super::layers::dense::Dense;

/// Fewest labelled held-out examples, and of each class, to fit a scaling on.
const MIN_LABELLED: usize = 20;
const MIN_PER_CLASS: usize = 3;

/// The scale `a` and shift `c` that minimise the mean log-loss of `σ(a·z + c)` on the labelled
/// entries of `logits`, with a weak pull toward the identity (`a = 1, c = 0`) so that a handful
/// of examples cannot push it far; `None` with too few labels or classes to learn from.
pub fn platt(logits: &[f32], labels: &[Option<bool>]) -> Option<(f32, f32)> {
    let data: Vec<(f64, f64)> = logits
        .iter()
        .zip(labels)
        .filter_map(|(&z, y)| y.map(|y| (f64::from(z), if y { 1.0 } else { 0.0 })))
        .collect();
    let positives = data.iter().filter(|d| d.1 > 0.5).count();
    if data.len() < MIN_LABELLED || positives.min(data.len() - positives) < MIN_PER_CLASS {
        return None;
    }
    let n = data.len() as f64;
    // The pull: as if one more example's worth of evidence said "identity".
    let ridge = 1.0 / n;
    let objective = |a: f64, c: f64| {
        let loss: f64 = data
            .iter()
            .map(|&(z, y)| {
                let t = a * z + c;
                t.max(0.0) + (-t.abs()).exp().ln_1p() - y * t
            })
            .sum();
        loss / n + 0.5 * ridge * ((a - 1.0).powi(2) + c * c)
    };
    let (mut a, mut c) = (1.0f64, 0.0f64);
    let mut value = objective(a, c);
    for _ in 0..100 {
        // Newton's method on the convex mean loss, with step halving: far from the optimum a
        // saturated logit has almost no curvature, and a full step would overshoot.
        let (mut ga, mut gc) = (ridge * (a - 1.0), ridge * c);
        let (mut haa, mut hac, mut hcc) = (ridge, 0.0, ridge);
        for &(z, y) in &data {
            let p = 1.0 / (1.0 + (-(a * z + c)).exp());
            let (d, w) = ((p - y) / n, p * (1.0 - p) / n);
            ga += d * z;
            gc += d;
            haa += w * z * z;
            hac += w * z;
            hcc += w;
        }
        let det = haa * hcc - hac * hac;
        if det.abs() < 1e-18 {
            break;
        }
        let (step_a, step_c) = ((hcc * ga - hac * gc) / det, (haa * gc - hac * ga) / det);
        let mut scale = 1.0;
        let accepted = loop {
            let (na, nc) = (a - scale * step_a, c - scale * step_c);
            let next = objective(na, nc);
            if next <= value {
                break Some((na, nc, next));
            }
            scale *= 0.5;
            if scale < 1e-6 {
                break None;
            }
        };
        let Some((na, nc, next)) = accepted else {
            break;
        };
        let moved = (na - a).abs() + (nc - c).abs();
        (a, c, value) = (na, nc, next);
        if moved < 1e-9 {
            break;
        }
    }
    (a.is_finite() && c.is_finite()).then_some((a as f32, c as f32))
}

/// Folds `σ(a·z + c)` into the head: `z = x·w + b` becomes `x·(a·w) + (a·b + c)`.
pub fn fold(head: &mut Dense<f32>, (a, c): (f32, f32)) {
    head.w.mapv_inplace(|w| a * w);
    head.b.mapv_inplace(|b| a * b + c);
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array1, Array2};

    #[test]
    fn an_overconfident_head_is_scaled_down_to_the_labels_rate() {
        // Logits near +6 (σ ≈ 0.998) on topics of which only 70 % are positive.
        let logits: Vec<f32> = (0..100).map(|i| 5.5 + (i % 10) as f32 * 0.1).collect();
        let labels: Vec<Option<bool>> = (0..100).map(|i| Some(i % 10 < 7)).collect();
        let (a, c) = platt(&logits, &labels).expect("enough labels");
        let mean: f64 = logits
            .iter()
            .map(|&z| 1.0 / (1.0 + (-(f64::from(a * z + c))).exp()))
            .sum::<f64>()
            / 100.0;
        assert!(
            (mean - 0.7).abs() < 0.02,
            "mean calibrated prediction {mean}"
        );
    }

    #[test]
    fn the_scaling_keeps_the_order_and_needs_both_classes() {
        let logits: Vec<f32> = (0..40).map(|i| i as f32 / 4.0 - 5.0).collect();
        let labels: Vec<Option<bool>> = (0..40).map(|i| Some(i >= 20)).collect();
        let (a, _) = platt(&logits, &labels).expect("enough labels");
        assert!(a > 0.0, "a separating head keeps its direction: {a}");
        let all_yes = vec![Some(true); 40];
        assert_eq!(platt(&logits, &all_yes), None);
        assert_eq!(platt(&logits[..10], &labels[..10]), None);
        let unlabelled = vec![None; 40];
        assert_eq!(platt(&logits, &unlabelled), None);
    }

    #[test]
    fn folding_gives_the_scaled_logit() {
        let mut head = Dense {
            w: Array2::from_shape_vec((2, 1), vec![0.5, -1.0]).unwrap(),
            b: Array1::from(vec![0.25]),
        };
        let x = [2.0f32, 3.0];
        let z = x[0] * 0.5 - x[1] + 0.25;
        fold(&mut head, (0.4, -0.3));
        let folded = x[0] * head.w[(0, 0)] + x[1] * head.w[(1, 0)] + head.b[0];
        assert!((folded - (0.4 * z - 0.3)).abs() < 1e-6);
    }
}
