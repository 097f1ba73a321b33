//! One LSTM layer with full back-propagation through time over a masked, time-major batch.
//!
//! Gate layout in the `4H` columns is `[i | f | o | g]`: the three sigmoid gates are contiguous, so
//! one activation call covers them, and the tanh candidate `g` follows.
use super::{Float, PackedB, add_column_sums, as_f32, as_f32_mut, gemm, gemm_packed};
use ndarray::{Array1, Array2, ArrayView2, ArrayViewMut2, s};

/// The weights (or their gradients) of one LSTM layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Lstm<F> {
    /// Input weights, `[input, 4·hidden]`.
    pub w_x: Array2<F>,
    /// Recurrent weights, `[hidden, 4·hidden]`.
    pub w_h: Array2<F>,
    /// Gate biases, `[4·hidden]`.
    pub b: Array1<F>,
}

impl<F: Float> Lstm<F> {
    /// Zero weights of the given shape.
    pub fn zeros(input: usize, hidden: usize) -> Self {
        Lstm {
            w_x: Array2::zeros((input, 4 * hidden)),
            w_h: Array2::zeros((hidden, 4 * hidden)),
            b: Array1::zeros(4 * hidden),
        }
    }

    /// The hidden size.
    pub fn hidden(&self) -> usize {
        self.w_h.nrows()
    }
}

/// What the forward pass keeps for the backward pass; every buffer has `steps · batch` rows and
/// is reused across batches (it only grows), so the time loop never allocates.
#[derive(Debug, Default)]
pub struct LstmCache<F> {
    /// Gate activations `[i | f | o | g]` after their non-linearity.
    pub gates: Array2<F>,
    /// Cell states.
    pub c: Array2<F>,
    /// `tanh(c)`.
    pub tanh_c: Array2<F>,
    /// Hidden states, the layer's output; padding rows are zero.
    pub h: Array2<F>,
    /// Gradient w.r.t. the gate pre-activations.
    pub d_gates: Array2<F>,
    d_h_next: Array2<F>,
    d_c_next: Array2<F>,
}

fn ensure<F: Float>(a: &mut Array2<F>, rows: usize, cols: usize) {
    if a.nrows() < rows || a.ncols() != cols {
        *a = Array2::zeros((rows, cols));
    }
}

impl<F: Float> LstmCache<F> {
    fn prepare(&mut self, rows: usize, batch: usize, hidden: usize) {
        ensure(&mut self.gates, rows, 4 * hidden);
        ensure(&mut self.d_gates, rows, 4 * hidden);
        for a in [&mut self.c, &mut self.tanh_c, &mut self.h] {
            ensure(a, rows, hidden);
        }
        ensure(&mut self.d_h_next, batch, hidden);
        ensure(&mut self.d_c_next, batch, hidden);
    }

    /// The hidden states of the last forward pass, `[steps · batch, hidden]`.
    pub fn output(&self, rows: usize) -> ArrayView2<'_, F> {
        self.h.slice(s![..rows, ..])
    }
}

/// Forward pass: `x` is `[steps · batch, input]`, `active[t]` the number of real rows at step `t`.
///
/// The input projection of all steps is one GEMM; each step then adds `h_{t-1}·W_h` for its active
/// rows only (one GEMM per step) and applies the gates in place.
pub fn forward<F: Float>(
    w: &Lstm<F>,
    x: ArrayView2<F>,
    active: &[usize],
    batch: usize,
    cache: &mut LstmCache<F>,
) {
    let hidden = w.hidden();
    let rows = active.len() * batch;
    assert_eq!(
        x.nrows(),
        rows,
        "lstm input has {} rows, expected steps·batch = {rows}",
        x.nrows()
    );
    cache.prepare(rows, batch, hidden);
    let LstmCache {
        gates,
        c,
        tanh_c,
        h,
        ..
    } = cache;
    let mut gates = gates.slice_mut(s![..rows, ..]);
    // The bias is added row by row in the gate loop below, which touches every active row anyway.
    gemm(x, w.w_x.view(), F::zero(), gates.view_mut());
    let bias = w.b.as_slice().expect("contiguous bias");
    let w_h = PackedB::new(w.w_h.view());
    for (t, &n) in active.iter().enumerate() {
        let now = t * batch;
        // Only padding rows need zeroing (the layer above multiplies them by zero gradients);
        // every active row is written below.
        h.slice_mut(s![now + n..now + batch, ..]).fill(F::zero());
        if t > 0 {
            let prev = h.slice(s![now - batch..now - batch + n, ..]);
            gemm_packed(prev, &w_h, F::one(), gates.slice_mut(s![now..now + n, ..]));
        }
        // One step's gate math for its active rows, compiled for AVX2 where available.
        crate::float::wide(|| {
            for b in 0..n {
                let r = now + b;
                let g_row = gates.row_mut(r).into_slice().expect("contiguous row");
                let (c_prev_rows, mut c_now_rows) = c.view_mut().split_at(ndarray::Axis(0), r);
                let c_now = c_now_rows.row_mut(0).into_slice().expect("contiguous row");
                let c_prev = (t > 0).then(|| {
                    c_prev_rows
                        .row(r - batch)
                        .to_slice()
                        .expect("contiguous row")
                });
                let tc = tanh_c.row_mut(r).into_slice().expect("contiguous row");
                let h_now = h.row_mut(r).into_slice().expect("contiguous row");
                if !fused_cell(g_row, bias, c_prev, c_now, tc, h_now) {
                    cell(g_row, bias, c_prev, c_now, tc, h_now);
                }
            }
        });
    }
}

/// The f32 AVX2 [`super::kernel::lstm_cell`]; `false` for f64 or without AVX2.
fn fused_cell<F: Float>(
    g: &mut [F],
    bias: &[F],
    c_prev: Option<&[F]>,
    c: &mut [F],
    tc: &mut [F],
    h: &mut [F],
) -> bool {
    let (Some(g), Some(bias), Some(c), Some(tc), Some(h)) = (
        as_f32_mut(g),
        as_f32(bias),
        as_f32_mut(c),
        as_f32_mut(tc),
        as_f32_mut(h),
    ) else {
        return false;
    };
    super::kernel::lstm_cell(g, bias, c_prev.and_then(as_f32), c, tc, h)
}

/// The same cell step as [`super::kernel::lstm_cell`], generic (f64 gradient checks, no AVX2).
#[inline(always)]
fn cell<F: Float>(
    g_row: &mut [F],
    bias: &[F],
    c_prev: Option<&[F]>,
    c_now: &mut [F],
    tc: &mut [F],
    h_now: &mut [F],
) {
    let hidden = c_now.len();
    for (g, &b) in g_row.iter_mut().zip(bias) {
        *g = *g + b;
    }
    F::sigmoid_slice(&mut g_row[..3 * hidden]);
    F::tanh_slice(&mut g_row[3 * hidden..]);
    let (ifo, g) = g_row.split_at(3 * hidden);
    let (i, rest) = ifo.split_at(hidden);
    let (f, o) = rest.split_at(hidden);
    match c_prev {
        None => {
            for j in 0..hidden {
                c_now[j] = i[j] * g[j];
            }
        }
        Some(c_prev) => {
            for j in 0..hidden {
                c_now[j] = f[j] * c_prev[j] + i[j] * g[j];
            }
        }
    }
    tc.copy_from_slice(c_now);
    F::tanh_slice(tc);
    for j in 0..hidden {
        h_now[j] = o[j] * tc[j];
    }
}

/// Backward pass (BPTT). `d_h` is the loss gradient w.r.t. this layer's outputs (padding rows are
/// ignored); weight gradients are *added* to `grad`, and the gradient w.r.t. `x` is written to `d_x`.
///
/// With `c_t = f⊙c_{t-1} + i⊙g` and `h_t = o⊙tanh(c_t)`, walking from the last step back:
/// `dh = dh_above + dh_next`, `dc = dc_next + dh⊙o⊙(1 - tanh²c)`, then the gate pre-activation
/// gradients are `do = dh⊙tanh(c)⊙o(1-o)`, `di = dc⊙g⊙i(1-i)`, `df = dc⊙c_{t-1}⊙f(1-f)`,
/// `dg = dc⊙i⊙(1-g²)`; the carried gradients are `dc_next = dc⊙f` and `dh_next = dgates·W_hᵀ`.
/// A padded row has no step, so its carried gradients simply stay zero until its sequence starts.
/// Since every step's gate gradients are kept, the weight gradients are three GEMMs over all steps:
/// `dW_x = xᵀ·dgates`, `dW_h = h_{t-1}ᵀ·dgates_t` (stacked over t), `db = Σ dgates`.
#[expect(
    clippy::too_many_arguments,
    reason = "the layer's inputs, cache, and three outputs; a struct would only rename them"
)]
pub fn backward<F: Float>(
    w: &Lstm<F>,
    x: ArrayView2<F>,
    active: &[usize],
    batch: usize,
    cache: &mut LstmCache<F>,
    d_h: ArrayView2<F>,
    grad: &mut Lstm<F>,
    d_x: ArrayViewMut2<F>,
) {
    let rows = active.len() * batch;
    let LstmCache {
        gates,
        c,
        tanh_c,
        h,
        d_gates,
        d_h_next,
        d_c_next,
    } = cache;
    let mut d_gates = d_gates.slice_mut(s![..rows, ..]);
    d_h_next.fill(F::zero());
    d_c_next.fill(F::zero());
    let one = F::one();
    // A row-major copy of W_hᵀ (once per batch) lets the per-step product read it in place.
    let w_h_t = w.w_h.t().as_standard_layout().into_owned();
    let w_h_t = PackedB::new(w_h_t.view());
    for t in (0..active.len()).rev() {
        let n = active[t];
        let now = t * batch;
        // Padding rows must add nothing to the all-steps weight-gradient products; active rows
        // are all written below.
        d_gates
            .slice_mut(s![now + n..now + batch, ..])
            .fill(F::zero());
        crate::float::wide(|| {
            for b in 0..n {
                let r = now + b;
                let g_row = gates.row(r).to_slice().expect("contiguous row");
                let tc = tanh_c.row(r).to_slice().expect("contiguous row");
                let dh_above = d_h.row(r).to_slice().expect("contiguous row");
                let dh_next = d_h_next.row(b).to_slice().expect("contiguous row");
                let dc_next = d_c_next.row_mut(b).into_slice().expect("contiguous row");
                let dg_row = d_gates.row_mut(r).into_slice().expect("contiguous row");
                // c_{-1} = 0, so the forget gate has no gradient at the first step.
                let c_prev = (t > 0).then(|| c.row(r - batch).to_slice().expect("contiguous row"));
                if !fused_cell_backward(g_row, tc, c_prev, dh_above, dh_next, dc_next, dg_row) {
                    cell_backward(g_row, tc, c_prev, dh_above, dh_next, dc_next, dg_row);
                }
            }
        });
        if t > 0 {
            let dg_t = d_gates.slice(s![now..now + n, ..]);
            gemm_packed(dg_t, &w_h_t, F::zero(), d_h_next.slice_mut(s![..n, ..]));
        }
    }
    if active.len() > 1 {
        let h_prev = h.slice(s![..rows - batch, ..]);
        gemm(
            h_prev.t(),
            d_gates.slice(s![batch.., ..]),
            one,
            grad.w_h.view_mut(),
        );
    }
    gemm(x.t(), d_gates.view(), one, grad.w_x.view_mut());
    add_column_sums(
        d_gates.view(),
        grad.b.as_slice_mut().expect("contiguous bias"),
    );
    // Row-major W_xᵀ for the same reason as W_hᵀ above.
    let w_x_t = w.w_x.t().as_standard_layout().into_owned();
    gemm(d_gates.view(), w_x_t.view(), F::zero(), d_x);
}

/// The f32 AVX2 [`super::kernel::lstm_cell_backward`]; `false` for f64 or without AVX2.
fn fused_cell_backward<F: Float>(
    g: &[F],
    tc: &[F],
    c_prev: Option<&[F]>,
    dh_above: &[F],
    dh_next: &[F],
    dc_next: &mut [F],
    d_gates: &mut [F],
) -> bool {
    let (Some(g), Some(tc), Some(dh_above), Some(dh_next), Some(dc_next), Some(d_gates)) = (
        as_f32(g),
        as_f32(tc),
        as_f32(dh_above),
        as_f32(dh_next),
        as_f32_mut(dc_next),
        as_f32_mut(d_gates),
    ) else {
        return false;
    };
    super::kernel::lstm_cell_backward(
        g,
        tc,
        c_prev.and_then(as_f32),
        dh_above,
        dh_next,
        dc_next,
        d_gates,
    )
}

/// The same step as [`super::kernel::lstm_cell_backward`], generic (f64 gradient checks, no AVX2).
#[inline(always)]
fn cell_backward<F: Float>(
    g_row: &[F],
    tc: &[F],
    c_prev: Option<&[F]>,
    dh_above: &[F],
    dh_next: &[F],
    dc_next: &mut [F],
    dg_row: &mut [F],
) {
    let hidden = tc.len();
    let one = F::one();
    let (i, rest) = g_row.split_at(hidden);
    let (f, rest) = rest.split_at(hidden);
    let (o, g) = rest.split_at(hidden);
    let (di, rest) = dg_row.split_at_mut(hidden);
    let (df, rest) = rest.split_at_mut(hidden);
    let (d_o, dg) = rest.split_at_mut(hidden);
    for j in 0..hidden {
        let dh = dh_above[j] + dh_next[j];
        let dc = dc_next[j] + dh * o[j] * (one - tc[j] * tc[j]);
        d_o[j] = dh * tc[j] * o[j] * (one - o[j]);
        di[j] = dc * g[j] * i[j] * (one - i[j]);
        df[j] = c_prev.map_or(F::zero(), |p| dc * p[j] * f[j] * (one - f[j]));
        dg[j] = dc * i[j] * (one - g[j] * g[j]);
        dc_next[j] = dc * f[j];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::{active_counts, gradcheck::random};

    /// The f32 path (AVX2 GEMM and fused cell kernels where the CPU has them) against the generic
    /// f64 path that the gradient checks verify: same masked batch, outputs and every gradient
    /// equal up to f32 rounding.
    #[test]
    fn f32_kernels_match_the_f64_reference() {
        let (input, hidden, batch) = (5, 16, 4);
        let lengths = [7, 7, 4, 1];
        let active = active_counts(&lengths);
        let rows = active.len() * batch;
        let x = random(rows, input, 11, 1.0);
        let w = Lstm {
            w_x: random(input, 4 * hidden, 12, 0.6),
            w_h: random(hidden, 4 * hidden, 13, 0.6),
            b: random(1, 4 * hidden, 14, 0.5).row(0).to_owned(),
        };
        let d_h = random(rows, hidden, 15, 1.0);
        fn run<F: Float>(
            w: &Lstm<F>,
            x: &Array2<F>,
            d_h: &Array2<F>,
            active: &[usize],
            batch: usize,
        ) -> (Array2<F>, Lstm<F>, Array2<F>) {
            let mut cache = LstmCache::default();
            forward(w, x.view(), active, batch, &mut cache);
            let rows = x.nrows();
            let (input, hidden) = (w.w_x.nrows(), w.hidden());
            let mut grad = Lstm::zeros(input, hidden);
            let mut d_x = Array2::zeros((rows, input));
            backward(
                w,
                x.view(),
                active,
                batch,
                &mut cache,
                d_h.view(),
                &mut grad,
                d_x.view_mut(),
            );
            (cache.output(rows).to_owned(), grad, d_x)
        }
        let f32s = |a: &Array2<f64>| a.mapv(|v| v as f32);
        let w32 = Lstm {
            w_x: f32s(&w.w_x),
            w_h: f32s(&w.w_h),
            b: w.b.mapv(|v| v as f32),
        };
        let (h64, g64, dx64) = run(&w, &x, &d_h, &active, batch);
        let (h32, g32, dx32) = run(&w32, &f32s(&x), &f32s(&d_h), &active, batch);
        let close = |name: &str, a: &[f64], b: &[f32]| {
            for (i, (&a, &b)) in a.iter().zip(b).enumerate() {
                let err = (a - f64::from(b)).abs() / a.abs().max(1.0);
                assert!(err < 1e-4, "{name}[{i}]: f64 {a} vs f32 {b}");
            }
        };
        close(
            "h",
            h64.as_slice().expect("contiguous"),
            h32.as_slice().expect("contiguous"),
        );
        close(
            "d_x",
            dx64.as_slice().expect("contiguous"),
            dx32.as_slice().expect("contiguous"),
        );
        close(
            "d_w_x",
            g64.w_x.as_slice().expect("contiguous"),
            g32.w_x.as_slice().expect("contiguous"),
        );
        close(
            "d_w_h",
            g64.w_h.as_slice().expect("contiguous"),
            g32.w_h.as_slice().expect("contiguous"),
        );
        close(
            "d_b",
            g64.b.as_slice().expect("contiguous"),
            g32.b.as_slice().expect("contiguous"),
        );
    }
}
