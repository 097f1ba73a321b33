//! The layers, each a pair of forward/backward functions over caller-owned buffers.
//!
//! Activations are **time-major**: row `t * batch + b` holds step `t` of sequence `b`, so the rows of
//! one step are one contiguous block. Sequences in a batch are sorted by length, longest first, so at
//! step `t` exactly the first `active[t]` rows are real tokens; the rest is padding that no layer
//! reads (this is the masking). Backward functions *accumulate* into weight gradients, so several
//! batch shards can share a reduction.
pub mod bow;
pub mod dense;
pub mod embedding;
pub mod kernel;
pub mod loss;
pub mod lstm;
pub mod pooling;

use super::Float;
use ndarray::linalg::general_mat_mul;
use ndarray::{ArrayView2, ArrayViewMut2};

/// `s` as f32 when `F` is f32 (the type the AVX2 kernels take), else `None`.
pub(crate) fn as_f32<F: Float>(s: &[F]) -> Option<&[f32]> {
    (std::any::TypeId::of::<F>() == std::any::TypeId::of::<f32>())
        // SAFETY: F is f32 (just checked), so this only retypes the same slice.
        .then(|| unsafe { std::slice::from_raw_parts(s.as_ptr().cast::<f32>(), s.len()) })
}

/// [`as_f32`] for a mutable slice.
pub(crate) fn as_f32_mut<F: Float>(s: &mut [F]) -> Option<&mut [f32]> {
    (std::any::TypeId::of::<F>() == std::any::TypeId::of::<f32>())
        // SAFETY: F is f32 (just checked), so this only retypes the same slice.
        .then(|| unsafe { std::slice::from_raw_parts_mut(s.as_mut_ptr().cast::<f32>(), s.len()) })
}

/// `c = beta·c + a·b`. In f32 with AVX2 (training and serving) every product whose `b` and `c` have
/// unit column stride goes to [`kernel::sgemm`], which reads `a` through its strides (so `xᵀ` needs
/// no copy) and packs nothing; the rest (f64 gradient checks, transposed `b`) falls back below.
pub(crate) fn gemm<F: Float>(a: ArrayView2<F>, b: ArrayView2<F>, beta: F, c: ArrayViewMut2<F>) {
    gemm_with(a, b, None, beta, c)
}

/// A right-hand operand reused by many products (the recurrent weights, once per time step),
/// with its copy in the kernel's panel layout made once: in place its rows lie a power of two
/// apart and a panel evicts itself from L1.
pub(crate) struct PackedB<'a, F> {
    b: ArrayView2<'a, F>,
    panels: Vec<f32>,
}

impl<'a, F: Float> PackedB<'a, F> {
    /// Packs `b` for the f32 kernel; other floats keep only the view.
    pub(crate) fn new(b: ArrayView2<'a, F>) -> Self {
        let panels = match b.as_slice().and_then(as_f32) {
            Some(s) => kernel::pack_b(s, b.nrows(), b.ncols()),
            None => Vec::new(),
        };
        PackedB { b, panels }
    }
}

/// [`gemm`] with a pre-packed `b`. A lone row keeps the row-major path (its kernel reads 64
/// columns at a time).
pub(crate) fn gemm_packed<F: Float>(
    a: ArrayView2<F>,
    b: &PackedB<F>,
    beta: F,
    c: ArrayViewMut2<F>,
) {
    let packed = (a.nrows() > 1 && !b.panels.is_empty()).then_some(&b.panels[..]);
    gemm_with(a, b.b, packed, beta, c)
}

fn gemm_with<F: Float>(
    a: ArrayView2<F>,
    b: ArrayView2<F>,
    packed: Option<&[f32]>,
    beta: F,
    mut c: ArrayViewMut2<F>,
) {
    let unit_cols = |s: &[isize]| s[1] == 1 && s[0] >= 0;
    let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
    if std::any::TypeId::of::<F>() == std::any::TypeId::of::<f32>()
        && (beta == F::zero() || beta == F::one())
        && a.strides().iter().all(|&s| s >= 0)
        && unit_cols(b.strides())
        && unit_cols(c.strides())
    {
        assert_eq!((b.nrows(), c.dim()), (k, (m, n)), "gemm shapes");
        let row = |s: &[isize], cols: usize| if s[0] == 0 { cols } else { s[0] as usize };
        // SAFETY: F is f32 (checked above); the views are valid for these shapes and (non-negative)
        // strides, and `c` is a distinct mutable view.
        let done = unsafe {
            kernel::sgemm(
                m,
                k,
                n,
                a.as_ptr().cast(),
                a.strides()[0] as usize,
                a.strides()[1] as usize,
                b.as_ptr().cast(),
                row(b.strides(), n),
                packed,
                beta.f64() as f32,
                c.as_mut_ptr().cast(),
                row(c.strides(), n),
            )
        };
        if done {
            return;
        }
    }
    if a.nrows() <= 2 && b.is_standard_layout() && c.is_standard_layout() {
        if beta == F::zero() {
            c.fill(F::zero());
        } else if beta != F::one() {
            c.mapv_inplace(|x| x * beta);
        }
        crate::float::wide(|| {
            for (a_row, mut c_row) in a.rows().into_iter().zip(c.rows_mut()) {
                let c_row = c_row.as_slice_mut().expect("standard layout");
                for (&a_k, b_row) in a_row.iter().zip(b.rows()) {
                    let b_row = b_row.to_slice().expect("standard layout");
                    for (c, &b) in c_row.iter_mut().zip(b_row) {
                        *c = *c + a_k * b;
                    }
                }
            }
        })
    } else {
        general_mat_mul(F::one(), &a, &b, beta, &mut c);
    }
}

/// Adds the column sums of `a` to `out`.
pub(crate) fn add_column_sums<F: Float>(a: ArrayView2<F>, out: &mut [F]) {
    for row in a.rows() {
        for (o, &x) in out.iter_mut().zip(row.iter()) {
            *o = *o + x;
        }
    }
}

/// Number of active (non-padding) sequences at each step, from lengths sorted longest first.
pub fn active_counts(lengths: &[usize]) -> Vec<usize> {
    debug_assert!(
        lengths.windows(2).all(|w| w[0] >= w[1]),
        "lengths must be sorted longest first"
    );
    let steps = lengths.first().copied().unwrap_or(0);
    (0..steps)
        .map(|t| lengths.iter().take_while(|&&l| l > t).count())
        .collect()
}

#[cfg(test)]
pub(crate) mod gradcheck {
    //! Central finite differences in f64, shared by the layer tests.
    use ndarray::Array2;

    /// Max relative error `|a - n| / max(|a| + |n|, 1e-6)`; the floor keeps exact zeros comparable.
    pub fn max_rel_error(analytic: &[f64], numeric: &[f64]) -> f64 {
        analytic
            .iter()
            .zip(numeric)
            .map(|(a, n)| (a - n).abs() / (a.abs() + n.abs()).max(1e-6))
            .fold(0.0, f64::max)
    }

    /// Numeric gradient of `loss` with respect to every entry of `x`.
    pub fn numeric_grad(
        x: &mut Array2<f64>,
        mut loss: impl FnMut(&Array2<f64>) -> f64,
    ) -> Vec<f64> {
        let h = 1e-5;
        let mut out = Vec::with_capacity(x.len());
        for i in 0..x.len() {
            let orig = x.as_slice().unwrap()[i];
            x.as_slice_mut().unwrap()[i] = orig + h;
            let plus = loss(x);
            x.as_slice_mut().unwrap()[i] = orig - h;
            let minus = loss(x);
            x.as_slice_mut().unwrap()[i] = orig;
            out.push((plus - minus) / (2.0 * h));
        }
        out
    }

    /// A deterministic pseudo-random matrix in [-scale, scale].
    pub fn random(rows: usize, cols: usize, seed: u64, scale: f64) -> Array2<f64> {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        Array2::from_shape_simple_fn((rows, cols), || rng.gen_range(-scale..scale))
    }
}
