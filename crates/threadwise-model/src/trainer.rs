//! One optimiser step over a batch, data-parallel over threads; shared by `fit` and the benchmarks.
pub use super::network::Item;
use super::network::{Architecture, Batch, Dropout, LossScales, Network, TagWeights, Workspace};
use super::optim::{Adam, clip_global_norm};
use super::params::ClassifierParams;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

struct Shard {
    ws: Workspace<f32>,
    grad: Network<f32>,
}

/// The network being trained, its optimiser state, and one workspace + gradient per thread.
pub struct Trainer {
    /// The current weights.
    pub net: Network<f32>,
    /// An exponential moving average of the weights after each step (`None` when off).
    ema: Option<Network<f32>>,
    ema_decay: f32,
    steps: u32,
    adam: Adam,
    shards: Vec<Shard>,
    dropout: f64,
    token_dropout: f64,
    clip_norm: f32,
    quality_weight: f32,
    wide_alone_weight: f32,
    tag_weights: TagWeights,
}

impl Trainer {
    /// A trainer for `net` with one shard per thread (at most one per batch item).
    pub fn new(net: Network<f32>, params: &ClassifierParams) -> Self {
        let arch: Architecture = net.architecture();
        let shards = (0..params.threads.clamp(1, params.batch_size))
            .map(|_| Shard {
                ws: Workspace::default(),
                grad: Network::zeros(arch),
            })
            .collect();
        let mut adam = Adam::new(arch, params.learning_rate, params.weight_decay);
        adam.set_wide(
            params.wide_weight_decay.unwrap_or(params.weight_decay),
            params.wide_lr_scale,
        );
        Trainer {
            adam,
            ema: (params.ema_decay > 0.0).then(|| net.clone()),
            ema_decay: params.ema_decay,
            steps: 0,
            net,
            shards,
            dropout: params.dropout,
            token_dropout: params.token_dropout,
            clip_norm: params.clip_norm,
            quality_weight: params.quality_weight,
            // `None` (not yet resolved for a data set, as in the benchmarks) counts as off.
            wide_alone_weight: params.wide_alone_weight.unwrap_or(0.0),
            tag_weights: TagWeights {
                absent: params.absent_weight,
                rejected: params.rejected_weight,
            },
        }
    }

    /// The weights to validate and keep: the moving average when there is one, else the current
    /// weights. Averaging over the last few hundred steps smooths out the noise of single steps,
    /// so it generalises better and its validation score moves less from epoch to epoch (which is
    /// what early stopping reads).
    pub fn averaged(&self) -> &Network<f32> {
        self.ema.as_ref().unwrap_or(&self.net)
    }

    /// Sets the learning-rate multiplier for the following steps (schedules).
    pub fn set_lr_scale(&mut self, scale: f32) {
        self.adam.lr_scale = scale;
    }

    /// Forward, backward and an Adam update on one batch; returns the batch's mean loss.
    ///
    /// The batch is split round-robin into one shard per thread (a length-sorted batch so gets
    /// near-equal work per shard); shard gradients are summed in shard order, so the result depends
    /// on the thread count but never on scheduling. `dropout_seed` seeds every shard's dropout mask.
    pub fn step(&mut self, items: &[Item], dropout_seed: u64) -> f64 {
        let tags = self.net.architecture().tags;
        let n = self.shards.len().min(items.len());
        let labelled = items.iter().filter(|it| it.quality.is_some()).count();
        // Loss = mean over the batch's (item, tag) terms + quality_weight · mean over labelled items;
        // each shard scales by the whole batch's counts so shard gradients add up to the batch's.
        let tag_scale = 1.0 / (items.len() * tags) as f32;
        let quality_scale = self.quality_weight / labelled.max(1) as f32;
        let parts: Vec<Batch<f32>> = (0..n)
            .map(|s| {
                let shard = items.iter().skip(s).step_by(n).copied().collect();
                Batch::weighted(shard, tags, self.tag_weights)
            })
            .collect();
        let (net, dropout, token_dropout) = (&self.net, self.dropout, self.token_dropout);
        let wide_alone = self.wide_alone_weight;
        let run = |s: usize, shard: &mut Shard| {
            shard.grad.fill_zero();
            let mut rng = ChaCha8Rng::seed_from_u64(dropout_seed.wrapping_add(s as u64));
            let dropout = Dropout {
                pooled: dropout,
                tokens: token_dropout,
                rng: &mut rng,
            };
            net.forward(&parts[s], &mut shard.ws, Some(dropout));
            let scales = LossScales {
                tags: tag_scale,
                quality: quality_scale,
                wide_alone: tag_scale * wide_alone,
            };
            net.backward(&parts[s], &mut shard.ws, scales, &mut shard.grad)
        };
        let loss = std::thread::scope(|scope| {
            let (first, rest) = self.shards[..n]
                .split_first_mut()
                .expect("at least one shard");
            let handles: Vec<_> = rest
                .iter_mut()
                .enumerate()
                .map(|(s, shard)| scope.spawn(move || run(s + 1, shard)))
                .collect();
            let mut loss = run(0, first);
            for h in handles {
                loss += h.join().expect("training thread panicked");
            }
            loss
        });
        let (first, rest) = self.shards.split_first_mut().expect("at least one shard");
        for shard in &rest[..n - 1] {
            for (g, (_, _, o)) in first
                .grad
                .slices_mut()
                .into_iter()
                .zip(shard.grad.tensors())
            {
                g.iter_mut().zip(o).for_each(|(g, &o)| *g += o);
            }
        }
        clip_global_norm(&mut first.grad, self.clip_norm);
        self.adam.update(&mut self.net, &first.grad);
        self.steps += 1;
        if let Some(ema) = &mut self.ema {
            // The decay ramps up over the first steps (as in TensorFlow's moving averages), so the
            // average does not hold on to the random initialisation.
            let t = self.steps as f32;
            let d = self.ema_decay.min((1.0 + t) / (10.0 + t));
            for (e, (_, _, w)) in ema.slices_mut().into_iter().zip(self.net.tensors()) {
                e.iter_mut()
                    .zip(w)
                    .for_each(|(e, &w)| *e = d * *e + (1.0 - d) * w);
            }
        }
        loss
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_moving_average_starts_near_the_new_weights_and_lags_behind() {
        let arch = Architecture {
            vocab: 6,
            embedding: 2,
            hidden: 3,
            layers: 1,
            tags: 2,
            wide: true,
            wide_buckets: 4,
        };
        let net = Network::init(arch, &mut ChaCha8Rng::seed_from_u64(3));
        let params = ClassifierParams::default().threads(1).ema_decay(0.5);
        let mut trainer = Trainer::new(net.clone(), &params);
        let items = vec![
            Item::new(&[3, 4, 5], &[1], None),
            Item::new(&[2], &[0], None),
        ];
        trainer.step(&items, 1);
        // First step: the decay is min(0.5, 2/11), so the average is mostly the new weights.
        let d = 2.0f32 / 11.0;
        let (old, new) = (&net.tags.w, &trainer.net.tags.w);
        let expected = old * d + new * (1.0 - d);
        let got = &trainer.averaged().tags.w;
        assert!(old != new, "the step moved the weights");
        assert!(got.iter().zip(&expected).all(|(a, b)| (a - b).abs() < 1e-6));
        let off = Trainer::new(net, &params.ema_decay(0.0));
        assert!(
            std::ptr::eq(off.averaged(), &off.net),
            "no average when off"
        );
    }
}
