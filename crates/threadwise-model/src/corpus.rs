//! The training data as token ids, built one example at a time.
//!
//! Holding every topic's title and Markdown body as `String`s made a retrain's memory grow with
//! the forum (issue 18). A [`Corpus`] takes one example at a time and keeps only what training
//! reads: each distinct token once (in its own dictionary of "raw" ids), per example the raw ids
//! cut exactly where [`Vocabulary::encode`] cuts, its tag indices, its quality label and its
//! role, and per raw id how often it occurs in the full (uncut) text of the training and the
//! validation examples. The caller drops each example's text after [`Corpus::push`].
//!
//! From those counts [`Corpus::vocabulary`] builds exactly the vocabulary that
//! [`Vocabulary::build`] builds over the same examples' titles and bodies, and
//! [`Corpus::encoded`] maps the raw ids through any vocabulary (the challenger's, or a
//! champion's for judging), so training and evaluation from a corpus give the same results as
//! from the examples themselves.
use super::classifier::{Classifier, infer};
use super::metrics::{self, Metrics, QualityMetrics};
use super::tokenizer::tokenize_into;
use super::train::Encoded;
use super::vocab::{PAD, SEP, UNK, Vocabulary};
use super::{Example, ModelError};
use std::collections::{BTreeMap, HashMap};

/// The raw ids of the special tokens: the same as their vocabulary ids. No text token can take
/// them: the tokenizer never emits `<pad>`, `<unk>` or `<sep>`, and vocabularies leave them out.
const RAW_SPECIALS: [&str; 3] = ["<pad>", "<unk>", "<sep>"];

/// What an example is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Trained on (and counted into the vocabulary).
    Train,
    /// Early stopping and threshold tuning (counted too: a refit on train and valid together
    /// needs their vocabulary).
    Valid,
    /// Never trained on: champion and challenger are judged here.
    HeldOut,
}

/// One example as ids.
#[derive(Debug, Clone)]
struct Entry {
    /// The caller's key (the forum's topic id).
    key: i64,
    role: Role,
    /// Raw token ids: title, [`SEP`], body, cut at the corpus's `max_len`.
    ids: Box<[u32]>,
    /// Indices into the corpus's tag names, in the example's order.
    tags: Box<[u32]>,
    rejected: Box<[u32]>,
    quality: Option<bool>,
    /// The quality baseline's features ([`crate::simple::features`]), read while the text is
    /// at hand.
    simple: [f32; crate::simple::FEATURES.len()],
}

/// Training examples as token ids: see the module documentation.
#[derive(Debug, Clone)]
pub struct Corpus {
    max_len: usize,
    /// Raw id → token; the first three are the special tokens.
    names: Vec<String>,
    ids: HashMap<String, u32>,
    /// Per raw id: occurrences in the full text of the [`Role::Train`] examples.
    train_counts: Vec<usize>,
    /// Per raw id: occurrences in the full text of the [`Role::Valid`] examples.
    valid_counts: Vec<usize>,
    tag_names: Vec<String>,
    tag_ids: HashMap<String, u32>,
    entries: Vec<Entry>,
    /// Reused between pushes.
    scratch: Vec<String>,
}

impl Corpus {
    /// An empty corpus whose examples are cut at `max_len` ids: training or evaluating with a
    /// `max_len` up to this one gives the same sequences as encoding the text.
    pub fn new(max_len: usize) -> Self {
        let names: Vec<String> = RAW_SPECIALS.iter().map(|s| s.to_string()).collect();
        let ids = names
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i as u32))
            .collect();
        Corpus {
            max_len,
            train_counts: vec![0; names.len()],
            valid_counts: vec![0; names.len()],
            names,
            ids,
            tag_names: Vec::new(),
            tag_ids: HashMap::new(),
            entries: Vec::new(),
            scratch: Vec::new(),
        }
    }

    /// The length examples are cut at.
    pub fn max_len(&self) -> usize {
        self.max_len
    }

    /// Adds one example under `key` (the caller's id for it, e.g. a topic id) for `role`.
    pub fn push(&mut self, role: Role, key: i64, example: &Example) {
        let mut ids = Vec::new();
        let mut tokens = std::mem::take(&mut self.scratch);
        for (i, text) in [&example.title, &example.body].into_iter().enumerate() {
            if i == 1 {
                ids.push(SEP);
            }
            tokens.clear();
            tokenize_into(text, &mut tokens);
            for token in tokens.drain(..) {
                let id = self.intern(token);
                match role {
                    Role::Train => self.train_counts[id as usize] += 1,
                    Role::Valid => self.valid_counts[id as usize] += 1,
                    Role::HeldOut => {}
                }
                if ids.len() < self.max_len {
                    ids.push(id);
                }
            }
        }
        ids.truncate(self.max_len);
        self.scratch = tokens;
        let tags = example.tags.iter().map(|t| self.tag(t)).collect();
        let rejected = example.rejected.iter().map(|t| self.tag(t)).collect();
        self.entries.push(Entry {
            key,
            role,
            ids: ids.into_boxed_slice(),
            tags,
            rejected,
            quality: example.quality,
            simple: crate::simple::features(example).map(|x| x as f32),
        });
    }

    fn intern(&mut self, token: String) -> u32 {
        if let Some(&id) = self.ids.get(&token) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(token.clone());
        self.ids.insert(token, id);
        self.train_counts.push(0);
        self.valid_counts.push(0);
        id
    }

    fn tag(&mut self, tag: &str) -> u32 {
        if let Some(&id) = self.tag_ids.get(tag) {
            return id;
        }
        let id = self.tag_names.len() as u32;
        self.tag_names.push(tag.to_string());
        self.tag_ids.insert(tag.to_string(), id);
        id
    }

    /// Examples in any of `roles`.
    pub fn count_in(&self, roles: &[Role]) -> usize {
        self.of(roles).count()
    }

    /// Examples in all roles.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Examples in `role`.
    pub fn count(&self, role: Role) -> usize {
        self.entries.iter().filter(|e| e.role == role).count()
    }

    /// Distinct tokens seen in any role.
    pub fn distinct_tokens(&self) -> usize {
        self.names.len() - RAW_SPECIALS.len()
    }

    /// The keys of the examples in `role`, in the order they were pushed.
    pub fn keys(&self, role: Role) -> impl Iterator<Item = i64> + '_ {
        self.entries
            .iter()
            .filter(move |e| e.role == role)
            .map(|e| e.key)
    }

    /// The role, tags and rejected tags of the first example pushed under `key`.
    pub fn labels_of(&self, key: i64) -> Option<(Role, Vec<&str>, Vec<&str>)> {
        let e = self.entries.iter().find(|e| e.key == key)?;
        let names = |ids: &[u32]| {
            ids.iter()
                .map(|&t| self.tag_names[t as usize].as_str())
                .collect()
        };
        Some((e.role, names(&e.tags), names(&e.rejected)))
    }

    fn of<'a>(&'a self, roles: &'a [Role]) -> impl Iterator<Item = &'a Entry> + 'a {
        self.entries.iter().filter(move |e| roles.contains(&e.role))
    }

    /// Examples per tag in `roles` (each example counts a tag once).
    pub fn tag_counts(&self, roles: &[Role]) -> BTreeMap<&str, usize> {
        let mut counts = BTreeMap::new();
        let mut seen = Vec::new();
        for e in self.of(roles) {
            seen.clear();
            seen.extend_from_slice(&e.tags);
            seen.sort_unstable();
            seen.dedup();
            for &t in &seen {
                *counts
                    .entry(self.tag_names[t as usize].as_str())
                    .or_default() += 1;
            }
        }
        counts
    }

    /// Tags with at least `min` examples in `roles`, sorted by name; errors when there are none.
    pub fn learnable_tags(&self, roles: &[Role], min: usize) -> Result<Vec<String>, ModelError> {
        let counts = self.tag_counts(roles);
        let tags: Vec<String> = counts
            .iter()
            .filter(|&(_, &n)| n >= min)
            .map(|(t, _)| t.to_string())
            .collect();
        if tags.is_empty() {
            let top = counts.iter().max_by_key(|&(_, &n)| n);
            let detail = top.map_or("no example has a tag".to_string(), |(t, n)| {
                format!("the most frequent, `{t}`, has {n}")
            });
            return Err(ModelError::NotEnoughData(format!(
                "no tag has at least {min} examples among {} training examples ({detail})",
                self.of(roles).count()
            )));
        }
        Ok(tags)
    }

    /// The vocabulary that [`Vocabulary::build`] makes from the titles and bodies of the
    /// examples in `roles` ([`Role::Train`] and [`Role::Valid`] only: held-out text is not
    /// counted): the same tokens in the same order.
    pub fn vocabulary(&self, roles: &[Role], max_size: usize, min_count: usize) -> Vocabulary {
        let train = roles.contains(&Role::Train);
        let valid = roles.contains(&Role::Valid);
        // A token only in other roles has no count here, as if never seen.
        let counts = (RAW_SPECIALS.len()..self.names.len()).map(|i| {
            let c = if train { self.train_counts[i] } else { 0 }
                + if valid { self.valid_counts[i] } else { 0 };
            (self.names[i].as_str(), c)
        });
        Vocabulary::from_counts(counts, max_size, min_count)
    }

    /// Raw id → id in `vocab` ([`UNK`] for the tokens it lacks).
    fn remap(&self, vocab: &Vocabulary) -> Vec<u32> {
        let mut map = Vec::with_capacity(self.names.len());
        map.extend([PAD, UNK, SEP]);
        map.extend(self.names[RAW_SPECIALS.len()..].iter().map(|t| vocab.id(t)));
        map
    }

    /// The sequences of the examples in `roles` under `vocab`, cut at `max_len`: what
    /// [`Vocabulary::encode`] gives for their text.
    pub(crate) fn sequences(
        &self,
        roles: &[Role],
        vocab: &Vocabulary,
        max_len: usize,
    ) -> Result<Vec<Vec<u32>>, ModelError> {
        if max_len > self.max_len {
            return Err(ModelError::param(
                "max_len",
                max_len,
                "is longer than the training corpus was cut at",
            ));
        }
        let map = self.remap(vocab);
        Ok(self
            .of(roles)
            .map(|e| {
                e.ids[..e.ids.len().min(max_len)]
                    .iter()
                    .map(|&r| map[r as usize])
                    .collect()
            })
            .collect())
    }

    /// Gold tag indices within `tags` (sorted) of the examples in `roles`, sorted and without
    /// repeats; tags outside `tags` are left out.
    pub(crate) fn gold(&self, roles: &[Role], tags: &[String]) -> Vec<Vec<usize>> {
        let map = self.tag_map(tags);
        self.of(roles)
            .map(|e| {
                let mut g: Vec<usize> = e.tags.iter().filter_map(|&t| map[t as usize]).collect();
                g.sort_unstable();
                g.dedup();
                g
            })
            .collect()
    }

    fn tag_map(&self, tags: &[String]) -> Vec<Option<usize>> {
        self.tag_names
            .iter()
            .map(|t| tags.binary_search(t).ok())
            .collect()
    }

    /// The quality baseline's features and the quality label of each example in `roles`.
    pub fn simple_features(&self, roles: &[Role]) -> Vec<crate::simple::Row> {
        self.of(roles)
            .map(|e| (e.simple.map(f64::from), e.quality))
            .collect()
    }

    /// The examples in `roles` encoded for training under `vocab` and `tags`.
    pub(crate) fn encoded(
        &self,
        roles: &[Role],
        vocab: &Vocabulary,
        tags: &[String],
        max_len: usize,
    ) -> Result<Encoded, ModelError> {
        let map = self.tag_map(tags);
        Ok(Encoded {
            seqs: self.sequences(roles, vocab, max_len)?,
            gold: self.gold(roles, tags),
            rejected: self
                .of(roles)
                .map(|e| e.rejected.iter().filter_map(|&t| map[t as usize]).collect())
                .collect(),
            quality: self.of(roles).map(|e| e.quality).collect(),
        })
    }
}

impl Classifier {
    /// [`Classifier::evaluate`] on the examples of a corpus in `roles`, each mapped to this
    /// classifier's own vocabulary; errors when the corpus was cut shorter than the classifier
    /// reads.
    pub fn evaluate_corpus(&self, corpus: &Corpus, roles: &[Role]) -> Result<Metrics, ModelError> {
        Ok(self.evaluate_corpus_with_quality(corpus, roles)?.0)
    }

    /// [`Classifier::evaluate_corpus`] and, as [`Classifier::evaluate_with_quality`] gives it,
    /// how well predicted quality matches the examples' labels.
    pub fn evaluate_corpus_with_quality(
        &self,
        corpus: &Corpus,
        roles: &[Role],
    ) -> Result<(Metrics, Option<QualityMetrics>), ModelError> {
        let seqs = corpus.sequences(roles, &self.vocab, self.params.max_len)?;
        let (probs, quality) = infer(&self.network, &seqs, self.params.threads);
        let gold = corpus.gold(roles, &self.tags);
        let tags = metrics::evaluate(probs.view(), &gold, &self.thresholds, &self.tags);
        let labels: Vec<Option<bool>> = corpus.of(roles).map(|e| e.quality).collect();
        Ok((tags, self.quality_of(&quality, &labels)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classifier::gold_indices;

    fn example(title: &str, body: &str, tags: &[&str], rejected: &[&str]) -> Example {
        Example {
            title: title.into(),
            body: body.into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            quality: Some(title.len().is_multiple_of(2)),
            rejected: rejected.iter().map(|t| t.to_string()).collect(),
        }
    }

    fn examples() -> Vec<Example> {
        vec![
            example(
                "Rust borrow checker",
                "my borrow fails, rust rust 1.2",
                &["rust"],
                &["go"],
            ),
            example("Go channels", "go go channels deadlock", &["go", "go"], &[]),
            example(
                "C++ templates",
                "c++ rust templates go",
                &["c++"],
                &["rust"],
            ),
            example("", "", &[], &[]),
            example("Zig", "zig only in validation zig", &["zig", "rust"], &[]),
            example("Held", "held out words never counted", &["rust"], &[]),
        ]
    }

    #[test]
    fn vocabulary_and_encodings_equal_building_from_the_text() {
        let all = examples();
        let roles = [
            Role::Train,
            Role::Train,
            Role::Train,
            Role::Train,
            Role::Valid,
            Role::HeldOut,
        ];
        for max_len in [1, 3, 5, 64] {
            let mut corpus = Corpus::new(max_len);
            for (i, (e, &role)) in all.iter().zip(&roles).enumerate() {
                corpus.push(role, i as i64, e);
            }
            let pick = |wanted: &[Role]| -> Vec<Example> {
                all.iter()
                    .zip(&roles)
                    .filter(|(_, r)| wanted.contains(r))
                    .map(|(e, _)| e.clone())
                    .collect()
            };
            for (wanted, min_count, max_size) in [
                (&[Role::Train][..], 1, 100),
                (&[Role::Train][..], 2, 100),
                (&[Role::Train, Role::Valid][..], 1, 6),
                (&[Role::Valid][..], 1, 100),
            ] {
                let chosen = pick(wanted);
                let texts = chosen
                    .iter()
                    .flat_map(|e| [e.title.as_str(), e.body.as_str()]);
                let expected = Vocabulary::build(texts, max_size, min_count);
                let vocab = corpus.vocabulary(wanted, max_size, min_count);
                assert_eq!(vocab, expected, "{wanted:?} min {min_count} max {max_size}");
                let tags = corpus.learnable_tags(wanted, 1).unwrap();
                let encoded = corpus.encoded(wanted, &vocab, &tags, max_len).unwrap();
                let seqs: Vec<Vec<u32>> = chosen
                    .iter()
                    .map(|e| expected.encode(&e.title, &e.body, max_len))
                    .collect();
                assert_eq!(encoded.seqs, seqs, "max_len {max_len}");
                assert_eq!(encoded.gold, gold_indices(&chosen, &tags));
                let rejected: Vec<Vec<usize>> = chosen
                    .iter()
                    .map(|e| {
                        e.rejected
                            .iter()
                            .filter_map(|t| tags.binary_search(t).ok())
                            .collect()
                    })
                    .collect();
                assert_eq!(encoded.rejected, rejected);
                let quality: Vec<Option<bool>> = chosen.iter().map(|e| e.quality).collect();
                assert_eq!(encoded.quality, quality);
            }
            // A shorter cut is a prefix; a longer one than the corpus kept is refused.
            let vocab = corpus.vocabulary(&[Role::Train], 100, 1);
            assert!(
                corpus
                    .sequences(&[Role::Train], &vocab, max_len + 1)
                    .is_err()
            );
        }
    }

    #[test]
    fn counts_keys_and_labels_are_kept_per_example() {
        let mut corpus = Corpus::new(8);
        for (i, e) in examples().iter().enumerate() {
            let role = if i < 4 { Role::Train } else { Role::HeldOut };
            corpus.push(role, 10 + i as i64, e);
        }
        assert_eq!(corpus.len(), 6);
        assert_eq!(corpus.count(Role::Train), 4);
        assert_eq!(corpus.keys(Role::HeldOut).collect::<Vec<_>>(), [14, 15]);
        let (role, tags, rejected) = corpus.labels_of(12).unwrap();
        assert_eq!(
            (role, tags, rejected),
            (Role::Train, vec!["c++"], vec!["rust"])
        );
        assert_eq!(
            corpus.tag_counts(&[Role::Train])["go"],
            1,
            "once per example"
        );
        let err = corpus.learnable_tags(&[Role::Train], 5).unwrap_err();
        assert!(
            err.to_string().contains("among 4 training examples"),
            "{err}"
        );
    }
}
