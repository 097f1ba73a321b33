//! Warm starts from a champion: quality as good as a cold start, vocabulary and tags extended.
use std::sync::atomic::AtomicBool;
use threadwise_model::{Classifier, ClassifierParams, Example, Start};

mod common;
use common::{keyword_post, tag_names};

/// 96 posts; post `i` mentions the keywords of tag `i % 4` and, for odd `i`, of `(i / 2) % 4`
/// too. Posts about containers also say "kubernetes", a token only the newer data has.
fn examples() -> Vec<Example> {
    (0..96)
        .map(|i| {
            let (tags, mut words) = keyword_post(i);
            if tags.contains(&3) {
                words.push("kubernetes");
            }
            Example {
                title: format!("question {} about {}", i % 7, words.join(" ")),
                body: format!("some text {} here", words.join(" and ")),
                tags: tag_names(&tags),
                quality: None,
                rejected: Vec::new(),
            }
        })
        .collect()
}

/// What the champion was trained on: no container posts yet, and a `legacy` tag on the Python
/// posts that the newer data no longer uses.
fn older_examples() -> Vec<Example> {
    examples()
        .into_iter()
        .filter(|e| !e.tags.iter().any(|t| t == "containers"))
        .map(|mut e| {
            if e.tags.iter().any(|t| t == "python") {
                e.tags.push("legacy".into());
            }
            e
        })
        .collect()
}

fn params() -> ClassifierParams {
    ClassifierParams::default()
        .embedding(8)
        .hidden(12)
        .epochs(30)
        .patience(30)
        .warm_epochs(8)
        .min_steps(0)
        .min_tag_examples(5)
        .min_token_count(1)
        .batch_size(8)
        .dropout(0.0)
        .learning_rate(0.01)
        .threads(1)
        .wide_buckets(Some(64))
        .seed(7)
}

fn fit(p: ClassifierParams, champion: Option<&Classifier>, data: &[Example]) -> Classifier {
    p.check()
        .expect("valid parameters")
        .fit_with(champion, data, data, &mut |_| {}, &AtomicBool::new(false))
        .expect("training succeeds")
}

#[test]
fn a_warm_start_matches_a_cold_one_and_learns_new_tokens_and_tags() {
    let champion = fit(params(), None, &older_examples());
    let data = examples();

    let cold = fit(params(), None, &data);
    let warm = fit(params(), Some(&champion), &data);

    assert_eq!(cold.start(), Some(&Start::Cold { reason: None }));
    let Some(Start::Warm {
        new_tokens,
        new_tags,
        dropped_tags,
    }) = warm.start().cloned()
    else {
        panic!("expected a warm start, got {:?}", warm.start());
    };
    assert!(new_tokens >= 1, "`kubernetes` and `docker` are new tokens");
    assert_eq!(
        (new_tags, dropped_tags),
        (1, 1),
        "containers in, legacy out"
    );
    assert_eq!(warm.tags(), cold.tags());
    assert!(warm.vocab_size() > champion.vocab_size());
    let (cold_f1, warm_f1) = (cold.evaluate(&data).micro_f1, warm.evaluate(&data).micro_f1);
    assert!(
        warm_f1 >= cold_f1 - 0.05,
        "warm micro-F1 {warm_f1} against cold {cold_f1}"
    );
    let prediction = warm.predict("kubernetes", "kubernetes");
    assert_eq!(prediction.tags[0].0, "containers", "{prediction:?}");
}

#[test]
fn a_changed_architecture_starts_cold_and_says_why() {
    let champion = fit(params(), None, &older_examples());

    let model = fit(params().hidden(16), Some(&champion), &examples());

    let Some(Start::Cold {
        reason: Some(reason),
    }) = model.start()
    else {
        panic!(
            "expected a cold start with a reason, got {:?}",
            model.start()
        );
    };
    assert!(reason.contains("hidden 12 -> 16"), "{reason}");
}

#[test]
fn the_start_is_saved_with_the_model() {
    let champion = fit(params(), None, &older_examples());
    let warm = fit(params(), Some(&champion), &examples());

    let loaded = Classifier::from_bytes(&warm.to_bytes().expect("serialises")).expect("loads");

    assert_eq!(loaded.start(), warm.start());
}
