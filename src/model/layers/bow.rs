//! The "wide" path: a linear bag-of-words from token ids straight to the tag logits.
//!
//! Each sequence becomes the set of its distinct kept tokens and (when the table has rows past
//! the vocabulary) of its hashed bigrams of adjacent kept tokens, each with weight `1/√n` (an
//! L2-normalised binary bag, like TF-IDF's sublinear, normalised counts); its logits are the
//! weighted sum of those features' rows of `[vocab + buckets, tags]`. That is one-vs-rest logistic regression
//! on words, trained jointly with the LSTM: word evidence a linear model finds at once, the LSTM
//! only has to add context to.
use super::Float;
use ndarray::{Array2, ArrayView2, ArrayViewMut2};

/// The bags of one batch, kept from forward for backward; buffers only grow.
#[derive(Debug, Default)]
pub struct Bags<F> {
    /// Distinct token ids of every sequence, concatenated.
    ids: Vec<u32>,
    /// `ids[start[b]..start[b + 1]]` are sequence `b`'s.
    start: Vec<usize>,
    /// `1/√n` per sequence.
    weight: Vec<F>,
}

/// The table row of the bigram `(a, b)`: `vocab` plus a hash into `buckets` rows. A fixed
/// multiplicative hash, so the same text always lands in the same rows.
pub fn bigram_row(a: u32, b: u32, vocab: usize, buckets: usize) -> u32 {
    let h = (u64::from(a) << 32 | u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (vocab + ((h >> 32) as usize % buckets)) as u32
}

/// Builds the bags (tokens whose `keep` is zero — word dropout — are left out, and so are the
/// bigrams they are part of) and *adds* their logits to `out` (`[batch, tags]`). Token ids are
/// below `vocab`; table rows from `vocab` on are bigram buckets. `tokens`/`keep` are time-major,
/// `active` as in the layers.
#[allow(clippy::too_many_arguments)]
pub fn forward<F: Float>(
    table: &Array2<F>,
    vocab: usize,
    tokens: &[u32],
    keep: &[F],
    active: &[usize],
    batch: usize,
    bags: &mut Bags<F>,
    mut out: ArrayViewMut2<F>,
) {
    bags.ids.clear();
    bags.start.clear();
    bags.weight.clear();
    let buckets = table.nrows().saturating_sub(vocab);
    let mut scratch = Vec::new();
    for b in 0..batch {
        scratch.clear();
        let mut prev: Option<u32> = None;
        for (t, _) in active.iter().enumerate().take_while(|&(_, &n)| n > b) {
            let r = t * batch + b;
            if keep[r] == F::zero() {
                prev = None;
                continue;
            }
            scratch.push(tokens[r]);
            if let Some(p) = prev.filter(|_| buckets > 0) {
                scratch.push(bigram_row(p, tokens[r], vocab, buckets));
            }
            prev = Some(tokens[r]);
        }
        scratch.sort_unstable();
        scratch.dedup();
        bags.start.push(bags.ids.len());
        bags.ids.extend_from_slice(&scratch);
        let w = if scratch.is_empty() {
            F::zero()
        } else {
            F::of(1.0 / (scratch.len() as f64).sqrt())
        };
        bags.weight.push(w);
        let mut row = out.row_mut(b);
        for &id in &scratch {
            row.zip_mut_with(&table.row(id as usize), |o, &x| *o = *o + w * x);
        }
    }
    bags.start.push(bags.ids.len());
}

/// Adds the table's gradient: each bag's rows get `weight · d_out[b]` (a scatter-add).
pub fn backward<F: Float>(d_out: ArrayView2<F>, bags: &Bags<F>, grad: &mut Array2<F>) {
    for (b, d) in d_out.rows().into_iter().enumerate() {
        let w = bags.weight[b];
        for &id in &bags.ids[bags.start[b]..bags.start[b + 1]] {
            grad.row_mut(id as usize)
                .zip_mut_with(&d, |g, &d| *g = *g + w * d);
        }
    }
}
