//! The float type the layers are generic over: `f32` for training and serving, `f64` for the
//! finite-difference gradient checks.
use ndarray::LinalgScalar;
use std::fmt::Debug;

/// A float usable by every layer. `f32` uses fast, branch-free approximations of `exp`-based
/// activations (relative error ~1e-7, far below f32 training noise); `f64` uses the exact ones so the
/// gradient checks compare against true derivatives.
pub trait Float:
    LinalgScalar
    + num_traits::Float
    + num_traits::FromPrimitive
    + Debug
    + Send
    + Sync
    + Default
    + 'static
{
    /// Converts from `f64`.
    fn of(x: f64) -> Self {
        <Self as num_traits::FromPrimitive>::from_f64(x).expect("f64 always converts")
    }
    /// Converts to `f64`.
    fn f64(self) -> f64 {
        num_traits::ToPrimitive::to_f64(&self).expect("float always converts")
    }
    /// Logistic sigmoid over a slice, in place.
    fn sigmoid_slice(xs: &mut [Self]);
    /// Hyperbolic tangent over a slice, in place.
    fn tanh_slice(xs: &mut [Self]);
}

impl Float for f64 {
    fn sigmoid_slice(xs: &mut [f64]) {
        for x in xs {
            *x = 1.0 / (1.0 + (-*x).exp());
        }
    }
    fn tanh_slice(xs: &mut [f64]) {
        for x in xs {
            *x = x.tanh();
        }
    }
}

impl Float for f32 {
    fn sigmoid_slice(xs: &mut [f32]) {
        with_avx2(xs, sigmoid_f32)
    }
    fn tanh_slice(xs: &mut [f32]) {
        with_avx2(xs, tanh_f32)
    }
}

#[inline(always)]
fn sigmoid_f32(xs: &mut [f32]) {
    for x in xs {
        *x = 1.0 / (1.0 + fast_exp(-*x));
    }
}

#[inline(always)]
fn tanh_f32(xs: &mut [f32]) {
    // tanh(x) = 1 - 2 / (exp(2x) + 1); exact at the saturated ends because exp clamps.
    for x in xs {
        *x = 1.0 - 2.0 / (fast_exp(2.0 * *x) + 1.0);
    }
}

/// Whether the CPU has AVX2 and FMA, which every hand-written kernel and [`wide`] need.
#[cfg(target_arch = "x86_64")]
#[inline]
pub(crate) fn has_avx2_fma() -> bool {
    std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
}

/// Runs `f` compiled for AVX2 + FMA when the CPU has them (8 lanes instead of SSE2's 4); the
/// crate is built for the baseline x86-64 target, so this is where the wide vectors come from.
/// `f` must be inlinable (a closure or `#[inline(always)]` function) for this to have an effect.
#[inline(always)]
pub(crate) fn wide<R, G: FnOnce() -> R>(f: G) -> R {
    #[cfg(target_arch = "x86_64")]
    {
        #[target_feature(enable = "avx2,fma")]
        fn avx2<R, G: FnOnce() -> R>(f: G) -> R {
            f()
        }
        if has_avx2_fma() {
            // SAFETY: the CPU supports the features `avx2` is compiled for (checked just above).
            return unsafe { avx2(f) };
        }
    }
    f()
}

#[inline(always)]
fn with_avx2<T, G: Fn(&mut [T])>(xs: &mut [T], f: G) {
    wide(|| f(xs))
}

/// `exp` for f32 without branches, so loops over it auto-vectorise (libm's `expf` does not).
/// Range reduction x = n·ln2 + r, |r| ≤ ln2/2, then a degree-6 polynomial for e^r and 2^n built in
/// the exponent bits. The input is clamped so the result stays finite and never denormal.
#[inline(always)]
pub fn fast_exp(x: f32) -> f32 {
    let x = x.clamp(-87.0, 88.0);
    // Round to nearest by adding and subtracting 1.5·2²³ (no call to `roundf`, which blocks
    // vectorisation on the baseline target).
    const SHIFT: f32 = 12_582_912.0;
    let shifted = x * std::f32::consts::LOG2_E + SHIFT;
    let n = shifted - SHIFT;
    // ln2 split in two parts so r keeps full precision (Cody-Waite).
    let r = x - n * 0.693_145_75 - n * 1.428_606_8e-6;
    let p = 1.0
        + r * (1.0
            + r * (0.5
                + r * (0.166_666_67
                    + r * (0.041_666_668 + r * (0.008_333_334 + r * 0.001_388_889)))));
    // n is already an integer in the low mantissa bits of `shifted`; reading it from there (not
    // with `n as i32`, a saturating cast that compiles to scalar code per lane) keeps the loop
    // vectorised. |n| ≤ 127 here, so this is exactly `n as i32`.
    let bits = (shifted
        .to_bits()
        .wrapping_sub(SHIFT.to_bits())
        .wrapping_add(127))
        << 23;
    p * f32::from_bits(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_exp_matches_std_exp() {
        let mut worst = 0.0f64;
        let mut x = -80.0f32;
        while x < 80.0 {
            let rel = ((fast_exp(x) as f64 - (x as f64).exp()) / (x as f64).exp()).abs();
            worst = worst.max(rel);
            x += 0.013;
        }
        assert!(worst < 1e-6, "worst relative error {worst}");
    }

    #[test]
    fn fast_activations_match_exact_ones() {
        let xs: Vec<f32> = (-400..400).map(|i| i as f32 * 0.05).collect();
        let mut s = xs.clone();
        let mut t = xs.clone();
        f32::sigmoid_slice(&mut s);
        f32::tanh_slice(&mut t);
        for ((x, s), t) in xs.iter().zip(&s).zip(&t) {
            assert!((s - 1.0 / (1.0 + (-x).exp())).abs() < 1e-6, "sigmoid({x})");
            assert!((t - x.tanh()).abs() < 1e-6, "tanh({x})");
        }
    }
}
