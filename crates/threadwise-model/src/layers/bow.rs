//! The "wide" path: a linear TF-IDF bag-of-words from token ids straight to the tag logits.
//!
//! Each sequence becomes the bag of its kept tokens and (when the table has rows past the
//! vocabulary) of its hashed bigrams of adjacent kept tokens. A feature seen `tf` times gets the
//! value `(1 + ln tf) · idf`, and the vector is L2-normalised — the TF-IDF of the reference baseline
//! (sublinear tf, smooth idf, unit norm). Its logits are the weighted sum of those features' rows of
//! `[vocab + buckets, tags]`. That is one-vs-rest logistic regression on words, trained jointly with
//! the LSTM: word evidence a linear model finds at once, the LSTM only has to add context to. The
//! idf weights are constants computed once from the training set ([`idf`]), not trained.
use super::Float;
use ndarray::{Array2, ArrayView2, ArrayViewMut2};

/// The bags of one batch, kept from forward for backward; buffers only grow.
#[derive(Debug, Default)]
pub struct Bags<F> {
    /// Distinct feature rows of every sequence, concatenated.
    ids: Vec<u32>,
    /// The normalised TF-IDF value of each entry of `ids`.
    values: Vec<F>,
    /// `ids[start[b]..start[b + 1]]` are sequence `b`'s (`start` begins at 0 once filled).
    start: Vec<usize>,
}

/// The table row of the bigram `(a, b)`: `vocab` plus a hash into `buckets` rows. A fixed
/// multiplicative hash, so the same text always lands in the same rows.
pub fn bigram_row(a: u32, b: u32, vocab: usize, buckets: usize) -> u32 {
    let h = (u64::from(a) << 32 | u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (vocab + ((h >> 32) as usize % buckets)) as u32
}

/// Pushes the feature rows of one token sequence (words, then bigrams of adjacent tokens when
/// there are buckets), with repeats.
fn features_of(ids: &[u32], vocab: usize, buckets: usize, out: &mut Vec<u32>) {
    out.extend_from_slice(ids);
    if buckets > 0 {
        out.extend(
            ids.windows(2)
                .map(|w| bigram_row(w[0], w[1], vocab, buckets)),
        );
    }
}

/// Smooth inverse document frequencies of every table row over the training sequences,
/// `ln((1 + n) / (1 + df)) + 1` (scikit-learn's `smooth_idf`): rare words and bigrams weigh more,
/// ones in every document weigh 1. Rows no sequence has get the largest value; they are never
/// trained, so it does not matter.
pub fn idf<F: Float>(seqs: &[Vec<u32>], vocab: usize, rows: usize) -> Vec<F> {
    let buckets = rows.saturating_sub(vocab);
    let mut df = vec![0u32; rows];
    let mut scratch = Vec::new();
    for seq in seqs {
        scratch.clear();
        features_of(seq, vocab, buckets, &mut scratch);
        scratch.sort_unstable();
        scratch.dedup();
        for &f in &scratch {
            df[f as usize] += 1;
        }
    }
    let n = seqs.len() as f64;
    df.iter()
        .map(|&d| F::of(((1.0 + n) / (1.0 + f64::from(d))).ln() + 1.0))
        .collect()
}

/// Builds the bags (tokens whose `keep` is zero — word dropout — are left out, and so are the
/// bigrams they are part of) and *adds* their logits to `out` (`[batch, tags]`). Token ids are
/// below `vocab`; table rows from `vocab` on are bigram buckets; `idf` has one entry per table row.
/// `tokens`/`keep` are time-major, `active` as in the layers.
#[expect(
    clippy::too_many_arguments,
    reason = "the batch, its lookups and the output buffers of one hot loop"
)]
pub fn forward<F: Float>(
    table: &Array2<F>,
    idf: &[F],
    vocab: usize,
    tokens: &[u32],
    keep: &[F],
    active: &[usize],
    batch: usize,
    bags: &mut Bags<F>,
    mut out: ArrayViewMut2<F>,
) {
    debug_assert_eq!(idf.len(), table.nrows(), "one idf weight per table row");
    bags.clear();
    let buckets = table.nrows().saturating_sub(vocab);
    let (mut run, mut scratch) = (Vec::new(), Vec::new());
    for b in 0..batch {
        scratch.clear();
        run.clear();
        // Runs of kept tokens: a dropped token breaks the bigrams through it.
        for (t, _) in active.iter().enumerate().take_while(|&(_, &n)| n > b) {
            let r = t * batch + b;
            if keep[r] == F::zero() {
                features_of(&run, vocab, buckets, &mut scratch);
                run.clear();
            } else {
                run.push(tokens[r]);
            }
        }
        features_of(&run, vocab, buckets, &mut scratch);
        bags.push(&mut scratch, idf);
        let (ids, values) = bags.bag(b);
        let mut row = out.row_mut(b);
        for (&id, &w) in ids.iter().zip(values) {
            row.zip_mut_with(&table.row(id as usize), |o, &x| *o = *o + w * x);
        }
    }
}

impl<F: Float> Bags<F> {
    /// The bags of whole sequences (nothing dropped): the design matrix of the bag-of-words
    /// path's own logistic regression (`model::logistic`). `idf` has one entry per table row.
    pub fn of_sequences(seqs: &[Vec<u32>], vocab: usize, idf: &[F]) -> Self {
        let buckets = idf.len().saturating_sub(vocab);
        let mut bags = Bags::default();
        bags.clear();
        let mut scratch = Vec::new();
        for seq in seqs {
            scratch.clear();
            features_of(seq, vocab, buckets, &mut scratch);
            bags.push(&mut scratch, idf);
        }
        bags
    }

    fn clear(&mut self) {
        self.ids.clear();
        self.values.clear();
        self.start.clear();
        self.start.push(0);
    }

    /// Appends the bag of `features` (feature rows with repeats; sorted here): each distinct row
    /// once, valued `(1 + ln tf) · idf`, the whole bag L2-normalised.
    fn push(&mut self, features: &mut [u32], idf: &[F]) {
        features.sort_unstable();
        let first = self.ids.len();
        let mut norm2 = 0.0;
        for chunk in features.chunk_by(|a, b| a == b) {
            let id = chunk[0];
            let v = (1.0 + (chunk.len() as f64).ln()) * idf[id as usize].f64();
            norm2 += v * v;
            self.ids.push(id);
            self.values.push(F::of(v));
        }
        if norm2 > 0.0 {
            let inv = F::of(1.0 / norm2.sqrt());
            self.values[first..].iter_mut().for_each(|v| *v = *v * inv);
        }
        self.start.push(self.ids.len());
    }

    /// Number of bags.
    pub fn len(&self) -> usize {
        self.start.len().saturating_sub(1)
    }

    /// Whether there are no bags.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bag `b`'s distinct feature rows and their values.
    pub fn bag(&self, b: usize) -> (&[u32], &[F]) {
        let range = self.start[b]..self.start[b + 1];
        (&self.ids[range.clone()], &self.values[range])
    }
}

/// Adds the table's gradient: each bag's rows get `value · d_out[b]` (a scatter-add).
pub fn backward<F: Float>(d_out: ArrayView2<F>, bags: &Bags<F>, grad: &mut Array2<F>) {
    for (b, d) in d_out.rows().into_iter().enumerate() {
        let (ids, values) = bags.bag(b);
        for (&id, &w) in ids.iter().zip(values) {
            grad.row_mut(id as usize)
                .zip_mut_with(&d, |g, &d| *g = *g + w * d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idf_weighs_rare_features_more_and_bags_are_unit_norm() {
        // Vocabulary of 4, 3 bigram buckets; token 3 is in every sequence, 2 in one.
        let seqs = vec![vec![3, 2, 3], vec![3], vec![3, 1]];
        let idf: Vec<f64> = idf(&seqs, 4, 7);
        assert!((idf[3] - 1.0).abs() < 1e-12, "in every document: idf 1");
        assert!((idf[2] - ((4.0f64 / 2.0).ln() + 1.0)).abs() < 1e-12);
        let table = Array2::from_shape_fn((7, 1), |(r, _)| r as f64);
        let (tokens, keep) = ([3u32, 2, 3], [1.0; 3]);
        let mut out = Array2::zeros((1, 1));
        let mut bags = Bags::default();
        forward(
            &table,
            &idf,
            4,
            &tokens,
            &keep,
            &[1, 1, 1],
            1,
            &mut bags,
            out.view_mut(),
        );
        let norm: f64 = bags.values.iter().map(|v| v * v).sum();
        assert!((norm - 1.0).abs() < 1e-12, "L2-normalised");
        // Token 3 appears twice: sublinear tf 1 + ln 2, times idf 1.
        let i3 = bags.ids.iter().position(|&i| i == 3).unwrap();
        let i2 = bags.ids.iter().position(|&i| i == 2).unwrap();
        let ratio = bags.values[i3] / bags.values[i2];
        assert!(
            (ratio - (1.0 + 2f64.ln()) / idf[2]).abs() < 1e-12,
            "{ratio}"
        );
    }
}
