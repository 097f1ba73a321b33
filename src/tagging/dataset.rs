//! Training data from the database: topics with their positive labels (active tags, human or
//! accepted suggestions) and negative ones (rejected suggestions), split deterministically by topic
//! id so every run is judged on the same held-out topics.
use std::collections::{BTreeMap, HashMap};

use sqlx::SqliteConnection;

use crate::db;
use crate::model::Example;

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
    let mut x = topic_id as u64 ^ 0x9E37_79B9_7F4A_7C15;
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^= x >> 31;
    match x % 10 {
        0 => Split::HeldOut,
        1 => Split::Valid,
        _ => Split::Train,
    }
}

#[derive(Debug, Default)]
pub struct Dataset {
    pub train: Vec<Example>,
    pub valid: Vec<Example>,
    pub held_out: Vec<Example>,
    /// Rejected suggestions: each is a tag known to be wrong for its topic.
    pub negative_labels: usize,
    /// Topics per tag (positives), over all splits.
    pub examples_per_tag: BTreeMap<String, usize>,
}

impl Dataset {
    pub fn len(&self) -> usize {
        self.train.len() + self.valid.len() + self.held_out.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Tags with at least `min` training examples: what a run can learn.
    pub fn learnable_tags(&self, min: usize) -> usize {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for e in &self.train {
            for t in &e.tags {
                *counts.entry(t).or_default() += 1;
            }
        }
        counts.values().filter(|&&n| n >= min).count()
    }
}

/// Topics per tag in the training split, most first (tags with labels only elsewhere count 0):
/// a run learns exactly the tags with at least `min_tag_examples` of them, so the model page
/// counts what the model will know.
pub async fn training_examples_per_tag(
    conn: &mut SqliteConnection,
) -> sqlx::Result<Vec<(String, usize)>> {
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

/// Reads every labelled topic. A topic whose only labels are rejections still teaches the model
/// what it is not: it is included with no positive tags.
pub async fn load(conn: &mut SqliteConnection) -> sqlx::Result<Dataset> {
    let topics = db::labels::labelled_topics(&mut *conn).await?;
    let labels = db::labels::labels(conn).await?;
    let mut positives: HashMap<i64, Vec<String>> = HashMap::new();
    let mut rejected: HashMap<i64, Vec<String>> = HashMap::new();
    let mut dataset = Dataset::default();
    for label in labels {
        if label.positive {
            *dataset
                .examples_per_tag
                .entry(label.tag.clone())
                .or_default() += 1;
            positives.entry(label.topic_id).or_default().push(label.tag);
        } else {
            dataset.negative_labels += 1;
            rejected.entry(label.topic_id).or_default().push(label.tag);
        }
    }
    for topic in topics {
        let example = Example {
            tags: positives.remove(&topic.id).unwrap_or_default(),
            rejected: rejected.remove(&topic.id).unwrap_or_default(),
            quality: Some(topic.score > 0 || topic.reply_count > 0),
            title: topic.title,
            body: topic.body,
        };
        match split_of(topic.id) {
            Split::Train => dataset.train.push(example),
            Split::Valid => dataset.valid.push(example),
            Split::HeldOut => dataset.held_out.push(example),
        }
    }
    Ok(dataset)
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
}
