//! Adam with global-norm gradient clipping.
use super::network::{Architecture, Network};

/// Scales all gradients down together when their global L2 norm exceeds `max_norm`, which keeps
/// the direction of the step and stops the occasional exploding BPTT gradient. Returns the norm
/// before clipping.
pub fn clip_global_norm(grads: &mut Network<f32>, max_norm: f32) -> f32 {
    // Accumulate in f64 so the norm of ~10⁶ small terms does not depend on summation luck.
    let sum: f64 = grads
        .tensors()
        .iter()
        .map(|(_, _, s)| s.iter().map(|&g| (g as f64) * (g as f64)).sum::<f64>())
        .sum();
    let norm = sum.sqrt() as f32;
    if norm > max_norm && norm.is_finite() {
        let scale = max_norm / norm;
        for s in grads.slices_mut() {
            s.iter_mut().for_each(|g| *g *= scale);
        }
    }
    norm
}

/// Adam (Kingma & Ba) with bias-corrected moment estimates and optional decoupled weight decay
/// (AdamW, Loshchilov & Hutter) on the weight matrices (not the biases).
#[derive(Debug, Clone)]
pub struct Adam {
    lr: f32,
    /// Multiplies `lr` (warm-up and decay schedules set it between steps).
    pub lr_scale: f32,
    /// Per tensor (in [`Network::tensors`] order): its decoupled weight decay (0 for biases).
    decays: Vec<f32>,
    /// Per tensor: its learning-rate multiplier.
    lr_mults: Vec<f32>,
    beta1: f32,
    beta2: f32,
    eps: f32,
    step: i32,
    m: Network<f32>,
    v: Network<f32>,
}

impl Adam {
    /// Zero moments for a network of the given architecture.
    pub fn new(arch: Architecture, lr: f32, weight_decay: f32) -> Self {
        let m = Network::zeros(arch);
        let decays: Vec<f32> = m
            .tensors()
            .iter()
            .map(|(name, _, _)| {
                if name.ends_with(".b") {
                    0.0
                } else {
                    weight_decay
                }
            })
            .collect();
        let lr_mults = vec![1.0; decays.len()];
        Adam {
            lr,
            lr_scale: 1.0,
            decays,
            lr_mults,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            step: 0,
            m,
            v: Network::zeros(arch),
        }
    }

    /// Gives the bag-of-words table (`wide.w`) its own decoupled weight decay and learning-rate
    /// multiplier; a no-op for networks without one.
    pub fn set_wide(&mut self, weight_decay: f32, lr_mult: f32) {
        let names: Vec<String> = self
            .m
            .tensors()
            .iter()
            .map(|(n, _, _)| n.to_string())
            .collect();
        for (i, name) in names.iter().enumerate() {
            if name == "wide.w" {
                self.decays[i] = weight_decay;
                self.lr_mults[i] = lr_mult;
            }
        }
    }

    /// One update `w -= lr · (m̂ / (√v̂ + ε) + weight_decay · w)`.
    pub fn update(&mut self, weights: &mut Network<f32>, grads: &Network<f32>) {
        self.step += 1;
        let (b1, b2) = (self.beta1, self.beta2);
        let lr0 = self.lr * self.lr_scale;
        let bias = (1.0 - b2.powi(self.step)).sqrt() / (1.0 - b1.powi(self.step));
        let eps = self.eps;
        let grads = grads.tensors();
        let ws = weights.slices_mut().into_iter();
        let ms = self.m.slices_mut().into_iter();
        let vs = self.v.slices_mut().into_iter();
        let per_tensor = self.decays.iter().zip(&self.lr_mults);
        for ((((w, m), v), (_, _, g)), (&decay, &mult)) in
            ws.zip(ms).zip(vs).zip(grads).zip(per_tensor)
        {
            let lr = lr0 * mult;
            let lr_t = lr * bias;
            // Decoupled: the decay shrinks the weight directly instead of entering Adam's moments,
            // so it is not rescaled away by √v̂.
            let shrink = 1.0 - lr * decay;
            for (((w, m), v), &g) in w.iter_mut().zip(m.iter_mut()).zip(v.iter_mut()).zip(g) {
                *m = b1 * *m + (1.0 - b1) * g;
                *v = b2 * *v + (1.0 - b2) * g * g;
                *w = *w * shrink - lr_t * *m / (v.sqrt() + eps);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping_rescales_to_the_max_norm() {
        let arch = Architecture::smallest(2);
        let mut g = Network::<f32>::zeros(arch);
        g.embedding[(0, 0)] = 3.0;
        g.tags.b[0] = 4.0;
        assert_eq!(clip_global_norm(&mut g, 1.0), 5.0);
        assert!((g.embedding[(0, 0)] - 0.6).abs() < 1e-6 && (g.tags.b[0] - 0.8).abs() < 1e-6);
    }

    #[test]
    fn adam_moves_against_the_gradient() {
        let arch = Architecture::smallest(2);
        let mut w = Network::<f32>::zeros(arch);
        let mut g = Network::<f32>::zeros(arch);
        g.tags.b[0] = 0.5;
        let mut adam = Adam::new(arch, 0.01, 0.0);
        adam.update(&mut w, &g);
        assert!(
            (w.tags.b[0] + 0.01).abs() < 1e-6,
            "first Adam step is lr·sign(g)"
        );
    }

    #[test]
    fn the_wide_table_has_its_own_decay_and_step() {
        let arch = Architecture {
            wide: true,
            wide_buckets: 1,
            ..Architecture::smallest(2)
        };
        let mut w = Network::<f32>::zeros(arch);
        w.embedding.fill(1.0);
        w.wide.fill(1.0);
        let g = Network::<f32>::zeros(arch);
        let mut adam = Adam::new(arch, 0.01, 0.1);
        adam.set_wide(2.0, 0.5);
        adam.update(&mut w, &g);
        // Zero gradients: only the decoupled decay moves the weights, by lr·mult·decay.
        assert!((w.embedding[(0, 0)] - (1.0 - 0.01 * 0.1)).abs() < 1e-7);
        assert!((w.wide[(0, 0)] - (1.0 - 0.01 * 0.5 * 2.0)).abs() < 1e-7);
        let mut g = Network::<f32>::zeros(arch);
        g.wide[(1, 0)] = 3.0;
        let before = w.wide[(1, 0)];
        let mut adam = Adam::new(arch, 0.01, 0.0);
        adam.set_wide(0.0, 0.5);
        adam.update(&mut w, &g);
        assert!(
            (w.wide[(1, 0)] - (before - 0.005)).abs() < 1e-6,
            "first step of the wide table is lr·mult·sign(g)"
        );
    }
}
