//! The vocabulary: token ↔ id, built from the training set.
use super::tokenizer::tokenize_into;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Id of the padding token; never produced by [`Vocabulary::encode`], only by batching.
pub const PAD: u32 = 0;
/// Id of every token that is not in the vocabulary.
pub const UNK: u32 = 1;
/// Id of the separator between title and body.
pub const SEP: u32 = 2;
const SPECIALS: [&str; 3] = ["<pad>", "<unk>", "<sep>"];

/// The most frequent training tokens, with `<pad>` = 0, `<unk>` = 1 and `<sep>` = 2.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "Vec<String>", into = "Vec<String>")]
pub struct Vocabulary {
    tokens: Vec<String>,
    ids: HashMap<String, u32>,
}

impl From<Vec<String>> for Vocabulary {
    fn from(tokens: Vec<String>) -> Self {
        let ids = tokens
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i as u32))
            .collect();
        Vocabulary { tokens, ids }
    }
}

impl From<Vocabulary> for Vec<String> {
    fn from(vocab: Vocabulary) -> Self {
        vocab.tokens
    }
}

impl Vocabulary {
    /// Builds the vocabulary from texts: tokens seen at least `min_count` times, the most frequent
    /// first (ties broken alphabetically so the result does not depend on hash order), at most
    /// `max_size` entries including the three special tokens.
    pub fn build<'a>(
        texts: impl IntoIterator<Item = &'a str>,
        max_size: usize,
        min_count: usize,
    ) -> Self {
        let mut counts: HashMap<String, usize> = HashMap::new();
        let mut tokens = Vec::new();
        for text in texts {
            tokens.clear();
            tokenize_into(text, &mut tokens);
            for token in tokens.drain(..) {
                *counts.entry(token).or_default() += 1;
            }
        }
        Self::from_counts(
            counts.iter().map(|(t, &c)| (t.as_str(), c)),
            max_size,
            min_count,
        )
    }

    /// The vocabulary of tokens counted `counts` times: [`Vocabulary::build`]'s choice (at
    /// least `min_count`, the most frequent first, ties alphabetical, at most `max_size` with
    /// the special tokens) for counts gathered elsewhere.
    pub fn from_counts<'a>(
        counts: impl IntoIterator<Item = (&'a str, usize)>,
        max_size: usize,
        min_count: usize,
    ) -> Self {
        let mut frequent: Vec<(&str, usize)> = counts
            .into_iter()
            .filter(|&(t, c)| c >= min_count.max(1) && !SPECIALS.contains(&t))
            .collect();
        frequent.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        let all = SPECIALS.iter().map(|s| s.to_string());
        let kept = frequent.into_iter().map(|(t, _)| t.to_string());
        all.chain(kept)
            .take(max_size.max(SPECIALS.len()))
            .collect::<Vec<_>>()
            .into()
    }

    /// Number of ids, including the special tokens.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// Never true: the special tokens are always present.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The id of a token, or [`UNK`].
    pub fn id(&self, token: &str) -> u32 {
        self.ids.get(token).copied().unwrap_or(UNK)
    }

    /// This vocabulary with the tokens of `newer` that it lacks appended (in `newer`'s order), and
    /// how many were appended. Every old token keeps its id, so rows indexed by id (embeddings,
    /// the bag-of-words table and its hashed bigrams of ids) stay valid for a warm start.
    pub fn extended_with(&self, newer: &Vocabulary) -> (Vocabulary, usize) {
        let mut tokens = self.tokens.clone();
        tokens.extend(
            newer
                .tokens
                .iter()
                .filter(|t| !self.ids.contains_key(*t))
                .cloned(),
        );
        let added = tokens.len() - self.tokens.len();
        (tokens.into(), added)
    }

    /// Encodes a post as title ids, [`SEP`], body ids, cut at `max_len` ids.
    pub fn encode(&self, title: &str, body: &str, max_len: usize) -> Vec<u32> {
        let mut tokens = Vec::new();
        tokenize_into(title, &mut tokens);
        let mut ids: Vec<u32> = tokens.iter().map(|t| self.id(t)).collect();
        ids.push(SEP);
        tokens.clear();
        tokenize_into(body, &mut tokens);
        ids.extend(tokens.iter().map(|t| self.id(t)));
        ids.truncate(max_len);
        ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_frequent_tokens_and_maps_the_rest_to_unk() {
        let vocab = Vocabulary::build(["rust rust go", "rust go c++", "haskell"], 10, 2);
        assert_eq!(vocab.len(), 5);
        assert_eq!(vocab.id("rust"), 3);
        assert_eq!(vocab.id("go"), 4);
        assert_eq!(vocab.id("haskell"), UNK);
        assert_eq!(vocab.encode("Rust", "go haskell", 10), [3, SEP, 4, UNK]);
        assert_eq!(vocab.encode("Rust", "go haskell", 2), [3, SEP]);
    }

    #[test]
    fn extending_keeps_old_ids_and_appends_new_tokens() {
        let old = Vocabulary::build(["rust rust go go"], 10, 1);
        let newer = Vocabulary::build(["zig zig zig go"], 10, 1);
        let (both, added) = old.extended_with(&newer);
        assert_eq!(added, 1);
        assert_eq!(both.id("rust"), old.id("rust"));
        assert_eq!(both.id("go"), old.id("go"));
        assert_eq!(both.id("zig"), old.len() as u32);
    }

    #[test]
    fn round_trips_through_json() {
        let vocab = Vocabulary::build(["a a b b"], 10, 1);
        let json = serde_json::to_string(&vocab).unwrap();
        assert_eq!(serde_json::from_str::<Vocabulary>(&json).unwrap(), vocab);
    }
}
