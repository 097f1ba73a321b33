//! Warm start: a retrain that begins from the champion's weights instead of random ones.
//!
//! The vocabulary is the champion's with the new data's frequent tokens appended (old ids keep
//! their rows: embeddings, bag-of-words words and the hashed bigrams of ids); the tag head keeps
//! the columns of tags that are still learnable, new tags get a cold column and dropped tags
//! disappear. Everything not copied is initialised as a cold start would be.
use super::classifier::Classifier;
use super::logistic::Logistic;
use super::network::{Architecture, Network};
use ndarray::s;
use serde::{Deserialize, Serialize};

/// How a fit began; stored with the model and in the forum's version metrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "start", rename_all = "snake_case")]
pub enum Start {
    /// From random weights; `reason` says why a given champion was not used (`None`: none given).
    Cold {
        /// Why the champion could not be the start.
        reason: Option<String>,
    },
    /// From the champion's weights.
    Warm {
        /// Tokens appended to the champion's vocabulary.
        new_tokens: usize,
        /// Tags the champion did not have.
        new_tags: usize,
        /// Tags of the champion no longer learnable, removed.
        dropped_tags: usize,
    },
}

impl Start {
    /// Whether this is a warm start.
    pub fn is_warm(&self) -> bool {
        matches!(self, Start::Warm { .. })
    }
}

/// Why `champion` cannot start a network of `arch` (`None`: it can). Vocabulary and tag counts
/// may differ; the layer sizes and the bag-of-words layout may not.
pub(crate) fn incompatibility(champion: &Classifier, arch: &Architecture) -> Option<String> {
    let old = champion.network.architecture();
    let pairs = [
        ("embedding", old.embedding, arch.embedding),
        ("hidden", old.hidden, arch.hidden),
        ("layers", old.layers, arch.layers),
        ("wide", usize::from(old.wide), usize::from(arch.wide)),
        (
            "wide_buckets",
            old.wide_buckets,
            if arch.wide { arch.wide_buckets } else { 0 },
        ),
    ];
    pairs
        .iter()
        .find(|(_, a, b)| a != b)
        .map(|(name, a, b)| format!("architecture changed: {name} {a} -> {b}"))
}

/// For each tag of `tags`, its column in the champion (`None`: a new tag).
pub(crate) fn tag_map(champion: &Classifier, tags: &[String]) -> Vec<Option<usize>> {
    tags.iter()
        .map(|t| champion.tags.binary_search(t).ok())
        .collect()
}

/// Copies the champion's weights into `net`, a cold-initialised network whose vocabulary extends
/// the champion's (same first rows) and whose tags map to the champion's by `map`.
pub(crate) fn transplant(champion: &Classifier, net: &mut Network<f32>, map: &[Option<usize>]) {
    let old = &champion.network;
    let (old_vocab, new_vocab) = (old.embedding.nrows(), net.embedding.nrows());
    assert!(
        old_vocab <= new_vocab,
        "the warm vocabulary extends the champion's"
    );
    net.embedding
        .slice_mut(s![..old_vocab, ..])
        .assign(&old.embedding);
    net.lstm.clone_from(&old.lstm);
    net.quality.clone_from(&old.quality);
    let buckets = old.wide.nrows().saturating_sub(old_vocab);
    for (j, i) in map.iter().enumerate() {
        let Some(i) = *i else { continue };
        net.tags.w.column_mut(j).assign(&old.tags.w.column(i));
        net.tags.b[j] = old.tags.b[i];
        if old.wide.nrows() > 0 {
            copy_wide_column(
                &old.wide,
                &mut net.wide,
                i,
                j,
                old_vocab,
                new_vocab,
                buckets,
            );
        }
    }
}

/// The regression's starting point: the prior, with the champion's bag-of-words columns (its
/// blended table, near the regression's optimum) for the tags it had.
pub(crate) fn logistic_start(
    champion: &Classifier,
    map: &[Option<usize>],
    mut prior: Logistic,
) -> Logistic {
    let old = &champion.network;
    let (old_vocab, new_vocab) = (old.embedding.nrows(), prior.w.nrows() - buckets_of(old));
    for (j, i) in map.iter().enumerate() {
        let Some(i) = *i else { continue };
        prior.b[j] = old.tags.b[i];
        copy_wide_column(
            &old.wide,
            &mut prior.w,
            i,
            j,
            old_vocab,
            new_vocab,
            buckets_of(old),
        );
    }
    prior
}

fn buckets_of(net: &Network<f32>) -> usize {
    net.wide.nrows().saturating_sub(net.embedding.nrows())
}

/// Column `i` of the old table into column `j` of the new: word rows by id, bucket rows (after
/// the words in both) by bucket.
fn copy_wide_column(
    old: &ndarray::Array2<f32>,
    new: &mut ndarray::Array2<f32>,
    i: usize,
    j: usize,
    old_vocab: usize,
    new_vocab: usize,
    buckets: usize,
) {
    new.slice_mut(s![..old_vocab, j])
        .assign(&old.slice(s![..old_vocab, i]));
    new.slice_mut(s![new_vocab..new_vocab + buckets, j])
        .assign(&old.slice(s![old_vocab..old_vocab + buckets, i]));
}
