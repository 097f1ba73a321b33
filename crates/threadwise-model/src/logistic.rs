//! The bag-of-words features fit on their own as a one-vs-rest, L2-regularised logistic
//! regression — the reference baseline's model, solved to convergence (L-BFGS) instead of by the
//! network's few noisy AdamW steps — to be blended into the network's tag logits (`train`).
//!
//! Per tag, the objective is scikit-learn's (liblinear's) `½‖w‖² + C · Σᵢ logloss(zᵢ, yᵢ)`, divided
//! by `C · n` so that it is a mean: `(1/n) Σᵢ logloss + (λ/2)‖w‖²` with `λ = 1 / (C · n)`; the bias
//! is not penalised. Tags are independent, so all of them are one problem over `[rows, tags]`.
use super::Float;
use super::layers::bow::Bags;
use ndarray::{Array1, Array2};

/// A fitted logistic regression on the bag-of-words features: `z = x · w + b`.
#[derive(Debug, Clone, PartialEq)]
pub struct Logistic {
    /// `[table rows, tags]`, the same shape (and features) as the network's `wide` table.
    pub w: Array2<f32>,
    /// One bias per tag.
    pub b: Array1<f32>,
}

/// How L-BFGS runs: how long, and on how many threads.
#[derive(Debug, Clone, Copy)]
pub struct Stopping {
    /// Most iterations (each one or more gradient evaluations).
    pub iterations: usize,
    /// Stop once an iteration lowers the objective by less than this share of it.
    pub relative_decrease: f64,
    /// Threads that evaluate the objective, each for its own share of the tags (the tags are
    /// independent problems, so no thread writes what another reads). The result depends on
    /// the count only through the order the loss's per-thread sums are added in.
    pub threads: usize,
}

/// The weights of the negatives in the loss: `absent` for an absent tag, `rejected_weight` for
/// the tags of `rejected[i]` (confirmed negatives of bag `i`); positives weigh 1.
#[derive(Debug, Clone, Copy)]
pub struct Negatives<'a> {
    /// Per bag, the rejected tag indices (empty: none; a short slice: none for the rest).
    pub rejected: &'a [Vec<usize>],
    /// Weight of a rejected tag.
    pub rejected_weight: f64,
    /// Weight of any other absent tag.
    pub absent: f64,
}

impl Negatives<'_> {
    /// Every negative weighs 1 (the plain regression).
    pub const UNIFORM: Negatives<'static> = Negatives {
        rejected: &[],
        rejected_weight: 1.0,
        absent: 1.0,
    };

    fn weight(&self, i: usize, k: usize) -> f64 {
        if self.rejected.get(i).is_some_and(|r| r.contains(&k)) {
            self.rejected_weight
        } else {
            self.absent
        }
    }
}

/// Pairs of past steps L-BFGS keeps for its curvature estimate. Logistic regression is smooth
/// and well conditioned by the penalty: a few suffice, and each costs two copies of the weights.
const MEMORY: usize = 5;

impl Logistic {
    /// All-zero weights with each tag's bias at the log-odds of its share of positives in `gold`
    /// (clamped away from 0 and 1): the optimum of the bias alone, so the descent starts there.
    pub fn prior(rows: usize, tags: usize, gold: &[Vec<usize>]) -> Self {
        let mut counts = vec![0usize; tags];
        for g in gold {
            g.iter().for_each(|&k| counts[k] += 1);
        }
        let n = gold.len().max(1) as f64;
        let b = counts
            .iter()
            .map(|&c| {
                let p = ((c as f64 + 0.5) / (n + 1.0)).clamp(1e-4, 1.0 - 1e-4);
                (p / (1.0 - p)).ln() as f32
            })
            .collect();
        Logistic {
            w: Array2::zeros((rows, tags)),
            b,
        }
    }

    /// Fits the regression with penalty `C = c` on the bags `x` and gold tag indices, starting
    /// from `self` (a previous fit warm-starts the next `C`). Returns the iterations it took.
    pub fn fit(&mut self, x: &Bags<f32>, gold: &[Vec<usize>], c: f64, stop: Stopping) -> usize {
        self.fit_weighted(x, gold, Negatives::UNIFORM, c, stop)
    }

    /// [`Logistic::fit`] with the negatives weighted by `negatives`.
    pub fn fit_weighted(
        &mut self,
        x: &Bags<f32>,
        gold: &[Vec<usize>],
        negatives: Negatives,
        c: f64,
        stop: Stopping,
    ) -> usize {
        assert_eq!(x.len(), gold.len(), "one gold list per bag");
        let (rows, tags) = self.w.dim();
        let mut theta = self.theta();
        let objective = |theta: &[f32], grad: &mut [f32]| {
            penalised_objective(theta, tags, x, (gold, negatives), c, grad, stop.threads)
        };
        let iterations = lbfgs(&mut theta, objective, stop);
        let (w, b) = theta.split_at(rows * tags);
        self.w = Array2::from_shape_vec((rows, tags), w.to_vec()).expect("rows × tags weights");
        self.b = Array1::from(b.to_vec());
        iterations
    }

    /// The weights then the biases, flat: the parameter vector of [`penalised_objective`].
    pub fn theta(&self) -> Vec<f32> {
        self.w.iter().chain(&self.b).copied().collect()
    }

    /// The logits `[bags, tags]` of `x`.
    pub fn logits(&self, x: &Bags<f32>) -> Array2<f32> {
        let tags = self.b.len();
        let w = self.w.as_slice().expect("contiguous");
        let mut out = Array2::zeros((x.len(), tags));
        for (i, mut z) in out.rows_mut().into_iter().enumerate() {
            let z = z.as_slice_mut().expect("contiguous row");
            z.copy_from_slice(self.b.as_slice().expect("contiguous"));
            add_rows(z, w, x.bag(i));
        }
        out
    }
}

/// What [`Logistic::fit_weighted`] minimises for penalty `C = c` and the negatives' weights, at `theta` (laid out as
/// [`Logistic::theta`], for `tags` tags), with its gradient written to `grad`. Public so that
/// other solvers can be measured against ours on the same problem
/// (`examples/lbfgs_vs_argmin.rs`).
pub fn penalised_objective(
    theta: &[f32],
    tags: usize,
    x: &Bags<f32>,
    (gold, negatives): (&[Vec<usize>], Negatives),
    c: f64,
    grad: &mut [f32],
    threads: usize,
) -> f64 {
    let lambda = 1.0 / (c * x.len().max(1) as f64);
    let weights = theta.len() - tags;
    let (w, b) = theta.split_at(weights);
    let (gw, gb) = grad.split_at_mut(weights);
    objective(w, b, x, (gold, negatives), lambda, (gw, gb), threads)
}

/// `z += Σ value · w[id]` over one bag.
fn add_rows<F: Float>(z: &mut [F], w: &[F], (ids, values): (&[u32], &[F])) {
    let tags = z.len();
    for (&id, &v) in ids.iter().zip(values) {
        let row = &w[id as usize * tags..][..tags];
        z.iter_mut().zip(row).for_each(|(z, &w)| *z = *z + v * w);
    }
}

/// The penalised objective, `mean loss + (λ/2)‖w‖²`, with its gradient written to `gw`, `gb`.
fn objective<F: Float>(
    w: &[F],
    b: &[F],
    x: &Bags<F>,
    (gold, negatives): (&[Vec<usize>], Negatives),
    lambda: f64,
    (gw, gb): (&mut [F], &mut [F]),
    threads: usize,
) -> f64 {
    let loss = mean_loss_and_gradient(w, b, x, (gold, negatives), (gw, gb), threads);
    let mut norm2 = 0.0f64;
    for (g, &w) in gw.iter_mut().zip(w) {
        norm2 += w.f64() * w.f64();
        *g = *g + F::of(lambda) * w;
    }
    loss + 0.5 * lambda * norm2
}

/// The mean (over bags) of the summed (over tags) binary cross-entropy, with its gradient written
/// to `gw`, `gb`, on `threads` threads that each take a contiguous range of the tags.
fn mean_loss_and_gradient<F: Float>(
    w: &[F],
    b: &[F],
    x: &Bags<F>,
    (gold, negatives): (&[Vec<usize>], Negatives),
    (gw, gb): (&mut [F], &mut [F]),
    threads: usize,
) -> f64 {
    let tags = b.len();
    let rows = gw.len() / tags.max(1);
    let width = tags.div_ceil(threads.clamp(1, tags.max(1))).max(1);
    let mut gw = ndarray::ArrayViewMut2::from_shape((rows, tags), gw).expect("rows × tags");
    let parts: Vec<_> = gw
        .axis_chunks_iter_mut(ndarray::Axis(1), width)
        .zip(gb.chunks_mut(width))
        .enumerate()
        .collect();
    let run = |(part, (gw, gb)): (usize, (ndarray::ArrayViewMut2<F>, &mut [F]))| {
        let first = part * width;
        tag_range_loss(
            w,
            &b[first..first + gb.len()],
            first,
            x,
            (gold, negatives),
            gw,
            gb,
        )
    };
    let loss = std::thread::scope(|scope| {
        let mut parts = parts.into_iter();
        let mine = parts.next();
        let handles: Vec<_> = parts.map(|part| scope.spawn(move || run(part))).collect();
        let mut loss = mine.map_or(0.0, run);
        for h in handles {
            loss += h.join().expect("regression thread panicked");
        }
        loss
    });
    loss / x.len().max(1) as f64
}

/// The summed loss of the tags `first..first + b.len()` over all bags, with their gradient
/// columns written to `gw` (`[rows, b.len()]`) and `gb`. One pass: each bag's rows are read for
/// its logits and then updated with its share of the gradient, `(σ(z) − y) / n` times the
/// feature value, while they are in cache.
fn tag_range_loss<F: Float>(
    w: &[F],
    b: &[F],
    first: usize,
    x: &Bags<F>,
    (gold, negatives): (&[Vec<usize>], Negatives),
    mut gw: ndarray::ArrayViewMut2<F>,
    gb: &mut [F],
) -> f64 {
    let (tags, width) = (w.len() / gw.nrows().max(1), b.len());
    let n = x.len().max(1) as f64;
    gw.fill(F::zero());
    gb.fill(F::zero());
    let mut z = vec![F::zero(); width];
    let mut loss = 0.0f64;
    for (i, gold) in gold.iter().enumerate() {
        z.copy_from_slice(b);
        let (ids, values) = x.bag(i);
        for (&id, &v) in ids.iter().zip(values) {
            let row = &w[id as usize * tags + first..][..width];
            z.iter_mut().zip(row).for_each(|(z, &w)| *z = *z + v * w);
        }
        for (j, z) in z.iter_mut().enumerate() {
            let k = first + j;
            let (y, weight) = if gold.contains(&k) {
                (1.0, 1.0)
            } else {
                (0.0, negatives.weight(i, k))
            };
            let zf = z.f64();
            // log(1 + e^z) − y·z, stable for large |z|.
            loss += weight * (zf.max(0.0) + (-zf.abs()).exp().ln_1p() - y * zf);
            let p = 1.0 / (1.0 + (-zf).exp());
            *z = F::of(weight * (p - y) / n);
        }
        for (&id, &v) in ids.iter().zip(values) {
            let mut row = gw.row_mut(id as usize);
            let row = row
                .as_slice_mut()
                .expect("a row of a column range is contiguous");
            row.iter_mut().zip(&z).for_each(|(g, &d)| *g = *g + v * d);
        }
        gb.iter_mut().zip(&z).for_each(|(g, &d)| *g = *g + d);
    }
    loss
}

fn dot(a: &[f32], b: &[f32]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(&a, &b)| f64::from(a) * f64::from(b))
        .sum()
}

/// `y += a · x`.
fn axpy(y: &mut [f32], a: f64, x: &[f32]) {
    let a = a as f32;
    y.iter_mut().zip(x).for_each(|(y, &x)| *y += a * x);
}

/// Minimises `f` (which returns the value and writes the gradient) from `theta` with L-BFGS and a
/// backtracking (Armijo) line search; returns the iterations done. The first step is scaled to
/// unit length; later ones try the quasi-Newton step (length 1) first, which on a smooth convex
/// objective is almost always accepted.
fn lbfgs(
    theta: &mut Vec<f32>,
    mut f: impl FnMut(&[f32], &mut [f32]) -> f64,
    stop: Stopping,
) -> usize {
    let dim = theta.len();
    let mut grad = vec![0.0f32; dim];
    let mut value = f(theta, &mut grad);
    let (mut next, mut next_grad) = (vec![0.0f32; dim], vec![0.0f32; dim]);
    let mut dir = vec![0.0f32; dim];
    // The newest pair last: (s = θ' − θ, y = g' − g, 1 / yᵀs).
    let mut pairs: std::collections::VecDeque<(Vec<f32>, Vec<f32>, f64)> = Default::default();
    let mut alpha = [0.0f64; MEMORY];
    for iteration in 0..stop.iterations {
        // Two-loop recursion: dir = −H·grad.
        dir.iter_mut().zip(&grad).for_each(|(d, &g)| *d = -g);
        for (j, (s, y, rho)) in pairs.iter().enumerate().rev() {
            alpha[j] = rho * dot(s, &dir);
            axpy(&mut dir, -alpha[j], y);
        }
        if let Some((s, y, _)) = pairs.back() {
            let gamma = dot(s, y) / dot(y, y);
            dir.iter_mut().for_each(|d| *d *= gamma as f32);
        }
        for (j, (s, y, rho)) in pairs.iter().enumerate() {
            let beta = rho * dot(y, &dir);
            axpy(&mut dir, alpha[j] - beta, s);
        }
        let mut slope = dot(&grad, &dir);
        if slope >= 0.0 {
            // Not a descent direction (rounding): forget the curvature and go down the gradient.
            pairs.clear();
            dir.iter_mut().zip(&grad).for_each(|(d, &g)| *d = -g);
            slope = dot(&grad, &dir);
        }
        if slope == 0.0 {
            return iteration;
        }
        let mut step = if pairs.is_empty() {
            1.0 / dot(&dir, &dir).sqrt()
        } else {
            1.0
        };
        let next_value = loop {
            next.copy_from_slice(theta);
            axpy(&mut next, step, &dir);
            let v = f(&next, &mut next_grad);
            if v <= value + 1e-4 * step * slope {
                break v;
            }
            step *= 0.5;
            if step < 1e-12 {
                return iteration;
            }
        };
        let (mut s, mut y) = match pairs.len() {
            MEMORY => pairs
                .pop_front()
                .map(|(s, y, _)| (s, y))
                .expect("full memory"),
            _ => (vec![0.0f32; dim], vec![0.0f32; dim]),
        };
        s.iter_mut()
            .zip(next.iter().zip(theta.iter()))
            .for_each(|(s, (&a, &b))| *s = a - b);
        y.iter_mut()
            .zip(next_grad.iter().zip(&grad))
            .for_each(|(y, (&a, &b))| *y = a - b);
        let sy = dot(&s, &y);
        if sy > 1e-12 {
            pairs.push_back((s, y, 1.0 / sy));
        }
        std::mem::swap(theta, &mut next);
        std::mem::swap(&mut grad, &mut next_grad);
        let decrease = value - next_value;
        value = next_value;
        if decrease <= stop.relative_decrease * value.abs().max(1e-12) {
            return iteration + 1;
        }
    }
    stop.iterations
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::layers::gradcheck::{max_rel_error, numeric_grad, random};

    /// The gradient of the penalised objective against central differences (in f64), and a fit
    /// that separates two tags.
    #[test]
    fn the_gradient_matches_finite_differences_and_fitting_separates_the_tags() {
        // Vocabulary of 3, two bigram buckets; bag 0 = {0, 2, bigrams}, bag 1 = {1, 2, bigram}.
        let seqs = vec![vec![0, 2, 0], vec![1, 2], vec![0]];
        let idf = vec![1.0, 1.5, 0.7, 1.2, 0.9];
        let x64 = Bags::of_sequences(&seqs, 3, &idf);
        let gold = vec![vec![0], vec![1], vec![0, 1]];
        let (rows, tags, lambda) = (5, 2, 0.3);
        let mut w = random(rows, tags, 1, 0.8);
        let mut b = random(1, tags, 2, 0.5);
        let (mut gw, mut gb) = (vec![0.0; rows * tags], vec![0.0; tags]);
        let value = |w: &Array2<f64>, b: &Array2<f64>| {
            let (mut gw, mut gb) = (vec![0.0; rows * tags], vec![0.0; tags]);
            let (w, b) = (w.as_slice().unwrap(), b.as_slice().unwrap());
            objective(
                w,
                b,
                &x64,
                (&gold, Negatives::UNIFORM),
                lambda,
                (&mut gw, &mut gb),
                2,
            )
        };
        let (ws, bs) = (w.as_slice().unwrap(), b.as_slice().unwrap());
        // Two threads, one tag each: the same gradient as one thread.
        let one_thread = objective(
            ws,
            bs,
            &x64,
            (&gold, Negatives::UNIFORM),
            lambda,
            (&mut gw, &mut gb),
            1,
        );
        let (gw1, gb1) = (gw.clone(), gb.clone());
        let two_threads = objective(
            ws,
            bs,
            &x64,
            (&gold, Negatives::UNIFORM),
            lambda,
            (&mut gw, &mut gb),
            2,
        );
        assert_eq!((gw1, gb1), (gw.clone(), gb.clone()));
        assert!((one_thread - two_threads).abs() < 1e-12);
        let b_fixed = b.clone();
        let num_w = numeric_grad(&mut w, |w| value(w, &b_fixed));
        let num_b = numeric_grad(&mut b, |b| value(&w, b));
        let err = max_rel_error(&gw, &num_w).max(max_rel_error(&gb, &num_b));
        assert!(err < 1e-4, "max relative error {err:e}");

        let x = Bags::of_sequences(&seqs, 3, &[1.0f32; 3]);
        let gold = vec![vec![0], vec![1], vec![0]];
        let (rows, tags) = (3, 2);
        let mut model = Logistic::prior(rows, tags, &gold);
        let stop = Stopping {
            threads: 1,
            iterations: 200,
            relative_decrease: 1e-9,
        };
        model.fit(&x, &gold, 100.0, stop);
        let p = model.logits(&x).mapv(|z| 1.0 / (1.0 + (-z).exp()));
        for (i, g) in gold.iter().enumerate() {
            assert!(p[(i, g[0])] > 0.8, "bag {i}: {p:?}");
            assert!(p[(i, 1 - g[0])] < 0.2, "bag {i}: {p:?}");
        }
    }

    #[test]
    fn a_larger_penalty_gives_smaller_weights_and_the_prior_bias_is_the_log_odds() {
        let seqs = vec![vec![0, 1], vec![1], vec![0], vec![2]];
        let x = Bags::of_sequences(&seqs, 3, &[1.0f32; 3]);
        let gold = vec![vec![0], vec![], vec![0], vec![]];
        let prior = Logistic::prior(3, 1, &gold);
        assert!((prior.b[0] - ((2.5f32 / 5.0) / (1.0 - 2.5 / 5.0)).ln()).abs() < 1e-6);
        let stop = Stopping {
            threads: 1,
            iterations: 100,
            relative_decrease: 1e-10,
        };
        let norm = |c: f64| {
            let mut m = prior.clone();
            m.fit(&x, &gold, c, stop);
            m.w.iter().map(|w| w * w).sum::<f32>()
        };
        assert!(norm(0.1) < norm(10.0));
    }

    #[test]
    fn a_rejected_tag_lowers_that_tags_score_for_that_post() {
        // Token 0 means tag 0, except on post 3, where tag 0 is absent; in the second fit a
        // moderator rejected it there, and absent tags elsewhere count half.
        let seqs = vec![
            vec![0],
            vec![0, 2],
            vec![0, 1],
            vec![0, 1, 2],
            vec![2],
            vec![1],
        ];
        let x = Bags::of_sequences(&seqs, 3, &[1.0f32; 3]);
        let gold = vec![vec![0], vec![0], vec![0], vec![], vec![], vec![]];
        let stop = Stopping {
            threads: 1,
            iterations: 200,
            relative_decrease: 1e-10,
        };
        let mut plain = Logistic::prior(3, 1, &gold);
        plain.fit(&x, &gold, 10.0, stop);
        let rejected = vec![vec![], vec![], vec![], vec![0]];
        let mut weighted = Logistic::prior(3, 1, &gold);
        weighted.fit_weighted(
            &x,
            &gold,
            Negatives {
                rejected: &rejected,
                rejected_weight: 3.0,
                absent: 0.5,
            },
            10.0,
            stop,
        );
        let (before, after) = (plain.logits(&x)[(3, 0)], weighted.logits(&x)[(3, 0)]);
        assert!(after < before - 0.1, "{before} -> {after}");
        // The positives still score above the rejected post.
        assert!(weighted.logits(&x)[(0, 0)] > after);
    }
}
