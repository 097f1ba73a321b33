//! Sigmoid + binary cross-entropy, fused for numerical stability.
use super::Float;
use ndarray::{ArrayView2, ArrayViewMut2};

/// `σ(z)` for one value.
pub fn sigmoid<F: Float>(z: F) -> F {
    F::one() / (F::one() + (-z).exp())
}

/// BCE of logits `z` against targets `y` (`-1` marks "no label": skipped), each term weighted by
/// `scale` and by its entry of `weights` (1 when `None`). Returns the weighted loss and writes
/// `d_z = scale·w·(σ(z) - y)` — the sigmoid's derivative cancels against BCE's, which is why the
/// two are fused. The loss uses `max(z,0) - z·y + ln(1 + e^{-|z|})` so large logits never
/// overflow.
pub fn bce_with_logits<F: Float>(
    z: ArrayView2<F>,
    y: ArrayView2<F>,
    weights: Option<ArrayView2<F>>,
    scale: F,
    mut d_z: ArrayViewMut2<F>,
) -> f64 {
    let mut loss = 0.0;
    let mut term = |z: F, y: F, w: F, d: &mut F| {
        if y < F::zero() {
            *d = F::zero();
            return;
        }
        let zf = z.f64();
        let yf = y.f64();
        loss += w.f64() * (zf.max(0.0) - zf * yf + (-zf.abs()).exp().ln_1p());
        *d = scale * w * (sigmoid(z) - y);
    };
    match weights {
        None => {
            for ((&z, &y), d) in z.iter().zip(y.iter()).zip(d_z.iter_mut()) {
                term(z, y, F::one(), d);
            }
        }
        Some(w) => {
            for (((&z, &y), &w), d) in z.iter().zip(y.iter()).zip(w.iter()).zip(d_z.iter_mut()) {
                term(z, y, w, d);
            }
        }
    }
    loss * scale.f64()
}
