//! The whole network: Embedding → LSTM × layers → masked mean+max pooling → dropout → two dense
//! heads (tags, quality), plus an optional linear bag-of-words ("wide") path added to the tag
//! logits, with forward and backward passes over one time-major batch (shard).
use super::Float;
use super::layers::{bow, dense::Dense, embedding, loss, lstm, lstm::Lstm, pooling};
use ndarray::{Array1, Array2, Axis, s};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The sizes that define a network's tensors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Architecture {
    /// Vocabulary size (rows of the embedding table).
    pub vocab: usize,
    /// Embedding width.
    pub embedding: usize,
    /// LSTM hidden size (every layer).
    pub hidden: usize,
    /// Number of stacked LSTM layers.
    pub layers: usize,
    /// Number of output tags.
    pub tags: usize,
    /// Whether a linear bag-of-words path (`[vocab + wide_buckets, tags]`) adds to the tag logits.
    #[serde(default)]
    pub wide: bool,
    /// Hashed-bigram rows of the bag-of-words path (0 = words only).
    #[serde(default)]
    pub wide_buckets: usize,
}

#[cfg(test)]
impl Architecture {
    /// One unit everywhere and no bag-of-words path: tensors for tests of the optimiser and the
    /// training bookkeeping, which need shapes but no learning.
    pub(crate) fn smallest(vocab: usize) -> Self {
        Self {
            vocab,
            embedding: 1,
            hidden: 1,
            layers: 1,
            tags: 1,
            wide: false,
            wide_buckets: 0,
        }
    }
}

impl Architecture {
    /// Width of the pooled feature vector the heads read: mean and max of the top LSTM layer,
    /// then mean and max of the embeddings (a skip connection: the heads see the bag of words
    /// directly, so word evidence is learned in the first epoch, while the LSTM adds context).
    pub fn features(&self) -> usize {
        2 * (self.hidden + self.embedding)
    }
}

/// All weights of the network — or, with the same shape, their gradients or Adam's moments.
#[derive(Debug, Clone, PartialEq)]
pub struct Network<F> {
    /// `[vocab, embedding]`.
    pub embedding: Array2<F>,
    /// The stacked LSTM layers, bottom first.
    pub lstm: Vec<Lstm<F>>,
    /// `[2·hidden → tags]`.
    pub tags: Dense<F>,
    /// `[2·hidden → 1]`, the predicted-quality head.
    pub quality: Dense<F>,
    /// `[vocab + wide_buckets, tags]`, the bag-of-words path; `[0, tags]` when the architecture
    /// has none.
    pub wide: Array2<F>,
    /// The idf weight of each row of `wide`: a constant computed from the training set (see
    /// [`bow::idf`]), so it is not among [`Network::tensors`] (which are trained) but among
    /// [`Network::constants`]. All ones until set.
    pub wide_idf: Array1<F>,
}

impl<F: Float> Network<F> {
    /// All-zero tensors of the given architecture.
    pub fn zeros(arch: Architecture) -> Self {
        let lstm = (0..arch.layers)
            .map(|l| {
                Lstm::zeros(
                    if l == 0 { arch.embedding } else { arch.hidden },
                    arch.hidden,
                )
            })
            .collect();
        let wide_rows = if arch.wide {
            arch.vocab + arch.wide_buckets
        } else {
            0
        };
        Network {
            embedding: Array2::zeros((arch.vocab, arch.embedding)),
            lstm,
            tags: Dense::zeros(arch.features(), arch.tags),
            quality: Dense::zeros(arch.features(), 1),
            wide: Array2::zeros((wide_rows, arch.tags)),
            wide_idf: Array1::ones(wide_rows),
        }
    }

    /// Random initialisation: small uniform embeddings, Glorot-uniform input and dense weights,
    /// `±1/√H` recurrent weights, and a forget-gate bias of 1 so early gradients flow through time.
    /// The bag-of-words path starts at zero, as logistic regression does.
    pub fn init(arch: Architecture, rng: &mut impl Rng) -> Self {
        let mut net = Self::zeros(arch);
        let mut fill =
            |a: &mut Array2<F>, limit: f64| a.mapv_inplace(|_| F::of(rng.gen_range(-limit..limit)));
        fill(&mut net.embedding, 0.1);
        for layer in &mut net.lstm {
            let (input, four_h) = layer.w_x.dim();
            fill(&mut layer.w_x, (6.0 / (input + four_h) as f64).sqrt());
            fill(&mut layer.w_h, 1.0 / (arch.hidden as f64).sqrt());
            layer
                .b
                .slice_mut(s![arch.hidden..2 * arch.hidden])
                .fill(F::one());
        }
        fill(
            &mut net.tags.w,
            (6.0 / (arch.features() + arch.tags) as f64).sqrt(),
        );
        fill(
            &mut net.quality.w,
            (6.0 / (arch.features() + 1) as f64).sqrt(),
        );
        net
    }

    /// The architecture these tensors have.
    pub fn architecture(&self) -> Architecture {
        Architecture {
            vocab: self.embedding.nrows(),
            embedding: self.embedding.ncols(),
            hidden: self.lstm[0].hidden(),
            layers: self.lstm.len(),
            tags: self.tags.b.len(),
            wide: self.wide.nrows() > 0,
            wide_buckets: self.wide.nrows().saturating_sub(self.embedding.nrows()),
        }
    }

    /// Every tensor with a stable name and its shape, in a fixed order.
    pub fn tensors(&self) -> Vec<(String, Vec<usize>, &[F])> {
        let mut out = vec![tensor("embedding", &self.embedding)];
        for (l, layer) in self.lstm.iter().enumerate() {
            out.push(tensor(&format!("lstm.{l}.w_x"), &layer.w_x));
            out.push(tensor(&format!("lstm.{l}.w_h"), &layer.w_h));
            out.push(tensor(&format!("lstm.{l}.b"), &layer.b));
        }
        out.push(tensor("tags.w", &self.tags.w));
        out.push(tensor("tags.b", &self.tags.b));
        out.push(tensor("quality.w", &self.quality.w));
        out.push(tensor("quality.b", &self.quality.b));
        if self.wide.nrows() > 0 {
            out.push(tensor("wide.w", &self.wide));
        }
        out
    }

    /// The constants (not trained, but saved with the weights): the bag-of-words idf weights when
    /// there is a bag-of-words path.
    pub fn constants(&self) -> Vec<(String, Vec<usize>, &[F])> {
        if self.wide.nrows() > 0 {
            vec![tensor("wide.idf", &self.wide_idf)]
        } else {
            Vec::new()
        }
    }

    /// Every constant as a mutable slice, in the order of [`Network::constants`].
    pub fn constants_mut(&mut self) -> Vec<&mut [F]> {
        if self.wide.nrows() > 0 {
            vec![self.wide_idf.as_slice_mut().expect("contiguous")]
        } else {
            Vec::new()
        }
    }

    /// Every tensor as a mutable slice, in the order of [`Network::tensors`].
    pub fn slices_mut(&mut self) -> Vec<&mut [F]> {
        let mut out = vec![self.embedding.as_slice_mut().expect("contiguous")];
        for layer in &mut self.lstm {
            out.push(layer.w_x.as_slice_mut().expect("contiguous"));
            out.push(layer.w_h.as_slice_mut().expect("contiguous"));
            out.push(layer.b.as_slice_mut().expect("contiguous"));
        }
        out.push(self.tags.w.as_slice_mut().expect("contiguous"));
        out.push(self.tags.b.as_slice_mut().expect("contiguous"));
        out.push(self.quality.w.as_slice_mut().expect("contiguous"));
        out.push(self.quality.b.as_slice_mut().expect("contiguous"));
        if self.wide.nrows() > 0 {
            out.push(self.wide.as_slice_mut().expect("contiguous"));
        }
        out
    }

    /// Sets every entry to zero, keeping the allocations.
    pub fn fill_zero(&mut self) {
        for s in self.slices_mut() {
            s.fill(F::zero());
        }
    }
}

fn tensor<'a, F: Float, D: ndarray::Dimension>(
    name: &str,
    a: &'a ndarray::Array<F, D>,
) -> (String, Vec<usize>, &'a [F]) {
    (
        name.to_string(),
        a.shape().to_vec(),
        a.as_slice().expect("contiguous"),
    )
}

/// The weights of the loss terms in [`Network::backward`].
#[derive(Debug, Clone, Copy)]
pub struct LossScales<F> {
    /// Each tag term of the BCE of the whole network's tag logits.
    pub tags: F,
    /// Each labelled quality term.
    pub quality: F,
    /// Each tag term of the BCE of the bag-of-words path alone (plus the tag bias); 0 = off.
    pub wide_alone: F,
}

/// Dropout rates for a training forward pass, with the generator that draws the masks.
pub struct Dropout<'a> {
    /// Rate on the pooled feature vector.
    pub pooled: f64,
    /// Rate of whole tokens dropped from the embedded input.
    pub tokens: f64,
    /// Source of the masks.
    pub rng: &'a mut dyn rand::RngCore,
}

/// One training example as a batch takes it.
#[derive(Debug, Clone, Copy)]
pub struct Item<'a> {
    /// Token ids.
    pub ids: &'a [u32],
    /// Gold tag indices.
    pub tags: &'a [usize],
    /// Tag indices confirmed absent (a moderator rejected them): their negative terms weigh
    /// [`TagWeights::rejected`].
    pub rejected: &'a [usize],
    /// Quality label, `None` when unknown.
    pub quality: Option<bool>,
}

impl<'a> Item<'a> {
    /// An item with no rejected tags.
    pub fn new(ids: &'a [u32], tags: &'a [usize], quality: Option<bool>) -> Self {
        Item {
            ids,
            tags,
            rejected: &[],
            quality,
        }
    }
}

/// The weights of the negative tag terms in the loss; a positive term always weighs 1.
///
/// Authors tag incompletely, so a tag a topic lacks is only probably wrong (`absent`), while a
/// tag a moderator rejected is known to be wrong (`rejected`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TagWeights {
    /// A tag the topic does not carry.
    pub absent: f64,
    /// A tag rejected for the topic.
    pub rejected: f64,
}

impl Default for TagWeights {
    /// Every term weighs 1: plain binary cross-entropy.
    fn default() -> Self {
        TagWeights {
            absent: 1.0,
            rejected: 1.0,
        }
    }
}

/// A batch (or shard of one) in the layout the layers want: time-major token ids with sequences
/// sorted longest first, plus targets (`-1` = no label).
#[derive(Debug, Clone)]
pub struct Batch<F> {
    /// `tokens[t · batch + b]`; padding is 0.
    pub tokens: Vec<u32>,
    /// Sequence lengths, longest first, each ≥ 1.
    pub lengths: Vec<usize>,
    /// Real sequences per step.
    pub active: Vec<usize>,
    /// `[batch, tags]` in {0, 1}.
    pub targets: Array2<F>,
    /// `[batch, 1]` in {0, 1}, or -1 where the example has no quality label.
    pub quality: Array2<F>,
    /// `[batch, tags]` weight of each tag term, `None` when every term weighs 1.
    pub weights: Option<Array2<F>>,
    /// `order[b]` = position of row `b`'s item in the list given to [`Batch::new`].
    pub order: Vec<usize>,
}

impl<F: Float> Batch<F> {
    /// Builds a batch from items with every tag term weighing 1 (see [`Batch::weighted`]).
    pub fn new(items: Vec<Item>, tags: usize) -> Self {
        Self::weighted(items, tags, TagWeights::default())
    }

    /// Builds a batch from items, weighting the negative tag terms by `weights`; items are
    /// re-sorted longest first, and empty sequences are given one `<unk>` so every sequence has a
    /// step to pool.
    pub fn weighted(items: Vec<Item>, tags: usize, weights: TagWeights) -> Self {
        let mut order: Vec<usize> = (0..items.len()).collect();
        // Stable, so equal lengths keep their given order and results stay deterministic.
        order.sort_by_key(|&i| std::cmp::Reverse(items[i].ids.len()));
        let items: Vec<Item> = order.iter().map(|&i| items[i]).collect();
        let batch = items.len();
        let lengths: Vec<usize> = items.iter().map(|it| it.ids.len().max(1)).collect();
        let steps = lengths.first().copied().unwrap_or(0);
        let mut tokens = vec![super::vocab::PAD; steps * batch];
        let mut targets = Array2::zeros((batch, tags));
        let mut quality = Array2::from_elem((batch, 1), -F::one());
        let rejections = items.iter().any(|it| !it.rejected.is_empty());
        let weighted = weights.absent != 1.0 || (rejections && weights.rejected != 1.0);
        let mut term_weights =
            weighted.then(|| Array2::from_elem((batch, tags), F::of(weights.absent)));
        for (b, item) in items.iter().enumerate() {
            for (t, &id) in item.ids.iter().enumerate() {
                tokens[t * batch + b] = id;
            }
            if item.ids.is_empty() {
                tokens[b] = super::vocab::UNK;
            }
            if let Some(w) = term_weights.as_mut() {
                for &k in item.rejected {
                    w[(b, k)] = F::of(weights.rejected);
                }
            }
            // A tag both given and rejected (a moderator changed their mind) counts as given.
            for &k in item.tags {
                targets[(b, k)] = F::one();
                if let Some(w) = term_weights.as_mut() {
                    w[(b, k)] = F::one();
                }
            }
            if let Some(q) = item.quality {
                quality[(b, 0)] = if q { F::one() } else { F::zero() };
            }
        }
        let active = super::layers::active_counts(&lengths);
        Batch {
            tokens,
            lengths,
            active,
            targets,
            quality,
            weights: term_weights,
            order,
        }
    }

    /// Number of sequences.
    pub fn size(&self) -> usize {
        self.lengths.len()
    }

    /// Number of real tokens.
    pub fn token_count(&self) -> usize {
        self.lengths.iter().sum()
    }
}

/// Reusable buffers for one batch shard; they only grow, so steady-state training never allocates.
#[derive(Debug, Default)]
pub struct Workspace<F> {
    emb: Array2<F>,
    caches: Vec<lstm::LstmCache<F>>,
    d_inputs: Vec<Array2<F>>,
    d_top: Array2<F>,
    pooled: Array2<F>,
    argmax: Array2<u32>,
    argmax_emb: Array2<u32>,
    token_keep: Vec<F>,
    d_emb_skip: Array2<F>,
    keep: Array2<F>,
    bags: bow::Bags<F>,
    /// Tag logits of the last forward pass, `[batch, tags]`.
    pub logits: Array2<F>,
    /// Quality logits of the last forward pass, `[batch, 1]`.
    pub quality: Array2<F>,
    d_logits: Array2<F>,
    d_quality: Array2<F>,
    d_pooled: Array2<F>,
    /// The bag-of-words path's share of `logits`, and the gradient it gets.
    wide_logits: Array2<F>,
    d_wide: Array2<F>,
    d_alone: Array2<F>,
}

fn ensure<F: Float>(a: &mut Array2<F>, rows: usize, cols: usize) {
    if a.dim() != (rows, cols) {
        if a.nrows() >= rows && a.ncols() == cols {
            return;
        }
        *a = Array2::zeros((rows, cols));
    }
}

impl<F: Float> Network<F> {
    /// Forward pass; the logits end up in `ws.logits` / `ws.quality`. With `Some(dropout)`, whole
    /// tokens and pooled features are dropped (inverted scaling, so inference needs no rescaling).
    pub fn forward(&self, batch: &Batch<F>, ws: &mut Workspace<F>, dropout: Option<Dropout>) {
        let arch = self.architecture();
        let (b, rows) = (batch.size(), batch.tokens.len());
        ensure(&mut ws.emb, rows, arch.embedding);
        ws.caches.resize_with(arch.layers, Default::default);
        let mut emb = ws.emb.slice_mut(s![..rows, ..]);
        embedding::forward(
            &self.embedding,
            &batch.tokens,
            &batch.active,
            b,
            emb.view_mut(),
        );
        let mut dropout = dropout;
        ws.token_keep.clear();
        ws.token_keep.resize(rows, F::one());
        if let Some(d) = dropout.as_mut().filter(|d| d.tokens > 0.0) {
            // Word dropout: a dropped token vanishes from both the LSTM input and the skip pooling,
            // so the model cannot lean on any single keyword.
            let scale = F::of(1.0 / (1.0 - d.tokens));
            for (k, mut row) in ws.token_keep.iter_mut().zip(emb.rows_mut()) {
                *k = if d.rng.gen_bool(d.tokens) {
                    F::zero()
                } else {
                    scale
                };
                row.mapv_inplace(|x| x * *k);
            }
        }
        for l in 0..arch.layers {
            let (below, here) = ws.caches.split_at_mut(l);
            let x = if l == 0 {
                ws.emb.slice(s![..rows, ..])
            } else {
                below[l - 1].output(rows)
            };
            lstm::forward(&self.lstm[l], x, &batch.active, b, &mut here[0]);
        }
        let lstm_width = 2 * arch.hidden;
        ws.pooled = Array2::zeros((b, arch.features()));
        let top = ws.caches[arch.layers - 1].output(rows);
        let (lstm_part, emb_part) = ws.pooled.view_mut().split_at(Axis(1), lstm_width);
        pooling::forward(top, &batch.lengths, b, lstm_part, &mut ws.argmax);
        let emb = ws.emb.slice(s![..rows, ..]);
        pooling::forward(emb, &batch.lengths, b, emb_part, &mut ws.argmax_emb);
        ws.keep = Array2::ones((b, arch.features()));
        if let Some(d) = dropout.filter(|d| d.pooled > 0.0) {
            let scale = F::of(1.0 / (1.0 - d.pooled));
            ws.keep.mapv_inplace(|_| {
                if d.rng.gen_bool(d.pooled) {
                    F::zero()
                } else {
                    scale
                }
            });
            ws.pooled.zip_mut_with(&ws.keep, |x, &k| *x = *x * k);
        }
        ws.logits = Array2::zeros((b, arch.tags));
        ws.wide_logits = Array2::zeros((b, arch.tags));
        ws.quality = Array2::zeros((b, 1));
        self.tags.forward(ws.pooled.view(), ws.logits.view_mut());
        if arch.wide {
            bow::forward(
                &self.wide,
                self.wide_idf.as_slice().expect("contiguous"),
                arch.vocab,
                &batch.tokens,
                &ws.token_keep,
                &batch.active,
                b,
                &mut ws.bags,
                ws.wide_logits.view_mut(),
            );
            ws.logits.zip_mut_with(&ws.wide_logits, |z, &w| *z = *z + w);
        }
        self.quality
            .forward(ws.pooled.view(), ws.quality.view_mut());
    }

    /// Backward pass after [`Network::forward`] on the same batch and workspace. Each term of the
    /// loss is weighted by its [`LossScales`] entry (the caller picks them so that shards of one
    /// batch add up to the batch's mean loss). Gradients are added to `grad`; returns the weighted
    /// loss.
    pub fn backward(
        &self,
        batch: &Batch<F>,
        ws: &mut Workspace<F>,
        scales: LossScales<F>,
        grad: &mut Network<F>,
    ) -> f64 {
        let LossScales {
            tags: tag_scale,
            quality: quality_scale,
            wide_alone,
        } = scales;
        let arch = self.architecture();
        let (b, rows) = (batch.size(), batch.tokens.len());
        ws.d_logits = Array2::zeros((b, arch.tags));
        ws.d_quality = Array2::zeros((b, 1));
        let weights = batch.weights.as_ref().map(Array2::view);
        let mut loss = loss::bce_with_logits(
            ws.logits.view(),
            batch.targets.view(),
            weights,
            tag_scale,
            ws.d_logits.view_mut(),
        );
        loss += loss::bce_with_logits(
            ws.quality.view(),
            batch.quality.view(),
            None,
            quality_scale,
            ws.d_quality.view_mut(),
        );
        if arch.wide {
            ws.d_wide = ws.d_logits.clone();
            if wide_alone > F::zero() {
                // The bag-of-words path (with the tag bias) is also scored on its own, as the
                // logistic regression it is: once the LSTM fits the training set, the joint loss
                // has little gradient left for it, and on small data sets that starves it.
                ws.d_alone = Array2::zeros((b, arch.tags));
                let alone = &ws.wide_logits + &self.tags.b;
                loss += loss::bce_with_logits(
                    alone.view(),
                    batch.targets.view(),
                    weights,
                    wide_alone,
                    ws.d_alone.view_mut(),
                );
                ws.d_wide.zip_mut_with(&ws.d_alone, |d, &a| *d = *d + a);
                let bias = grad.tags.b.as_slice_mut().expect("contiguous bias");
                super::layers::add_column_sums(ws.d_alone.view(), bias);
            }
            bow::backward(ws.d_wide.view(), &ws.bags, &mut grad.wide);
        }
        ws.d_pooled = Array2::zeros((b, arch.features()));
        self.tags.backward(
            ws.pooled.view(),
            ws.d_logits.view(),
            &mut grad.tags,
            ws.d_pooled.view_mut(),
        );
        self.quality.backward(
            ws.pooled.view(),
            ws.d_quality.view(),
            &mut grad.quality,
            ws.d_pooled.view_mut(),
        );
        ws.d_pooled.zip_mut_with(&ws.keep, |x, &k| *x = *x * k);
        ensure(&mut ws.d_top, rows, arch.hidden);
        let (d_lstm_part, d_emb_part) = ws.d_pooled.view().split_at(Axis(1), 2 * arch.hidden);
        pooling::backward(
            d_lstm_part,
            &batch.lengths,
            b,
            &ws.argmax,
            ws.d_top.slice_mut(s![..rows, ..]),
        );
        ensure(&mut ws.d_emb_skip, rows, arch.embedding);
        let d_skip = ws.d_emb_skip.slice_mut(s![..rows, ..]);
        pooling::backward(d_emb_part, &batch.lengths, b, &ws.argmax_emb, d_skip);
        ws.d_inputs.resize_with(arch.layers, Default::default);
        for l in (0..arch.layers).rev() {
            let input = if l == 0 { arch.embedding } else { arch.hidden };
            ensure(&mut ws.d_inputs[l], rows, input);
            let (below, here) = ws.caches.split_at_mut(l);
            let x = if l == 0 {
                ws.emb.slice(s![..rows, ..])
            } else {
                below[l - 1].output(rows)
            };
            let (d_in_below, d_in_here) = ws.d_inputs.split_at_mut(l + 1);
            let d_h = if l + 1 == arch.layers {
                ws.d_top.slice(s![..rows, ..])
            } else {
                d_in_here[0].slice(s![..rows, ..])
            };
            let d_x = d_in_below[l].slice_mut(s![..rows, ..]);
            lstm::backward(
                &self.lstm[l],
                x,
                &batch.active,
                b,
                &mut here[0],
                d_h,
                &mut grad.lstm[l],
                d_x,
            );
        }
        // The embeddings feed both the LSTM and the skip pooling: their gradients add.
        let mut d_emb = ws.d_inputs[0].slice_mut(s![..rows, ..]);
        d_emb.zip_mut_with(&ws.d_emb_skip.slice(s![..rows, ..]), |d, &k| *d = *d + k);
        for (mut row, &k) in d_emb.rows_mut().into_iter().zip(&ws.token_keep) {
            row.mapv_inplace(|x| x * k);
        }
        let d_emb = d_emb.view();
        embedding::backward(d_emb, &batch.tokens, &batch.active, b, &mut grad.embedding);
        loss
    }

    /// Tag probabilities and quality probability of the last forward pass, per sequence **in the
    /// batch's (length-sorted) order**.
    pub fn probabilities(ws: &Workspace<F>) -> (Array2<F>, Vec<F>) {
        let tags = ws.logits.mapv(loss::sigmoid);
        let quality = ws
            .quality
            .index_axis(Axis(1), 0)
            .iter()
            .map(|&z| loss::sigmoid(z))
            .collect();
        (tags, quality)
    }
}
