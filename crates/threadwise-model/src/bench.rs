//! Speed measurement on random data, for `threadwise bench-model` and the criterion benchmarks.
use super::network::{Architecture, Batch, Network};
use super::trainer::{Item, Trainer};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use std::time::Instant;

/// A network shape plus the batch it is timed on.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct BenchShape {
    /// Tensor sizes.
    pub arch: Architecture,
    /// Tokens per sequence.
    pub seq: usize,
    /// Sequences per batch.
    pub batch: usize,
}

impl BenchShape {
    /// The seed's Keras reference, also run by `torch_lstm_bench.py`: vocab 10,000, embedding 16,
    /// two LSTM layers of 64, 20 tags, batch 32 × 100 tokens.
    pub fn seed() -> Self {
        BenchShape {
            arch: Architecture {
                vocab: 10_000,
                embedding: 16,
                hidden: 64,
                layers: 2,
                tags: 20,
                wide: false,
                wide_buckets: 0,
            },
            seq: 100,
            batch: 32,
        }
    }

    /// The default `threadwise train` network at full length: vocab 30,000, embedding 64, two
    /// LSTM layers of 128, 100 tags, batch 32 × 256 tokens.
    pub fn default_shape() -> Self {
        let p = super::ClassifierParams::default();
        BenchShape {
            arch: Architecture {
                vocab: p.max_vocab,
                embedding: p.embedding,
                hidden: p.hidden,
                layers: p.layers,
                tags: 100,
                wide: p.wide,
                wide_buckets: p.wide_buckets_for(100),
            },
            seq: p.max_len,
            batch: p.batch_size,
        }
    }
}

/// Random sequences (all of full length) with ~3 random gold tags each.
pub fn random_data(
    shape: &BenchShape,
    count: usize,
    seed: u64,
) -> (Vec<Vec<u32>>, Vec<Vec<usize>>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let seqs = (0..count)
        .map(|_| {
            (0..shape.seq)
                .map(|_| rng.gen_range(3..shape.arch.vocab as u32))
                .collect()
        })
        .collect();
    let tags = (0..count)
        .map(|_| {
            let mut t: Vec<usize> = (0..3).map(|_| rng.gen_range(0..shape.arch.tags)).collect();
            t.sort_unstable();
            t.dedup();
            t
        })
        .collect();
    (seqs, tags)
}

/// A trainer for `shape` with default optimiser settings.
pub fn trainer(shape: &BenchShape, threads: usize) -> Trainer {
    let net = Network::init(shape.arch, &mut ChaCha8Rng::seed_from_u64(1));
    Trainer::new(net, &super::ClassifierParams::default().threads(threads))
}

/// One single-post forward pass the way [`super::Classifier::predict`] does it (this thread's
/// kept workspace).
pub fn infer_single(net: &Network<f32>, seq: &[u32]) -> f32 {
    let batch = Batch::<f32>::new(vec![Item::new(seq, &[], None)], net.architecture().tags);
    super::classifier::with_workspace(|ws| {
        net.forward(&batch, ws, None);
        ws.logits[(0, 0)]
    })
}

/// What `bench-model` prints.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    /// The timed shape.
    pub shape: BenchShape,
    /// Threads used for training and batch inference.
    pub threads: usize,
    /// Median milliseconds per training step (forward, backward, clipping, Adam).
    pub train_step_ms: f64,
    /// Training sequences per second (batch / median step).
    pub train_seq_per_s: f64,
    /// Inference sequences per second on batches of `batch`.
    pub infer_seq_per_s: f64,
    /// Median milliseconds for one post of `seq` tokens.
    pub single_latency_ms: f64,
    /// Median milliseconds for one post of 256 tokens.
    pub single_latency_256_ms: f64,
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn time<T>(iters: usize, mut f: impl FnMut() -> T) -> f64 {
    let samples = (0..iters)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    median(samples)
}

/// Times `train_steps` training steps (after 3 warm-up steps), batch inference, and single-post
/// latency on random data.
pub fn run(shape: BenchShape, threads: usize, train_steps: usize) -> BenchReport {
    let (seqs, tags) = random_data(&shape, shape.batch, 3);
    let items: Vec<Item> = seqs
        .iter()
        .zip(&tags)
        .map(|(s, t)| Item::new(s, t, None))
        .collect();
    let mut trainer = trainer(&shape, threads);
    for i in 0..3 {
        trainer.step(&items, i);
    }
    let train_step_ms = time(train_steps, || trainer.step(&items, 7));
    let net = &trainer.net;
    let infer_ms = time(train_steps.max(5), || {
        super::classifier::infer(net, &seqs, threads)
    });
    let single_ms = time(200, || infer_single(net, &seqs[0]));
    let long: Vec<u32> = seqs[0].iter().cycle().take(256).copied().collect();
    let single_256_ms = time(200, || infer_single(net, &long));
    BenchReport {
        shape,
        threads,
        train_step_ms,
        train_seq_per_s: shape.batch as f64 / (train_step_ms / 1e3),
        infer_seq_per_s: shape.batch as f64 / (infer_ms / 1e3),
        single_latency_ms: single_ms,
        single_latency_256_ms: single_256_ms,
    }
}
