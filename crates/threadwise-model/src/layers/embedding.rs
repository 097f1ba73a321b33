//! Token ids → vectors.
use super::Float;
use ndarray::{Array2, ArrayView2, ArrayViewMut2};

/// Writes the embedding of every real token into `out` (`[steps · batch, dim]`) and zeros padding.
/// `tokens` is time-major like `out`.
pub fn forward<F: Float>(
    table: &Array2<F>,
    tokens: &[u32],
    active: &[usize],
    batch: usize,
    mut out: ArrayViewMut2<F>,
) {
    out.fill(F::zero());
    for (t, &n) in active.iter().enumerate() {
        for b in 0..n {
            let r = t * batch + b;
            out.row_mut(r).assign(&table.row(tokens[r] as usize));
        }
    }
}

/// The gradient of a lookup is a scatter-add of the output gradient into the rows that were read.
pub fn backward<F: Float>(
    d_out: ArrayView2<F>,
    tokens: &[u32],
    active: &[usize],
    batch: usize,
    grad: &mut Array2<F>,
) {
    for (t, &n) in active.iter().enumerate() {
        for b in 0..n {
            let r = t * batch + b;
            let mut row = grad.row_mut(tokens[r] as usize);
            row.zip_mut_with(&d_out.row(r), |g, &d| *g = *g + d);
        }
    }
}
