//! A fully connected layer `y = x·W + b`.
use super::{Float, add_column_sums, gemm};
use ndarray::{Array1, Array2, ArrayView2, ArrayViewMut2};

/// The weights (or gradients) of a dense layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Dense<F> {
    /// `[input, output]`.
    pub w: Array2<F>,
    /// `[output]`.
    pub b: Array1<F>,
}

impl<F: Float> Dense<F> {
    /// Zero weights of the given shape.
    pub fn zeros(input: usize, output: usize) -> Self {
        Dense {
            w: Array2::zeros((input, output)),
            b: Array1::zeros(output),
        }
    }

    /// `out = x·W + b`.
    pub fn forward(&self, x: ArrayView2<F>, mut out: ArrayViewMut2<F>) {
        out.assign(&self.b.broadcast(out.dim()).expect("bias broadcast"));
        gemm(x, self.w.view(), F::one(), out);
    }

    /// Adds `xᵀ·dy` and `Σ dy` to `grad` and *adds* `dy·Wᵀ` to `d_x` (two heads share one input).
    pub fn backward(
        &self,
        x: ArrayView2<F>,
        d_y: ArrayView2<F>,
        grad: &mut Dense<F>,
        d_x: ArrayViewMut2<F>,
    ) {
        gemm(x.t(), d_y, F::one(), grad.w.view_mut());
        add_column_sums(d_y, grad.b.as_slice_mut().expect("contiguous bias"));
        gemm(d_y, self.w.t(), F::one(), d_x);
    }
}
