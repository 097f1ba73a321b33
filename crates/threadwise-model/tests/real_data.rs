//! Checks against the real corpora in `../shared/data` (never committed); skipped when absent.
use std::path::Path;
use threadwise_model::{read_jsonl, tokenizer::tokenize};

fn data_dir() -> Option<&'static Path> {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"));
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "skipping: {} is absent (the real corpora are not part of the repository)",
            dir.display()
        );
        None
    }
}

#[test]
fn reads_both_corpora_with_quality_only_where_scores_exist() {
    let Some(dir) = data_dir() else { return };
    let debtags = read_jsonl(dir.join("debtags/valid.jsonl")).unwrap();
    assert_eq!(debtags.len(), 2003);
    assert!(
        debtags
            .iter()
            .all(|e| e.quality.is_none() && !e.tags.is_empty())
    );
    let se = read_jsonl(dir.join("stackexchange/valid.jsonl")).unwrap();
    assert_eq!(se.len(), 235);
    assert!(se.iter().all(|e| e.quality.is_some()));
    let tokens: usize = se.iter().map(|e| tokenize(&e.body).len()).sum();
    assert!(
        tokens > 235 * 20,
        "bodies tokenize to real text ({tokens} tokens)"
    );
}
