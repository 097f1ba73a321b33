//! A small AVX2/FMA GEMM for the per-step products of the LSTM (`h_{t-1}·W_h` and
//! `dgates·W_hᵀ`): few rows (one batch shard), a weight matrix that stays hot in cache.
//!
//! A general GEMM (matrixmultiply) copies ("packs") both operands on every call; for these
//! shapes that copy of the weights costs about as much as the arithmetic. Here the weights are
//! read in place, row-major, in panels of 16 columns that stay in L1 while every block of 4 rows
//! of the left operand streams past. Accumulators live in 8 AVX registers.

/// `c = beta·c + a·b` for row-major f32 matrices given as (pointer, row stride) with unit column
/// stride; `beta` is 0 or 1. Returns `false` (doing nothing) when the CPU lacks AVX2/FMA.
///
/// # Safety
/// `a` must be valid for `m` rows of `k`, `b` for `k` rows of `n`, `c` for `m` rows of `n`
/// (writable, not overlapping `a` or `b`), each with the given row stride.
#[allow(clippy::too_many_arguments)]
pub unsafe fn sgemm(
    m: usize,
    k: usize,
    n: usize,
    a: *const f32,
    lda: usize,
    b: *const f32,
    ldb: usize,
    beta: f32,
    c: *mut f32,
    ldc: usize,
) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: features checked; pointer validity is the caller's contract.
            unsafe { avx2::sgemm(m, k, n, a, lda, b, ldb, beta, c, ldc) };
            return true;
        }
    }
    let _ = (m, k, n, a, lda, b, ldb, beta, c, ldc);
    false
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    #[target_feature(enable = "avx2,fma")]
    #[allow(clippy::too_many_arguments)]
    pub unsafe fn sgemm(
        m: usize,
        k: usize,
        n: usize,
        a: *const f32,
        lda: usize,
        b: *const f32,
        ldb: usize,
        beta: f32,
        c: *mut f32,
        ldc: usize,
    ) {
        let n16 = n / 16 * 16;
        unsafe {
            // A lone row (single-post inference): 64 columns at a time, so 8 independent
            // accumulators hide the FMA latency that 2 accumulators would expose.
            let n64 = if m == 1 { n / 64 * 64 } else { 0 };
            for j in (0..n64).step_by(64) {
                row64(j, k, a, b, ldb, beta, c);
            }
            for j in (n64..n16).step_by(16) {
                let mut i = 0;
                while i + 4 <= m {
                    block::<4>(i, j, k, a, lda, b, ldb, beta, c, ldc);
                    i += 4;
                }
                while i < m {
                    block::<1>(i, j, k, a, lda, b, ldb, beta, c, ldc);
                    i += 1;
                }
            }
            // Leftover columns (n not a multiple of 16): plain loops.
            for i in 0..m {
                for j in n16..n {
                    let mut s = 0.0;
                    for p in 0..k {
                        s += *a.add(i * lda + p) * *b.add(p * ldb + j);
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
    unsafe fn row64(
        j: usize,
        k: usize,
        a: *const f32,
        b: *const f32,
        ldb: usize,
        beta: f32,
        c: *mut f32,
    ) {
        unsafe {
            let mut acc = [_mm256_setzero_ps(); 8];
            for p in 0..k {
                let av = _mm256_broadcast_ss(&*a.add(p));
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

    /// Rows `i..i+R`, columns `j..j+16`.
    #[target_feature(enable = "avx2,fma")]
    #[allow(clippy::too_many_arguments)]
    #[inline]
    unsafe fn block<const R: usize>(
        i: usize,
        j: usize,
        k: usize,
        a: *const f32,
        lda: usize,
        b: *const f32,
        ldb: usize,
        beta: f32,
        c: *mut f32,
        ldc: usize,
    ) {
        unsafe {
            let mut acc = [[_mm256_setzero_ps(); 2]; R];
            for p in 0..k {
                let bp = b.add(p * ldb + j);
                let b0 = _mm256_loadu_ps(bp);
                let b1 = _mm256_loadu_ps(bp.add(8));
                for (r, acc) in acc.iter_mut().enumerate() {
                    let av = _mm256_broadcast_ss(&*a.add((i + r) * lda + p));
                    acc[0] = _mm256_fmadd_ps(av, b0, acc[0]);
                    acc[1] = _mm256_fmadd_ps(av, b1, acc[1]);
                }
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn matches_a_plain_matrix_product_including_ragged_edges() {
        for &(m, k, n) in &[
            (1, 3, 5),
            (4, 8, 16),
            (7, 13, 37),
            (32, 64, 256),
            (5, 1, 17),
        ] {
            let a = Array2::from_shape_fn((m, k), |(i, j)| ((i * 7 + j * 3) % 11) as f32 - 5.0);
            let b =
                Array2::from_shape_fn((k, n), |(i, j)| ((i * 5 + j * 2) % 13) as f32 * 0.25 - 1.5);
            let expected = a.dot(&b);
            for beta in [0.0f32, 1.0] {
                let mut c = Array2::from_elem((m, n), 2.0f32);
                let ok = unsafe {
                    sgemm(
                        m,
                        k,
                        n,
                        a.as_ptr(),
                        k,
                        b.as_ptr(),
                        n,
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
                    assert!((x - y).abs() < 1e-3, "{m}x{k}x{n} beta {beta}: {x} vs {y}");
                }
            }
        }
    }
}
