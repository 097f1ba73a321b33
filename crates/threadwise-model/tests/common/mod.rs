//! The synthetic posts the model's integration tests train on (no real data needed).

/// Tags of the synthetic posts; tag `t`'s keywords are `WORDS[t]` and `WORDS[t + 4]`.
pub const TAGS: [&str; 4] = ["rust", "python", "database", "containers"];
const WORDS: [&str; 8] = [
    "rust", "python", "sql", "docker", "borrow", "pandas", "join", "image",
];

/// Post `i`'s tags (indices into [`TAGS`]) and keywords: tag `i % 4` and, for odd `i`,
/// `(i / 2) % 4` too.
pub fn keyword_post(i: usize) -> (Vec<usize>, Vec<&'static str>) {
    let mut tags = vec![i % 4];
    if i % 2 == 1 && (i / 2) % 4 != i % 4 {
        tags.push((i / 2) % 4);
    }
    let words = tags
        .iter()
        .flat_map(|&t| [WORDS[t], WORDS[t + 4]])
        .collect();
    (tags, words)
}

/// Tag names of indices into [`TAGS`].
pub fn tag_names(tags: &[usize]) -> Vec<String> {
    tags.iter().map(|&t| TAGS[t].to_string()).collect()
}
