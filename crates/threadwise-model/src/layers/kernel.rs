//! A small AVX2/FMA GEMM for the LSTM's products: the per-step `h_{t-1}·W_h` and `dgates·W_hᵀ`
//! (few rows, weights hot in cache) and the all-steps products (`x·W_x`, `xᵀ·dgates`, …).
//!
//! A general GEMM (matrixmultiply) copies ("packs") both operands on every call; for the per-step
//! shapes that copy costs about as much as the arithmetic. Here `a` is read in place through any
//! strides (so `xᵀ` needs no copy) and `b` in panels of 16 columns, at most 128 rows deep (8 KiB,
//! so a panel stays in L1 while every block of 6 rows of `a` streams past). Only products with
//! many rows copy `b`'s panels into a contiguous buffer first, where the copy is amortised.
//! A 6×16 block keeps 12 accumulators in AVX registers: enough independent FMAs to cover their
//! latency on both FMA ports, with 8 loads per 12 FMAs.

/// Rows of `a` per block (the microkernel's height).
const MR: usize = 6;
/// Rows of `a` per chunk: a chunk of `a` is reused across all column panels, so it should stay in
/// L1/L2.
const MC: usize = 48;
/// Products with at least this many rows copy `b` into packed panels first (see `sgemm`).
const PACK_MIN_ROWS: usize = 64;
/// Depth per pass: a 16-column panel of `b` this deep is 8 KiB, and a chunk of `a` 24 KiB.
const KC: usize = 128;

/// `c = beta·c + a·b` for f32 matrices: `a` is `m×k` with strides (`rsa`, `csa`), `b` is `k×n`
/// and `c` is `m×n`, both row-major with unit column stride; `beta` is 0 or 1. `packed_b`, from
/// [`pack_b`] of the same `b`, saves copying `b` per call when many calls share it (rows > 1).
/// Returns `false` (doing nothing) when the CPU lacks AVX2/FMA.
///
/// # Safety
/// `a`, `b`, `c` must be valid for those shapes and strides, `c` writable and not overlapping
/// `a` or `b`.
#[expect(
    clippy::too_many_arguments,
    reason = "a BLAS-style kernel: pointers, strides and sizes"
)]
pub unsafe fn sgemm(
    m: usize,
    k: usize,
    n: usize,
    a: *const f32,
    rsa: usize,
    csa: usize,
    b: *const f32,
    ldb: usize,
    packed_b: Option<&[f32]>,
    beta: f32,
    c: *mut f32,
    ldc: usize,
) -> bool {
    let n16 = n / 16 * 16;
    assert!(
        packed_b.is_none_or(|p| p.len() == k * n16),
        "packed b is not [k, n] in panels"
    );
    #[cfg(target_arch = "x86_64")]
    {
        if crate::float::has_avx2_fma() {
            let packed = packed_b.map_or(std::ptr::null(), <[f32]>::as_ptr);
            // SAFETY: features checked; pointer validity is the caller's contract.
            unsafe { avx2::sgemm(m, k, n, a, rsa, csa, b, ldb, packed, beta, c, ldc) };
            return true;
        }
    }
    let _ = (m, k, n, a, rsa, csa, b, ldb, beta, c, ldc);
    false
}

/// The first `n / 16 · 16` columns of the row-major `k×n` matrix `b` in the layout
/// [`sgemm`]'s `packed_b` takes: 16-column panels one after another, each `k` rows of 16.
pub fn pack_b(b: &[f32], k: usize, n: usize) -> Vec<f32> {
    assert_eq!(b.len(), k * n, "pack_b: b is not k×n");
    let n16 = n / 16 * 16;
    let mut out = Vec::with_capacity(k * n16);
    for q in (0..n16).step_by(16) {
        for p in 0..k {
            out.extend_from_slice(&b[p * n + q..p * n + q + 16]);
        }
    }
    out
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{KC, MC, MR, PACK_MIN_ROWS};
    use std::arch::x86_64::*;

    thread_local! {
        /// Packed panels of `b`, reused across calls (at most `KC·n` floats).
        static PACK: std::cell::RefCell<Vec<f32>> = const { std::cell::RefCell::new(Vec::new()) };
    }

    /// The matrix `a` as a base pointer and strides.
    #[derive(Clone, Copy)]
    struct A {
        p: *const f32,
        rs: usize,
        cs: usize,
    }

    impl A {
        #[inline(always)]
        unsafe fn at(self, i: usize, p: usize) -> *const f32 {
            // SAFETY: in bounds by the caller's contract.
            unsafe { self.p.add(i * self.rs + p * self.cs) }
        }
    }

    #[target_feature(enable = "avx2,fma")]
    #[expect(
        clippy::too_many_arguments,
        reason = "a BLAS-style kernel: pointers, strides and sizes"
    )]
    pub unsafe fn sgemm(
        m: usize,
        k: usize,
        n: usize,
        a: *const f32,
        rsa: usize,
        csa: usize,
        b: *const f32,
        ldb: usize,
        packed: *const f32,
        beta: f32,
        c: *mut f32,
        ldc: usize,
    ) {
        let a = A {
            p: a,
            rs: rsa,
            cs: csa,
        };
        let n16 = n / 16 * 16;
        unsafe {
            if k == 0 {
                if beta == 0.0 {
                    for i in 0..m {
                        std::ptr::write_bytes(c.add(i * ldc), 0, n);
                    }
                }
                return;
            }
            // A lone row (single-post inference): 64 columns at a time, so 8 independent
            // accumulators hide the FMA latency that 2 accumulators would expose.
            let n64 = if m == 1 && packed.is_null() {
                n / 64 * 64
            } else {
                0
            };
            for j in (0..n64).step_by(64) {
                row64(j, k, a, b, ldb, beta, c);
            }
            if n16 > n64 {
                PACK.with_borrow_mut(|buf| {
                    for p0 in (0..k).step_by(KC) {
                        let kc = KC.min(k - p0);
                        // Later depth passes add to what the first one wrote.
                        let beta = if p0 == 0 { beta } else { 1.0 };
                        let panels = (n16 - n64) / 16;
                        // (panel base, row stride, panel stride) of this depth pass of `b`.
                        let (bb, rsb, ps) = if !packed.is_null() {
                            (packed.add(p0 * 16), 16, k * 16)
                        } else if m >= PACK_MIN_ROWS && panels > 1 {
                            // Copied into contiguous 16-column panels: with `b`'s rows a power of
                            // two apart, a panel read in place maps onto a few L1 sets and
                            // evicts itself. Worth the copy only when many rows reuse it.
                            buf.clear();
                            buf.reserve(kc * 16 * panels);
                            for q in 0..panels {
                                for p in 0..kc {
                                    let row = b.add((p0 + p) * ldb + n64 + 16 * q);
                                    buf.extend_from_slice(std::slice::from_raw_parts(row, 16));
                                }
                            }
                            (buf.as_ptr(), 16, kc * 16)
                        } else {
                            (b.add(p0 * ldb + n64), ldb, 16)
                        };
                        for i0 in (0..m).step_by(MC) {
                            let mc = MC.min(m - i0);
                            let ap = A {
                                p: a.at(i0, p0),
                                ..a
                            };
                            let cp = c.add(i0 * ldc);
                            for q in 0..panels {
                                let bp = bb.add(q * ps);
                                let j = n64 + 16 * q;
                                let mut i = 0;
                                while i + MR <= mc {
                                    block::<MR>(i, j, kc, ap, bp, rsb, beta, cp, ldc);
                                    i += MR;
                                }
                                match mc - i {
                                    0 => {}
                                    1 => block::<1>(i, j, kc, ap, bp, rsb, beta, cp, ldc),
                                    2 => block::<2>(i, j, kc, ap, bp, rsb, beta, cp, ldc),
                                    3 => block::<3>(i, j, kc, ap, bp, rsb, beta, cp, ldc),
                                    4 => block::<4>(i, j, kc, ap, bp, rsb, beta, cp, ldc),
                                    _ => block::<5>(i, j, kc, ap, bp, rsb, beta, cp, ldc),
                                }
                            }
                        }
                    }
                });
            }
            // Leftover columns (n not a multiple of 16): plain loops.
            for i in 0..m {
                for j in n16..n {
                    let mut s = 0.0;
                    for p in 0..k {
                        s += *a.at(i, p) * *b.add(p * ldb + j);
                    }
                    let out = c.add(i * ldc + j);
                    *out = if beta == 0.0 { s } else { *out + s };
                }
            }
        }
    }

    /// Row 0, columns `j..j+64`.
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    unsafe fn row64(j: usize, k: usize, a: A, b: *const f32, ldb: usize, beta: f32, c: *mut f32) {
        unsafe {
            let mut acc = [_mm256_setzero_ps(); 8];
            for p in 0..k {
                let av = _mm256_broadcast_ss(&*a.at(0, p));
                let bp = b.add(p * ldb + j);
                for (q, acc) in acc.iter_mut().enumerate() {
                    *acc = _mm256_fmadd_ps(av, _mm256_loadu_ps(bp.add(8 * q)), *acc);
                }
            }
            for (q, acc) in acc.iter().enumerate() {
                let cp = c.add(j + 8 * q);
                let v = if beta == 0.0 {
                    *acc
                } else {
                    _mm256_add_ps(_mm256_loadu_ps(cp), *acc)
                };
                _mm256_storeu_ps(cp, v);
            }
        }
    }

    /// Rows `i..i+R`, columns `j..j+16` of `c`, depth `0..k`; `b` is a `k×16` panel with row
    /// stride `rsb`.
    #[target_feature(enable = "avx2,fma")]
    #[expect(
        clippy::too_many_arguments,
        reason = "a BLAS-style kernel: pointers, strides and sizes"
    )]
    #[inline]
    unsafe fn block<const R: usize>(
        i: usize,
        j: usize,
        k: usize,
        a: A,
        b: *const f32,
        rsb: usize,
        beta: f32,
        c: *mut f32,
        ldc: usize,
    ) {
        unsafe {
            let mut acc = [[_mm256_setzero_ps(); 2]; R];
            let mut ap = a.at(i, 0);
            let mut bp = b;
            for _ in 0..k {
                let b0 = _mm256_loadu_ps(bp);
                let b1 = _mm256_loadu_ps(bp.add(8));
                for (r, acc) in acc.iter_mut().enumerate() {
                    let av = _mm256_broadcast_ss(&*ap.add(r * a.rs));
                    acc[0] = _mm256_fmadd_ps(av, b0, acc[0]);
                    acc[1] = _mm256_fmadd_ps(av, b1, acc[1]);
                }
                // Wrapping: after the last step these point past the operands, unread.
                ap = ap.wrapping_add(a.cs);
                bp = bp.wrapping_add(rsb);
            }
            for (r, acc) in acc.iter().enumerate() {
                let cp = c.add((i + r) * ldc + j);
                if beta == 0.0 {
                    _mm256_storeu_ps(cp, acc[0]);
                    _mm256_storeu_ps(cp.add(8), acc[1]);
                } else {
                    _mm256_storeu_ps(cp, _mm256_add_ps(_mm256_loadu_ps(cp), acc[0]));
                    _mm256_storeu_ps(cp.add(8), _mm256_add_ps(_mm256_loadu_ps(cp.add(8)), acc[1]));
                }
            }
        }
    }

    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn lstm_cell(
        gates: &mut [f32],
        bias: &[f32],
        c_prev: Option<&[f32]>,
        c: &mut [f32],
        tanh_c: &mut [f32],
        h: &mut [f32],
    ) {
        use super::cell::{sigmoid8, tanh8};
        let hd = c.len();
        let g = gates.as_mut_ptr();
        let b = bias.as_ptr();
        // SAFETY: every offset is below 4·hidden (gates, bias) or hidden (the rest), which the
        // caller checked; unaligned loads and stores.
        unsafe {
            for j in (0..hd).step_by(8) {
                let mut pre = [_mm256_setzero_ps(); 4];
                for (q, v) in pre.iter_mut().enumerate() {
                    *v = _mm256_add_ps(
                        _mm256_loadu_ps(g.add(q * hd + j)),
                        _mm256_loadu_ps(b.add(q * hd + j)),
                    );
                }
                let i = sigmoid8(pre[0]);
                let f = sigmoid8(pre[1]);
                let o = sigmoid8(pre[2]);
                let gg = tanh8(pre[3]);
                for (q, v) in [i, f, o, gg].into_iter().enumerate() {
                    _mm256_storeu_ps(g.add(q * hd + j), v);
                }
                let ig = _mm256_mul_ps(i, gg);
                let cv = match c_prev {
                    Some(p) => _mm256_fmadd_ps(f, _mm256_loadu_ps(p.as_ptr().add(j)), ig),
                    None => ig,
                };
                let tc = tanh8(cv);
                _mm256_storeu_ps(c.as_mut_ptr().add(j), cv);
                _mm256_storeu_ps(tanh_c.as_mut_ptr().add(j), tc);
                _mm256_storeu_ps(h.as_mut_ptr().add(j), _mm256_mul_ps(o, tc));
            }
        }
    }

    /// Loads 8 lanes at `p + j`.
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    unsafe fn ld(p: *const f32, j: usize) -> __m256 {
        // SAFETY: the caller keeps `p + j .. p + j + 8` in bounds.
        unsafe { _mm256_loadu_ps(p.add(j)) }
    }

    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn lstm_cell_backward(
        gates: &[f32],
        tanh_c: &[f32],
        c_prev: Option<&[f32]>,
        dh_above: &[f32],
        dh_next: &[f32],
        dc_next: &mut [f32],
        d_gates: &mut [f32],
    ) {
        let hd = tanh_c.len();
        let one = _mm256_set1_ps(1.0);
        let g = gates.as_ptr();
        let dg = d_gates.as_mut_ptr();
        // SAFETY: every offset is below 4·hidden (gates, d_gates) or hidden (the rest), which the
        // caller checked; unaligned loads and stores.
        unsafe {
            for j in (0..hd).step_by(8) {
                let i = ld(g, j);
                let f = ld(g, hd + j);
                let o = ld(g, 2 * hd + j);
                let gg = ld(g, 3 * hd + j);
                let tc = ld(tanh_c.as_ptr(), j);
                let dh = _mm256_add_ps(ld(dh_above.as_ptr(), j), ld(dh_next.as_ptr(), j));
                // dc = dc_next + dh·o·(1 - tc²)
                let dh_o = _mm256_mul_ps(dh, o);
                let dc =
                    _mm256_fmadd_ps(dh_o, _mm256_fnmadd_ps(tc, tc, one), ld(dc_next.as_ptr(), j));
                // σ' = s·(1 - s); tanh' = 1 - g²
                let d_o = _mm256_mul_ps(_mm256_mul_ps(dh_o, tc), _mm256_sub_ps(one, o));
                let di = _mm256_mul_ps(
                    _mm256_mul_ps(dc, gg),
                    _mm256_mul_ps(i, _mm256_sub_ps(one, i)),
                );
                let df = match c_prev {
                    Some(p) => _mm256_mul_ps(
                        _mm256_mul_ps(dc, ld(p.as_ptr(), j)),
                        _mm256_mul_ps(f, _mm256_sub_ps(one, f)),
                    ),
                    None => _mm256_setzero_ps(),
                };
                let d_g = _mm256_mul_ps(_mm256_mul_ps(dc, i), _mm256_fnmadd_ps(gg, gg, one));
                _mm256_storeu_ps(dg.add(j), di);
                _mm256_storeu_ps(dg.add(hd + j), df);
                _mm256_storeu_ps(dg.add(2 * hd + j), d_o);
                _mm256_storeu_ps(dg.add(3 * hd + j), d_g);
                _mm256_storeu_ps(dc_next.as_mut_ptr().add(j), _mm256_mul_ps(dc, f));
            }
        }
    }
}

/// One LSTM cell step for one row, fused: adds `bias` to the pre-activations `gates` (`[i|f|o|g]`,
/// 4·hidden), applies sigmoid/tanh in place, and writes `c = f⊙c_prev + i⊙g` (`c_prev = None`:
/// zero), `tanh_c = tanh(c)` and `h = o⊙tanh(c)`. One pass over registers instead of five over
/// memory, with an FMA polynomial `exp`. Returns `false` (doing nothing) without AVX2/FMA or when
/// `hidden` is not a multiple of 8.
pub fn lstm_cell(
    gates: &mut [f32],
    bias: &[f32],
    c_prev: Option<&[f32]>,
    c: &mut [f32],
    tanh_c: &mut [f32],
    h: &mut [f32],
) -> bool {
    let hidden = c.len();
    assert!(
        gates.len() == 4 * hidden
            && bias.len() == 4 * hidden
            && c_prev.is_none_or(|p| p.len() == hidden)
            && tanh_c.len() == hidden
            && h.len() == hidden,
        "lstm_cell: slice lengths"
    );
    #[cfg(target_arch = "x86_64")]
    {
        if hidden.is_multiple_of(8) && crate::float::has_avx2_fma() {
            // SAFETY: features checked; lengths checked above.
            unsafe { avx2::lstm_cell(gates, bias, c_prev, c, tanh_c, h) };
            return true;
        }
    }
    false
}

/// The backward of [`lstm_cell`] for one row: from the activations `gates` (`[i|f|o|g]`),
/// `tanh_c`, the gradient from above `dh_above` and the carried `dh_next`/`dc_next`, writes the
/// pre-activation gradients `d_gates` and replaces `dc_next` by `dc⊙f` (the formulas are in
/// [`super::lstm::backward`]). Returns `false` (doing nothing) without AVX2/FMA or when `hidden` is
/// not a multiple of 8.
pub fn lstm_cell_backward(
    gates: &[f32],
    tanh_c: &[f32],
    c_prev: Option<&[f32]>,
    dh_above: &[f32],
    dh_next: &[f32],
    dc_next: &mut [f32],
    d_gates: &mut [f32],
) -> bool {
    let hidden = tanh_c.len();
    assert!(
        gates.len() == 4 * hidden
            && d_gates.len() == 4 * hidden
            && c_prev.is_none_or(|p| p.len() == hidden)
            && dh_above.len() == hidden
            && dh_next.len() == hidden
            && dc_next.len() == hidden,
        "lstm_cell_backward: slice lengths"
    );
    #[cfg(target_arch = "x86_64")]
    {
        if hidden.is_multiple_of(8) && crate::float::has_avx2_fma() {
            // SAFETY: features checked; lengths checked above.
            unsafe {
                avx2::lstm_cell_backward(gates, tanh_c, c_prev, dh_above, dh_next, dc_next, d_gates)
            };
            return true;
        }
    }
    false
}

#[cfg(target_arch = "x86_64")]
mod cell {
    use std::arch::x86_64::*;

    /// `exp` on 8 lanes: the same range reduction and degree-6 polynomial as
    /// [`crate::float::fast_exp`], with FMAs.
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    pub fn exp8(x: __m256) -> __m256 {
        let x = _mm256_min_ps(
            _mm256_max_ps(x, _mm256_set1_ps(-87.0)),
            _mm256_set1_ps(88.0),
        );
        let n = _mm256_round_ps::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(
            _mm256_mul_ps(x, _mm256_set1_ps(std::f32::consts::LOG2_E)),
        );
        let r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693_145_75), x);
        let r = _mm256_fnmadd_ps(n, _mm256_set1_ps(1.428_606_8e-6), r);
        let mut p = _mm256_set1_ps(0.001_388_889);
        for coef in [0.008_333_334, 0.041_666_668, 0.166_666_67, 0.5, 1.0, 1.0] {
            p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(coef));
        }
        let bits = _mm256_slli_epi32::<23>(_mm256_add_epi32(
            _mm256_cvtps_epi32(n),
            _mm256_set1_epi32(127),
        ));
        _mm256_mul_ps(p, _mm256_castsi256_ps(bits))
    }

    #[target_feature(enable = "avx2,fma")]
    #[inline]
    pub fn sigmoid8(x: __m256) -> __m256 {
        let one = _mm256_set1_ps(1.0);
        _mm256_div_ps(
            one,
            _mm256_add_ps(one, exp8(_mm256_sub_ps(_mm256_setzero_ps(), x))),
        )
    }

    /// `tanh(x) = 1 - 2 / (exp(2x) + 1)`, exact at the saturated ends because `exp8` clamps.
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    pub fn tanh8(x: __m256) -> __m256 {
        let one = _mm256_set1_ps(1.0);
        let e = exp8(_mm256_add_ps(x, x));
        _mm256_sub_ps(
            one,
            _mm256_div_ps(_mm256_set1_ps(2.0), _mm256_add_ps(e, one)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn matches_a_plain_matrix_product_including_ragged_edges_and_transposed_a() {
        for &(m, k, n) in &[
            (1, 3, 5),
            (1, 300, 256),
            (4, 8, 16),
            (7, 13, 37),
            (32, 64, 256),
            (5, 1, 17),
            (64, 600, 256),
            (101, 20, 48),
            (13, 0, 16),
        ] {
            let a = Array2::from_shape_fn((m, k), |(i, j)| ((i * 7 + j * 3) % 11) as f32 - 5.0);
            let b =
                Array2::from_shape_fn((k, n), |(i, j)| ((i * 5 + j * 2) % 13) as f32 * 0.25 - 1.5);
            let expected = a.dot(&b);
            // The same `a` stored transposed (column-major), read through its strides.
            let a_t = a.t().as_standard_layout().into_owned();
            let packed_b = pack_b(b.as_slice().expect("contiguous"), k, n);
            let layouts = [(a.as_ptr(), k, 1), (a_t.as_ptr(), 1, m)];
            for ((a_ptr, rsa, csa), packed) in layouts
                .into_iter()
                .flat_map(|l| [(l, None), (l, Some(packed_b.clone()))])
            {
                for beta in [0.0f32, 1.0] {
                    let mut c = Array2::from_elem((m, n), 2.0f32);
                    // SAFETY: the pointers and strides describe the arrays above.
                    let ok = unsafe {
                        sgemm(
                            m,
                            k,
                            n,
                            a_ptr,
                            rsa,
                            csa,
                            b.as_ptr(),
                            n,
                            packed.as_deref(),
                            beta,
                            c.as_mut_ptr(),
                            n,
                        )
                    };
                    if !ok {
                        return; // no AVX2 on this CPU: nothing to compare
                    }
                    let want = &expected + beta * 2.0;
                    for (x, y) in c.iter().zip(want.iter()) {
                        assert!(
                            (x - y).abs() < 1e-3,
                            "{m}x{k}x{n} strides ({rsa},{csa}) packed {} beta {beta}: {x} vs {y}",
                            packed.is_some()
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn lstm_cell_matches_the_exact_formulas_including_saturation() {
        let hidden = 16;
        // Pre-activations up to ±12 so both saturated ends and the middle are covered.
        let pre: Vec<f32> = (0..4 * hidden)
            .map(|i| (i as f32 * 0.37).sin() * 12.0)
            .collect();
        let bias: Vec<f32> = (0..4 * hidden).map(|i| (i as f32 * 0.11).cos()).collect();
        let c_prev: Vec<f32> = (0..hidden).map(|i| (i as f32 * 0.5).sin() * 3.0).collect();
        for prev in [None, Some(&c_prev[..])] {
            let mut g = pre.clone();
            let (mut c, mut tc, mut h) = (vec![0.0; hidden], vec![0.0; hidden], vec![0.0; hidden]);
            if !lstm_cell(&mut g, &bias, prev, &mut c, &mut tc, &mut h) {
                return; // no AVX2 on this CPU: nothing to compare
            }
            let sig = |x: f64| 1.0 / (1.0 + (-x).exp());
            for j in 0..hidden {
                let z = |q: usize| f64::from(pre[q * hidden + j] + bias[q * hidden + j]);
                let (i, f, o, gg) = (sig(z(0)), sig(z(1)), sig(z(2)), z(3).tanh());
                let cv = f * prev.map_or(0.0, |p| f64::from(p[j])) + i * gg;
                let want = [i, f, o, gg, cv, cv.tanh(), o * cv.tanh()];
                let got = [
                    g[j],
                    g[hidden + j],
                    g[2 * hidden + j],
                    g[3 * hidden + j],
                    c[j],
                    tc[j],
                    h[j],
                ];
                for (w, g) in want.iter().zip(got) {
                    assert!((w - f64::from(g)).abs() < 2e-6, "unit {j}: {g} vs {w}");
                }
            }
        }
    }
}
