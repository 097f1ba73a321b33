//! The trained classifier as the forum uses it: predict, evaluate, inspect.
use super::Example;
use super::layers::loss::sigmoid;
use super::metrics::{self, Metrics, QualityMetrics};
use super::network::{Batch, Item, Network, Workspace};
use super::params::ClassifierParams;
use super::vocab::Vocabulary;
use super::warm::Start;
use ndarray::Array2;

/// A tag's suggestion threshold must be estimated from at least this many held-out predictions.
pub const MIN_SUGGEST_PREDICTED: usize = 3;
/// How sure the held-out scores must make a tag's suggestion precision: the Wilson lower bound
/// at this many standard deviations must reach the target (see
/// [`metrics::suggestion_thresholds`]).
pub const SUGGEST_CONFIDENCE_Z: f64 = 0.5;

/// A trained tag classifier. Immutable, `Send + Sync`: share it in an `Arc` across threads.
#[derive(Debug, Clone, PartialEq)]
pub struct Classifier {
    pub(crate) vocab: Vocabulary,
    pub(crate) tags: Vec<String>,
    pub(crate) thresholds: Vec<f32>,
    pub(crate) network: Network<f32>,
    pub(crate) params: ClassifierParams,
    pub(crate) metrics: Option<Metrics>,
    pub(crate) quality_trained: bool,
    /// The kept model's tag probabilities on its held-out share and their gold tags (or, after
    /// cross-fitting, every training example's probabilities from the fold model that did not
    /// see it), for suggestion thresholds at any precision target; `None` in models saved before
    /// they were kept (those suggest with the decision thresholds).
    pub(crate) held_out: Option<HeldOut>,
    /// `C` of the regression blended in, if any.
    pub(crate) logistic_c: Option<f64>,
    /// Whether training began warm from a champion or cold; `None` in older models.
    pub(crate) start: Option<Start>,
    /// Epochs its last cold training chose (a warm start inherits the champion's): what a
    /// fresh model needs on this data, for cross-fitting; `None` in older models.
    pub(crate) fit_epochs: Option<usize>,
}

/// Held-out tag probabilities `[items, tags]` and gold tag indices.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HeldOut {
    pub probs: Array2<f32>,
    pub gold: Vec<Vec<usize>>,
}

/// What the classifier says about one post.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// Tags at or above their threshold, plus always the most probable one, by confidence, highest first.
    pub tags: Vec<(String, f32)>,
    /// Probability that the topic gets a positive score or an answer; `None` when the training data
    /// had no quality labels.
    pub quality: Option<f32>,
}

impl Classifier {
    /// Tags above their threshold (plus the top-1) and the predicted quality of one post.
    pub fn predict(&self, title: &str, body: &str) -> Prediction {
        let (probs, quality) = self.run(title, body);
        let decided = metrics::decide(probs.view(), &self.thresholds);
        let mut tags: Vec<(String, f32)> = decided
            .iter()
            .enumerate()
            .filter(|&(_, &d)| d)
            .map(|(k, _)| (self.tags[k].clone(), probs[k]))
            .collect();
        tags.sort_by(|a, b| b.1.total_cmp(&a.1));
        Prediction {
            tags,
            quality: self.quality_trained.then_some(quality),
        }
    }

    /// The probability of every tag (in [`Classifier::tags`] order) and the predicted quality,
    /// from one pass of the network.
    pub fn scores(&self, title: &str, body: &str) -> (Vec<f32>, Option<f32>) {
        let (probs, quality) = self.run(title, body);
        (probs.to_vec(), self.quality_trained.then_some(quality))
    }

    /// A calibrated probability for tag `k` at score `p`: the share of held-out topics scoring
    /// at least `p` for the tag that carry it (at least the [`MIN_SUGGEST_PREDICTED`]
    /// highest-scoring ones); `None` without held-out scores or for an unknown tag.
    pub fn calibrated(&self, k: usize, p: f32) -> Option<f64> {
        let h = self.held_out.as_ref()?;
        if k >= h.probs.ncols() || h.probs.nrows() == 0 {
            return None;
        }
        let mut scored: Vec<(f32, bool)> = h
            .probs
            .column(k)
            .iter()
            .zip(&h.gold)
            .map(|(&s, g)| (s, g.contains(&k)))
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        let above = scored.iter().take_while(|s| s.0 >= p).count();
        let n = above.max(MIN_SUGGEST_PREDICTED).min(scored.len());
        let hits = scored[..n].iter().filter(|s| s.1).count();
        Some(hits as f64 / n as f64)
    }

    /// The probability of every tag, in [`Classifier::tags`] order.
    pub fn probabilities(&self, title: &str, body: &str) -> Vec<(String, f32)> {
        let (probs, _) = self.run(title, body);
        self.tags.iter().cloned().zip(probs).collect()
    }

    fn run(&self, title: &str, body: &str) -> (ndarray::Array1<f32>, f32) {
        let ids = self.vocab.encode(title, body, self.params.max_len);
        let batch = Batch::<f32>::new(vec![Item::new(&ids, &[], None)], self.tags.len());
        with_workspace(|ws| {
            self.network.forward(&batch, ws, None);
            let (probs, quality) = Network::probabilities(ws);
            (probs.row(0).to_owned(), quality[0])
        })
    }

    /// Tag probabilities `[items, tags]` and quality probabilities for many examples, batched
    /// and spread over the configured threads.
    pub fn probabilities_batch(&self, examples: &[Example]) -> (Array2<f32>, Vec<f32>) {
        let seqs: Vec<Vec<u32>> = examples
            .iter()
            .map(|e| self.vocab.encode(&e.title, &e.body, self.params.max_len))
            .collect();
        infer(&self.network, &seqs, self.params.threads)
    }

    /// Metrics on labelled examples under the data README's protocol; gold tags outside the
    /// classifier's tag space are ignored.
    pub fn evaluate(&self, examples: &[Example]) -> Metrics {
        let (probs, _) = self.probabilities_batch(examples);
        let gold = self.gold(examples);
        metrics::evaluate(probs.view(), &gold, &self.thresholds, &self.tags)
    }

    /// Tag metrics and, when the quality head was trained and the examples have quality labels,
    /// how well predicted quality separates and estimates them ([`metrics::quality_metrics`]),
    /// from one pass of the network.
    pub fn evaluate_with_quality(&self, examples: &[Example]) -> (Metrics, Option<QualityMetrics>) {
        let (probs, quality) = self.probabilities_batch(examples);
        let gold = self.gold(examples);
        let tags = metrics::evaluate(probs.view(), &gold, &self.thresholds, &self.tags);
        let labels: Vec<Option<bool>> = examples.iter().map(|e| e.quality).collect();
        (tags, self.quality_of(&quality, &labels))
    }

    /// Predicted quality against the examples' labels; `None` for a model whose quality head
    /// was never trained (its outputs mean nothing) or examples without labels.
    pub fn evaluate_quality(&self, examples: &[Example]) -> Option<QualityMetrics> {
        if !self.quality_trained {
            return None;
        }
        let (_, quality) = self.probabilities_batch(examples);
        let labels: Vec<Option<bool>> = examples.iter().map(|e| e.quality).collect();
        self.quality_of(&quality, &labels)
    }

    /// Predicted `quality` against `labels`; `None` for an untrained head or no labels.
    pub(crate) fn quality_of(
        &self,
        quality: &[f32],
        labels: &[Option<bool>],
    ) -> Option<QualityMetrics> {
        self.quality_trained
            .then(|| metrics::quality_metrics(quality, labels))
            .flatten()
    }

    /// Whether the quality head was trained (the training data had quality labels).
    pub fn quality_trained(&self) -> bool {
        self.quality_trained
    }

    pub(crate) fn gold(&self, examples: &[Example]) -> Vec<Vec<usize>> {
        gold_indices(examples, &self.tags)
    }

    /// The tags the classifier knows, in output order.
    pub fn tags(&self) -> &[String] {
        &self.tags
    }

    /// Per-tag decision thresholds, in [`Classifier::tags`] order.
    pub fn thresholds(&self) -> &[f32] {
        &self.thresholds
    }

    /// The same classifier with other decision thresholds (one per tag, in [`Classifier::tags`]
    /// order; a wrong count keeps the current ones).
    #[must_use]
    pub fn with_thresholds(mut self, thresholds: Vec<f32>) -> Self {
        if thresholds.len() == self.tags.len() {
            self.thresholds = thresholds;
        }
        self
    }

    /// Suggestion thresholds at a precision target (see [`metrics::suggestion_thresholds`]),
    /// estimated on the held-out scores with [`SUGGEST_CONFIDENCE_Z`]; `None` for models saved
    /// without held-out scores.
    pub fn suggestions(&self, target: f64) -> Option<metrics::Suggestions> {
        self.suggestions_at(target, SUGGEST_CONFIDENCE_Z)
    }

    /// [`Classifier::suggestions`] with the lower bound at `z` standard deviations (0 = the raw
    /// held-out precision), for experiments.
    pub fn suggestions_at(&self, target: f64, z: f64) -> Option<metrics::Suggestions> {
        self.held_out.as_ref().map(|h| {
            metrics::suggestion_thresholds(
                h.probs.view(),
                &h.gold,
                &self.tags,
                target,
                (MIN_SUGGEST_PREDICTED, z),
            )
        })
    }

    /// The same classifier without its held-out scores, as saved before they were kept (a
    /// smaller file; it then suggests with its decision thresholds).
    #[must_use]
    pub fn without_held_out(mut self) -> Self {
        self.held_out = None;
        self
    }

    /// Topics in the kept held-out scores (0 without them).
    pub fn held_out_items(&self) -> usize {
        self.held_out.as_ref().map_or(0, |h| h.probs.nrows())
    }

    /// Validation metrics measured at the end of training.
    pub fn metrics(&self) -> Option<&Metrics> {
        self.metrics.as_ref()
    }

    /// Whether training began warm from a champion or cold (`None` in models saved before it
    /// was recorded).
    pub fn start(&self) -> Option<&Start> {
        self.start.as_ref()
    }

    /// The hyper-parameters it was trained with.
    pub fn params(&self) -> &ClassifierParams {
        &self.params
    }

    /// The vocabulary size (special tokens included).
    pub fn vocab_size(&self) -> usize {
        self.vocab.len()
    }
}

/// Gold tag indices of each example within `tags` (which must be sorted).
pub(crate) fn gold_indices(examples: &[Example], tags: &[String]) -> Vec<Vec<usize>> {
    examples
        .iter()
        .map(|e| {
            let mut g: Vec<usize> = e
                .tags
                .iter()
                .filter_map(|t| tags.binary_search(t).ok())
                .collect();
            g.sort_unstable();
            g.dedup();
            g
        })
        .collect()
}

thread_local! {
    /// The inference buffers of this thread, kept between calls (single posts and batches): a
    /// fresh workspace costs a page fault per 4 KiB of LSTM cache on every call, which showed in
    /// `bench-model`'s batch inference. Scoped worker threads drop theirs when they end; the
    /// calling thread (the only one with `threads = 1`) keeps its own.
    static INFER_WORKSPACE: std::cell::RefCell<Workspace<f32>> =
        std::cell::RefCell::new(Workspace::default());
}

/// Runs `f` with this thread's inference workspace.
pub(crate) fn with_workspace<T>(f: impl FnOnce(&mut Workspace<f32>) -> T) -> T {
    INFER_WORKSPACE.with_borrow_mut(f)
}

/// The kept pool of `threads` inference threads, built on first use: threads spawned per call
/// would each start with an empty workspace and allocate it again (measured: a batch of 32
/// on two fresh threads ran at 0.64× one thread's speed).
fn pool(threads: usize) -> std::sync::Arc<rayon::ThreadPool> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    static POOLS: OnceLock<Mutex<HashMap<usize, Arc<rayon::ThreadPool>>>> = OnceLock::new();
    let mut pools = POOLS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    Arc::clone(pools.entry(threads).or_insert_with(|| {
        Arc::new(
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .thread_name(|i| format!("tagger-infer-{i}"))
                .build()
                .expect("an inference thread pool"),
        )
    }))
}

/// Batched inference: tag probabilities `[items, tags]` and quality probabilities, in input order.
pub(crate) fn infer(
    network: &Network<f32>,
    seqs: &[Vec<u32>],
    threads: usize,
) -> (Array2<f32>, Vec<f32>) {
    let (logits, quality) = infer_logits(network, seqs, threads);
    (
        logits.mapv(sigmoid),
        quality.into_iter().map(sigmoid).collect(),
    )
}

/// Batched inference in length-sorted batches of at most 64 (little padding), spread over
/// `threads`: tag logits `[items, tags]` and quality logits, in input order. A batch smaller
/// than `64 · threads` is split so that every thread gets a share; the threads are a kept pool
/// (see [`pool`]), so each one's workspace is already allocated from the calls before.
pub(crate) fn infer_logits(
    network: &Network<f32>,
    seqs: &[Vec<u32>],
    threads: usize,
) -> (Array2<f32>, Vec<f32>) {
    let tags = network.architecture().tags;
    let mut order: Vec<usize> = (0..seqs.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(seqs[i].len()));
    let threads = threads.max(1);
    let size = 64.min(seqs.len().div_ceil(threads)).max(1);
    let chunks: Vec<&[usize]> = order.chunks(size).collect();
    let run = |chunk: &&[usize]| {
        with_workspace(|ws| {
            let items = chunk
                .iter()
                .map(|&i| Item::new(&seqs[i], &[], None))
                .collect();
            let batch = Batch::<f32>::new(items, tags);
            network.forward(&batch, ws, None);
            batch
                .order
                .iter()
                .enumerate()
                .map(|(row, &pos)| {
                    (
                        chunk[pos],
                        ws.logits.row(row).to_owned(),
                        ws.quality[(row, 0)],
                    )
                })
                .collect::<Vec<_>>()
        })
    };
    let results: Vec<_> = if threads == 1 || chunks.len() == 1 {
        chunks.iter().flat_map(run).collect()
    } else {
        use rayon::prelude::*;
        pool(threads)
            .install(|| chunks.par_iter().map(run).collect::<Vec<_>>())
            .into_iter()
            .flatten()
            .collect()
    };
    let mut probs = Array2::zeros((seqs.len(), tags));
    let mut quality = vec![0.0; seqs.len()];
    for (i, p, q) in results {
        probs.row_mut(i).assign(&p);
        quality[i] = q;
    }
    (probs, quality)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::Architecture;
    use rand::{Rng, SeedableRng};

    #[test]
    fn batch_inference_scores_each_post_the_same_on_any_thread_count() {
        let arch = Architecture {
            vocab: 30,
            embedding: 4,
            hidden: 5,
            layers: 2,
            tags: 3,
            wide: true,
            wide_buckets: 8,
        };
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let net = Network::<f32>::init(arch, &mut rng);
        // 70 posts of 0–19 tokens: one thread takes two batches, three take a third each.
        let seqs: Vec<Vec<u32>> = (0..70)
            .map(|_| {
                let len = rng.gen_range(0..20);
                (0..len).map(|_| rng.gen_range(3..30)).collect()
            })
            .collect();
        let (one, one_quality) = infer_logits(&net, &seqs, 1);
        for threads in [2, 3] {
            let (many, quality) = infer_logits(&net, &seqs, threads);
            let close = |a: f32, b: f32| (a - b).abs() <= 1e-5 * (1.0 + a.abs());
            assert!(
                one.iter().zip(&many).all(|(&a, &b)| close(a, b)),
                "{threads} threads"
            );
            assert!(one_quality.iter().zip(&quality).all(|(&a, &b)| close(a, b)));
        }
        // In input order: the first post alone scores what it scores in the batch.
        let (alone, _) = infer_logits(&net, &seqs[..1], 1);
        assert!(
            alone
                .row(0)
                .iter()
                .zip(one.row(0))
                .all(|(a, b)| (a - b).abs() < 1e-5)
        );
    }
}
