//! Behaviour of the tag classifier end to end on small synthetic data (no real data needed).
use std::sync::atomic::AtomicBool;
use threadwise_model::{Classifier, ClassifierParams, Example, ModelError};

mod common;
use common::{keyword_post, tag_names};

/// 64 posts; post `i` mentions the keywords of tags `i % 4` and, for odd `i`, `(i / 2) % 4` too.
fn tiny_examples() -> Vec<Example> {
    (0..64)
        .map(|i| {
            let (tags, words) = keyword_post(i);
            Example {
                title: format!("question {} about {}", i % 7, words.join(" ")),
                body: format!(
                    "some text {} here",
                    words
                        .iter()
                        .rev()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(" and ")
                ),
                tags: tag_names(&tags),
                quality: (i % 3 != 0).then_some(i % 2 == 0),
                rejected: Vec::new(),
            }
        })
        .collect()
}

fn tiny_params() -> ClassifierParams {
    ClassifierParams::default()
        .embedding(8)
        .hidden(12)
        .epochs(40)
        .patience(40)
        .min_steps(0)
        .min_tag_examples(5)
        .min_token_count(1)
        .batch_size(8)
        .dropout(0.0)
        .learning_rate(0.01)
        .threads(1)
        // Few bigram buckets keep the files small: the damaged-file tests decode one per byte probed.
        .wide_buckets(Some(64))
        // One training run per test (cross-fitting has its own test).
        .cross_fit_folds(0)
        .seed(7)
}

fn fit(params: ClassifierParams, data: &[Example]) -> Result<Classifier, ModelError> {
    params
        .check()?
        .fit(data, data, &mut |_| {}, &AtomicBool::new(false))
}

#[test]
fn overfits_64_tiny_examples() {
    let data = tiny_examples();
    let model = fit(tiny_params(), &data).unwrap();
    let metrics = model.evaluate(&data);
    assert!(
        metrics.micro_f1 >= 0.95,
        "micro-F1 on the training set is {}",
        metrics.micro_f1
    );
    let prediction = model.predict("docker image", "docker image");
    assert_eq!(prediction.tags[0].0, "containers");
    assert!(
        prediction.quality.is_some(),
        "quality labels were present, so the head is trained"
    );
    // One pass gives the same tag metrics and the quality head's, on the labelled examples.
    let (tags, quality) = model.evaluate_with_quality(&data);
    assert_eq!(tags, metrics);
    let quality = quality.expect("labelled examples and a trained head");
    assert_eq!(
        quality.examples,
        data.iter().filter(|e| e.quality.is_some()).count()
    );
    assert_eq!(
        quality.positives,
        data.iter().filter(|e| e.quality == Some(true)).count()
    );
    assert!(
        quality.roc_auc.is_some_and(|auc| auc > 0.5),
        "the head separates what it was trained on: {quality:?}"
    );
    assert_eq!(model.evaluate_quality(&data), Some(quality));
}

#[test]
fn a_model_without_quality_labels_reports_no_quality_metrics() {
    let mut data = tiny_examples();
    for e in &mut data {
        e.quality = None;
    }
    let model = fit(tiny_params().epochs(2), &data).unwrap();
    assert!(!model.quality_trained());
    assert_eq!(model.evaluate_quality(&tiny_examples()), None);
    assert_eq!(model.evaluate_with_quality(&data).1, None);
}

#[test]
fn same_seed_gives_bit_identical_weights_with_threads() {
    let data = tiny_examples();
    let params = tiny_params().epochs(3).threads(2);
    let a = fit(params.clone(), &data).unwrap().to_bytes().unwrap();
    let b = fit(params.clone(), &data).unwrap().to_bytes().unwrap();
    assert!(a == b, "two runs with seed 7 differ");
    let c = fit(params.seed(8), &data).unwrap().to_bytes().unwrap();
    assert!(a != c, "a different seed should give different weights");
}

#[test]
fn too_few_tag_examples_is_a_clear_error() {
    let data = tiny_examples();
    let err = fit(tiny_params().min_tag_examples(1000), &data[..10]).unwrap_err();
    assert!(matches!(err, ModelError::NotEnoughData(_)), "{err}");
    assert!(err.to_string().contains("1000"), "{err}");
}

#[test]
fn a_set_stop_flag_ends_training() {
    let data = tiny_examples();
    let err = tiny_params()
        .check()
        .unwrap()
        .fit(&data, &[], &mut |_| {}, &AtomicBool::new(true))
        .unwrap_err();
    assert!(matches!(err, ModelError::Stopped), "{err}");
}

#[test]
fn a_refit_trains_on_every_example_and_keeps_the_held_out_thresholds() {
    let data = tiny_examples();
    let params = tiny_params().epochs(3).patience(3).valid_fraction(0.25);
    let run = |p: ClassifierParams| {
        let (mut held_out_batches, mut refit_batches) = (0, 0);
        let model = p
            .check()
            .unwrap()
            .fit(
                &data,
                &[],
                &mut |pr| {
                    if pr.epoch_report.is_some() || pr.logistic.is_some() {
                        return;
                    }
                    if pr.refit {
                        refit_batches += 1;
                        assert_eq!(pr.batches, 8, "the refit sees all 64 examples");
                    } else {
                        held_out_batches += 1;
                        assert_eq!(pr.batches, 6, "48 of 64 examples train before the refit");
                    }
                },
                &AtomicBool::new(false),
            )
            .unwrap();
        (model, held_out_batches, refit_batches)
    };
    let (plain, held, refit_steps) = run(params.clone().refit(false));
    assert_eq!((held, refit_steps), (18, 0));
    let (refit, held, refit_steps) = run(params.clone().refit(true));
    assert_eq!(held, 18);
    let kept_epochs = refit_steps / 8;
    assert!(
        refit_steps % 8 == 0 && (1..=3).contains(&kept_epochs),
        "{refit_steps}"
    );
    assert_eq!(refit.thresholds(), plain.thresholds());
    assert_eq!(refit.metrics(), plain.metrics());
    assert!(refit.to_bytes().unwrap() != plain.to_bytes().unwrap());
    let (again, _, _) = run(params.clone().refit(true));
    assert!(
        again.to_bytes().unwrap() == refit.to_bytes().unwrap(),
        "refits are deterministic"
    );
    // Off by default; with a validation set given there is nothing to refit.
    assert_eq!(run(params.clone()).2, 0);
    let given = params
        .refit(true)
        .check()
        .unwrap()
        .fit(
            &data,
            &data,
            &mut |pr| assert!(!pr.refit),
            &AtomicBool::new(false),
        )
        .unwrap();
    assert!(given.params().refit);
}

#[test]
fn a_small_held_out_share_gives_way_to_cross_fitted_scores_of_every_example() {
    let data = tiny_examples();
    let params = tiny_params().epochs(3).patience(3).valid_fraction(0.25);
    let fit_cli = |p: ClassifierParams| {
        let mut fold_batches = 0;
        let model = p
            .check()
            .unwrap()
            .fit(
                &data,
                &[],
                &mut |pr| {
                    let step = pr.epoch_report.is_none() && pr.logistic.is_none();
                    if step && pr.refit {
                        fold_batches += 1;
                        assert_eq!(pr.batches, 6, "each fold model trains on 48 of 64");
                    }
                },
                &AtomicBool::new(false),
            )
            .unwrap();
        (model, fold_batches)
    };
    let (plain, none) = fit_cli(params.clone());
    assert_eq!((plain.held_out_items(), none), (16, 0));
    let (cross, fold_batches) = fit_cli(params.clone().cross_fit_folds(4));
    assert_eq!(cross.held_out_items(), 64, "every example scored once");
    assert!(fold_batches >= 4 * 6, "four fold models: {fold_batches}");
    assert_eq!(cross.metrics().unwrap().examples, 64);
    let suggestions = cross.suggestions(0.8).expect("held-out scores are kept");
    assert!(suggestions.per_tag.iter().any(|t| t.threshold.is_some()));
    let (small_enough, _) = fit_cli(params.cross_fit_folds(4).cross_fit_below(16));
    assert_eq!(
        small_enough.held_out_items(),
        16,
        "16 held out is not below 16"
    );
}

fn trained() -> Classifier {
    fit(tiny_params().epochs(2), &tiny_examples()).unwrap()
}

#[test]
fn save_and_load_round_trip() {
    let model = trained();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.safetensors");
    model.save(&path).unwrap();
    let loaded = Classifier::load(&path).unwrap();
    assert_eq!(loaded, model);
    assert_eq!(
        loaded.probabilities("rust borrow", ""),
        model.probabilities("rust borrow", "")
    );
}

#[test]
fn held_out_scores_round_trip_and_give_suggestion_thresholds() {
    let model = trained();
    let suggestions = model
        .suggestions(0.8)
        .expect("a new model keeps its held-out scores");
    assert_eq!(suggestions.per_tag.len(), model.tags().len());
    for t in &suggestions.per_tag {
        if t.threshold.is_some() {
            assert!(t.precision >= 0.8, "{t:?}");
        }
    }
    let loaded = Classifier::from_bytes(&model.to_bytes().unwrap()).unwrap();
    assert_eq!(loaded.suggestions(0.8), Some(suggestions));
}

#[test]
fn a_model_saved_without_held_out_scores_loads_and_has_no_suggestion_thresholds() {
    let old = trained().without_held_out();
    let loaded = Classifier::from_bytes(&old.to_bytes().unwrap()).unwrap();
    assert_eq!(loaded, old);
    assert_eq!(loaded.suggestions(0.8), None);
}

#[test]
fn truncated_files_fail_cleanly() {
    let bytes = trained().to_bytes().unwrap();
    for len in [0, 7, 8, 100, bytes.len() / 2, bytes.len() - 1] {
        let err = Classifier::from_bytes(&bytes[..len]).unwrap_err();
        assert!(
            matches!(err, ModelError::BadModel(_)),
            "length {len}: {err}"
        );
    }
}

#[test]
fn flipped_bytes_fail_cleanly() {
    let bytes = trained().to_bytes().unwrap();
    // Every 97th position covers the header length, the JSON header and the weights.
    for pos in (0..bytes.len()).step_by(97).chain([bytes.len() - 1]) {
        let mut damaged = bytes.clone();
        damaged[pos] ^= 0x5a;
        match Classifier::from_bytes(&damaged) {
            Err(ModelError::BadModel(_)) => {}
            other => panic!("byte {pos} flipped: expected BadModel, got {other:?}"),
        }
    }
}

#[test]
fn a_wrong_format_version_is_named() {
    let bytes = trained().to_bytes().unwrap();
    // The envelope is a JSON string inside the header's JSON, so its quotes are escaped.
    let needle = b"format_version\\\":3";
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("version key in the header");
    let mut damaged = bytes.clone();
    damaged[at + needle.len() - 1] = b'9';
    let err = Classifier::from_bytes(&damaged).unwrap_err().to_string();
    assert!(err.contains("version 9"), "{err}");
}

#[test]
fn classifier_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Classifier>();
}

#[test]
fn a_spent_time_budget_still_returns_the_model_so_far() {
    let data = tiny_examples();
    let model = fit(tiny_params().max_seconds(Some(1e-6)), &data).unwrap();
    assert!(model.metrics().is_some());
}

/// The fixture plus eight posts about Rust in Docker, half of them also tagged `containers`: the
/// model is unsure about `containers` there, and a moderator then rejects it on an untagged one.
fn with_ambiguous_posts() -> Vec<Example> {
    let mut data = tiny_examples();
    data.extend((0..8).map(|i| {
        let mut tags = vec!["rust".to_string()];
        if i % 2 == 1 {
            tags.push("containers".to_string());
        }
        Example {
            title: format!("borrow checker {i} in rust"),
            body: "rust borrow in a docker image".to_string(),
            tags,
            quality: None,
            rejected: Vec::new(),
        }
    }));
    data
}

fn containers_score(model: &Classifier, post: &Example) -> f32 {
    model
        .probabilities(&post.title, &post.body)
        .into_iter()
        .find(|(tag, _)| tag == "containers")
        .expect("containers is a learnt tag")
        .1
}

#[test]
fn a_rejected_tag_scores_lower_for_that_topic_in_the_next_model() {
    // With and without the regression blended in: both the network and the regression weigh
    // the rejection.
    for params in [tiny_params(), tiny_params().logistic(false)] {
        let before = with_ambiguous_posts();
        let mut after = before.clone();
        let topic = before.len() - 8;
        after[topic].rejected = vec!["containers".to_string()];
        let old = containers_score(&fit(params.clone(), &before).unwrap(), &before[topic]);
        let new = containers_score(&fit(params.clone(), &after).unwrap(), &after[topic]);
        assert!(
            new < old * 0.9,
            "containers scored {old} before the rejection and {new} after"
        );
        // Weighed like any absent tag, the same rejection teaches much less.
        let unweighted = params.rejected_weight(1.0);
        let plain = containers_score(&fit(unweighted, &after).unwrap(), &after[topic]);
        assert!(new < plain, "weighted {new}, unweighted {plain}");
    }
}
