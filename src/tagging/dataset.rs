//! Training data from the database: topics with their positive labels (active tags, human or
//! accepted suggestions) and negative ones (rejected suggestions), split deterministically by topic
//! id so every run is judged on the same held-out topics.
//!
//! The labelled topics' ids are read first (no text), then the topics themselves in pages of
//! [`BATCH_TOPICS`] ids, oldest first, into a [`Corpus`], which keeps token ids rather than text:
//! a retrain holds one page of titles and bodies at a time however big the forum is (issue 18).
//! Pages are cut from the id list rather than by an id range, so that a sample reads only its
//! own topics' text. Each page is fetched on the async side (the connection stays where sqlx
//! drives it) and tokenized on a blocking thread, the corpus moving there and back: nothing that
//! grows with the input runs on an async worker, and no second page is read before the first is
//! consumed.
//!
//! Past [`LoadOptions::max_train_topics`] training topics, a retrain learns from a recency-weighted
//! sample (and the validation and held-out splits are capped at an eighth of it each, their share
//! of a full split), drawn from the ids. Memory is then bounded by the sample, not the forum.
use std::collections::{BTreeMap, HashMap};

use crate::db;
use crate::db::Conn;
use crate::db::labels::{Label, LabelledTopic};
use crate::model::{Corpus, Example, Role};

/// Topics read per query: one page of text alive at a time.
pub const BATCH_TOPICS: usize = 1_000;

/// Training topics above which a retrain trains on a sample, unless configured otherwise.
pub const DEFAULT_MAX_TRAIN_TOPICS: usize = 50_000;

/// In a sample, the newest topic is this many times as likely to be drawn first as the oldest
/// (the weight grows geometrically with the topic's rank by id).
const RECENCY: f64 = 4.0;

/// Which split a topic belongs to; stable for a topic across runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    Train,
    /// Early stopping and threshold tuning.
    Valid,
    /// Never trained on: champion and challenger are compared here.
    HeldOut,
}

/// 10 % held out, 10 % validation, 80 % training, by a hash of the topic id (so a new topic does
/// not move old ones between splits).
pub fn split_of(topic_id: i64) -> Split {
    match splitmix64(topic_id as u64 ^ 0x9E37_79B9_7F4A_7C15) % 10 {
        0 => Split::HeldOut,
        1 => Split::Valid,
        _ => Split::Train,
    }
}

impl From<Split> for Role {
    fn from(split: Split) -> Self {
        match split {
            Split::Train => Role::Train,
            Split::Valid => Role::Valid,
            Split::HeldOut => Role::HeldOut,
        }
    }
}

/// How a retrain reads its data.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Topics per query.
    pub batch_topics: usize,
    /// Training topics kept at most (see the module documentation).
    pub max_train_topics: usize,
    /// Seed of the sample.
    pub seed: u64,
    /// Token ids kept per topic: at least the `max_len` of every model that reads the corpus.
    pub max_len: usize,
}

/// A sample instead of every labelled topic: `kept` of `of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Sample {
    pub kept: usize,
    pub of: usize,
}

impl std::fmt::Display for Sample {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "trained on a sample of {} of {} topics",
            self.kept, self.of
        )
    }
}

impl Sample {
    /// The sample recorded in a version's stored metrics (under `sample`), if any.
    pub fn of_stored(metrics: &str) -> Option<Sample> {
        let value: serde_json::Value = serde_json::from_str(metrics).ok()?;
        serde_json::from_value(value.get("sample")?.clone()).ok()
    }
}

#[derive(Debug)]
pub struct Dataset {
    /// The topics as token ids, by split ([`Role::Train`], [`Role::Valid`], [`Role::HeldOut`]),
    /// keyed by topic id.
    pub corpus: Corpus,
    /// Rejected suggestions: each is a tag known to be wrong for its topic (all labelled
    /// topics, sampled or not).
    pub negative_labels: usize,
    /// Labelled topics in the database.
    pub topics: usize,
    /// Set when the corpus holds a sample of them.
    pub sample: Option<Sample>,
    /// Queries for text run, and the most topics one returned.
    pub batches: usize,
    pub largest_batch: usize,
}

impl Dataset {
    /// Topics in the corpus.
    pub fn len(&self) -> usize {
        self.corpus.len()
    }

    pub fn is_empty(&self) -> bool {
        self.corpus.is_empty()
    }

    /// Tags with at least `min` training examples: what a run can learn.
    pub fn learnable_tags(&self, min: usize) -> usize {
        self.corpus
            .tag_counts(&[Role::Train])
            .values()
            .filter(|&&n| n >= min)
            .count()
    }
}

/// Why the data could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("reading the labelled topics: {0}")]
    Db(#[from] sqlx::Error),
    #[error("the thread building the training corpus failed: {0}")]
    Worker(#[from] tokio::task::JoinError),
}

/// Topics per tag in the training split, most first (tags with labels only elsewhere count 0):
/// a run learns exactly the tags with at least `min_tag_examples` of them, so the model page
/// counts what the model will know.
pub async fn training_examples_per_tag(conn: &mut Conn<'_>) -> sqlx::Result<Vec<(String, usize)>> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for label in db::labels::labels(conn).await? {
        if !label.positive {
            continue;
        }
        let train = split_of(label.topic_id) == Split::Train;
        *counts.entry(label.tag).or_default() += usize::from(train);
    }
    let mut counts: Vec<(String, usize)> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(counts)
}

/// Reads the labelled topics (a sample of them past `max_train_topics`) into a corpus, one page
/// at a time. A topic whose only labels are rejections still teaches the model what it is not:
/// it is included with no positive tags.
pub async fn load(conn: &mut Conn<'_>, options: &LoadOptions) -> Result<Dataset, LoadError> {
    let ids = db::labels::labelled_topic_ids(&mut *conn).await?;
    let negative_labels = db::labels::count_negative_labels(&mut *conn).await?;
    let topics = ids.len();
    let (ids, sampled) = tokio::task::spawn_blocking({
        let options = options.clone();
        move || match sample_of(&ids, &options) {
            Some(kept) => (kept, true),
            None => (ids, false),
        }
    })
    .await?;
    let mut dataset = Dataset {
        corpus: Corpus::new(options.max_len),
        negative_labels: usize::try_from(negative_labels).unwrap_or_default(),
        topics,
        sample: sampled.then_some(Sample {
            kept: ids.len(),
            of: topics,
        }),
        batches: 0,
        largest_batch: 0,
    };
    for page_ids in ids.chunks(options.batch_topics.max(1)) {
        let page = db::labels::labelled_topics_in(&mut *conn, page_ids).await?;
        let labels = db::labels::labels_in(&mut *conn, page_ids).await?;
        dataset.batches += 1;
        dataset.largest_batch = dataset.largest_batch.max(page.len());
        dataset = tokio::task::spawn_blocking(move || {
            add_page(&mut dataset.corpus, page, labels);
            dataset
        })
        .await?;
    }
    Ok(dataset)
}

/// Adds one page of topics with their labels to the corpus.
fn add_page(corpus: &mut Corpus, page: Vec<LabelledTopic>, labels: Vec<Label>) {
    let mut positives: HashMap<i64, Vec<String>> = HashMap::new();
    let mut rejected: HashMap<i64, Vec<String>> = HashMap::new();
    for label in labels {
        let of = if label.positive {
            &mut positives
        } else {
            &mut rejected
        };
        of.entry(label.topic_id).or_default().push(label.tag);
    }
    for topic in page {
        let example = Example {
            tags: positives.remove(&topic.id).unwrap_or_default(),
            rejected: rejected.remove(&topic.id).unwrap_or_default(),
            quality: Some(topic.score > 0 || topic.reply_count > 0),
            title: topic.title,
            body: topic.body,
        };
        corpus.push(split_of(topic.id).into(), topic.id, &example);
    }
}

/// The topics to read, oldest first, when a split is over its cap (`max_train_topics` for
/// training, an eighth of it for validation and held-out); `None` when every topic fits.
fn sample_of(ids: &[i64], options: &LoadOptions) -> Option<Vec<i64>> {
    let mut by_split: [Vec<i64>; 3] = Default::default();
    for &id in ids {
        let i = match split_of(id) {
            Split::Train => 0,
            Split::Valid => 1,
            Split::HeldOut => 2,
        };
        by_split[i].push(id);
    }
    let train_cap = options.max_train_topics.max(1);
    let caps = [train_cap, (train_cap / 8).max(1), (train_cap / 8).max(1)];
    if by_split.iter().zip(caps).all(|(s, cap)| s.len() <= cap) {
        return None;
    }
    let mut kept: Vec<i64> = by_split
        .iter_mut()
        .zip(caps)
        .flat_map(|(split, cap)| {
            split.sort_unstable();
            recency_sample(split, cap, options.seed)
        })
        .collect();
    kept.sort_unstable();
    Some(kept)
}

/// At most `cap` of `ids` (sorted, oldest first), drawn without replacement with weights that
/// grow with recency: weighted reservoir sampling (Efraimidis–Spirakis), each id keyed by
/// `u^(1/w)` (as `ln u / w`) with `u` uniform from a hash of the seed and the id, the `cap`
/// largest keys kept. Deterministic for the same ids and seed; every id when they fit.
pub fn recency_sample(ids: &[i64], cap: usize, seed: u64) -> Vec<i64> {
    if ids.len() <= cap {
        return ids.to_vec();
    }
    let last = (ids.len() - 1).max(1) as f64;
    let mut keyed: Vec<(f64, i64)> = ids
        .iter()
        .enumerate()
        .map(|(rank, &id)| {
            let weight = RECENCY.powf(rank as f64 / last);
            (unit(seed, id).ln() / weight, id)
        })
        .collect();
    keyed.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut kept: Vec<i64> = keyed[..cap].iter().map(|&(_, id)| id).collect();
    kept.sort_unstable();
    kept
}

/// A number in (0, 1) from a hash of `seed` and `id`.
fn unit(seed: u64, id: i64) -> f64 {
    let x = splitmix64(seed ^ (id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    ((x >> 11) as f64 + 0.5) / (1u64 << 53) as f64
}

/// splitmix64's finaliser: every input bit moves every output bit, so nearby ids (consecutive
/// topics) land far apart.
fn splitmix64(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_are_stable_and_roughly_ten_ten_eighty() {
        let splits: Vec<Split> = (1..=10_000).map(split_of).collect();
        let held = splits.iter().filter(|s| **s == Split::HeldOut).count();
        let valid = splits.iter().filter(|s| **s == Split::Valid).count();
        assert!((900..1100).contains(&held), "{held}");
        assert!((900..1100).contains(&valid), "{valid}");
        assert_eq!(split_of(1234), split_of(1234));
    }

    #[test]
    fn the_sample_cap_keeps_at_most_n_topics_and_prefers_recent_ones() {
        let ids: Vec<i64> = (1..=10_000).collect();
        let kept = recency_sample(&ids, 2_000, 7);
        assert_eq!(kept.len(), 2_000);
        assert!(kept.windows(2).all(|w| w[0] < w[1]), "sorted, no repeats");
        assert_eq!(kept, recency_sample(&ids, 2_000, 7), "deterministic");
        assert_ne!(kept, recency_sample(&ids, 2_000, 8), "seeded");
        let newer = kept.iter().filter(|&&id| id > 5_000).count();
        let older = kept.len() - newer;
        assert!(newer > older * 3 / 2, "newer {newer}, older {older}");
        let newest = kept.iter().filter(|&&id| id > 9_000).count();
        let oldest = kept.iter().filter(|&&id| id <= 1_000).count();
        assert!(newest > oldest * 2, "newest {newest}, oldest {oldest}");
        assert_eq!(
            recency_sample(&ids[..100], 2_000, 7),
            &ids[..100],
            "all fit"
        );
    }

    #[test]
    fn only_splits_over_their_cap_make_a_sample() {
        let ids: Vec<i64> = (1..=1_000).collect();
        let options = |max_train_topics| LoadOptions {
            batch_topics: 10,
            max_train_topics,
            seed: 7,
            max_len: 16,
        };
        assert!(sample_of(&ids, &options(1_000)).is_none());
        let kept = sample_of(&ids, &options(400)).expect("over the cap");
        let count = |split| kept.iter().filter(|&&id| split_of(id) == split).count();
        assert_eq!(count(Split::Train), 400);
        assert_eq!(count(Split::Valid), 50);
        assert_eq!(count(Split::HeldOut), 50);
    }
}
