//! Masked mean + max pooling over time: `[steps · batch, hidden]` → `[batch, 2·hidden]`.
use super::Float;
use ndarray::{Array2, ArrayView2, ArrayViewMut2};

/// Pools each sequence's real steps into `[mean | max]`; `argmax[b, j]` keeps the step that won
/// the max, for the backward pass. `lengths` are sorted longest first and at least 1.
pub fn forward<F: Float>(
    h: ArrayView2<F>,
    lengths: &[usize],
    batch: usize,
    mut out: ArrayViewMut2<F>,
    argmax: &mut Array2<u32>,
) {
    let hidden = h.ncols();
    if argmax.dim() != (batch, hidden) {
        *argmax = Array2::zeros((batch, hidden));
    }
    // Slices instead of 2-D indexing: no bounds check per element, and the loop vectorises.
    crate::float::wide(|| {
        for (b, &len) in lengths.iter().enumerate() {
            let row = out.row_mut(b).into_slice().expect("contiguous row");
            let (mean, max) = row.split_at_mut(hidden);
            let am = argmax.row_mut(b).into_slice().expect("contiguous row");
            let first = h.row(b).to_slice().expect("contiguous row");
            mean.copy_from_slice(first);
            max.copy_from_slice(first);
            am.fill(0);
            for t in 1..len {
                let x = h.row(t * batch + b).to_slice().expect("contiguous row");
                // Selects instead of a branch, so the loop vectorises (same result, NaN included:
                // a NaN never wins the max).
                let t = t as u32;
                for (((&v, m), mx), a) in x
                    .iter()
                    .zip(mean.iter_mut())
                    .zip(max.iter_mut())
                    .zip(am.iter_mut())
                {
                    *m = *m + v;
                    let gt = v > *mx;
                    *mx = if gt { v } else { *mx };
                    *a = if gt { t } else { *a };
                }
            }
            let inv = F::one() / F::of(len as f64);
            mean.iter_mut().for_each(|m| *m = *m * inv);
        }
    })
}

/// Spreads the mean's gradient evenly over the real steps and routes the max's gradient to the
/// step that won it. Writes (does not add) into `d_h`, padding rows included.
pub fn backward<F: Float>(
    d_out: ArrayView2<F>,
    lengths: &[usize],
    batch: usize,
    argmax: &Array2<u32>,
    mut d_h: ArrayViewMut2<F>,
) {
    let hidden = d_h.ncols();
    d_h.fill(F::zero());
    for (b, &len) in lengths.iter().enumerate() {
        let inv = F::one() / F::of(len as f64);
        let d = d_out.row(b);
        for t in 0..len {
            let mut row = d_h.row_mut(t * batch + b);
            for j in 0..hidden {
                row[j] = d[j] * inv;
            }
        }
        for j in 0..hidden {
            let r = argmax[(b, j)] as usize * batch + b;
            d_h[(r, j)] = d_h[(r, j)] + d[hidden + j];
        }
    }
}
