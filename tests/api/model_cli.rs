//! `threadwise train` and `threadwise evaluate` as an operator runs them, on a small fixture of
//! our own (the real data is never copied into the project).
use std::io::Write;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

const RUST: [&str; 4] = ["cargo", "borrow", "lifetime", "crate"];
const PYTHON: [&str; 4] = ["pip", "django", "numpy", "pandas"];

/// 48 questions, two tags; every third has no score and no answer, and those bodies say
/// "urgent" where the others say "tried", so the quality head has something to learn.
/// `labelled = false` leaves out the score and answer fields altogether.
fn write_fixture(path: &Path, labelled: bool) {
    let mut file = std::fs::File::create(path).unwrap();
    for i in 0..48 {
        let (tag, words) = if i % 2 == 0 {
            ("rust", RUST)
        } else {
            ("python", PYTHON)
        };
        let good = i % 3 != 0;
        let mut line = serde_json::json!({
            "title": format!("Question {i} about {}", words[i % 4]),
            "body": format!(
                "{} {} and {} {}",
                if good { "I tried" } else { "urgent" },
                words[i % 4],
                words[(i + 1) % 4],
                if good { "with an example" } else { "please help" },
            ),
            "tags": [tag],
        });
        if labelled {
            line["score"] = (if good { 2 } else { 0 }).into();
            line["answer_count"] = (if good && i % 2 == 0 { 1 } else { 0 }).into();
        }
        writeln!(file, "{line}").unwrap();
    }
}

fn run(args: &[&str]) -> std::process::Output {
    let output = Command::new(env!("CARGO_BIN_EXE_threadwise"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "threadwise {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn evaluate_json(model: &Path, data: &Path) -> Value {
    let output = run(&[
        "evaluate",
        "--model",
        model.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--json",
    ]);
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn evaluate_json_reports_the_quality_heads_auc_and_log_loss() {
    let dir = tempfile::tempdir().unwrap();
    let (data, unlabelled, model) = (
        dir.path().join("train.jsonl"),
        dir.path().join("unlabelled.jsonl"),
        dir.path().join("model.bin"),
    );
    write_fixture(&data, true);
    write_fixture(&unlabelled, false);
    run(&[
        "train",
        "--data",
        data.to_str().unwrap(),
        "--out",
        model.to_str().unwrap(),
        "--epochs",
        "3",
        "--min-steps",
        "0",
        "--hidden",
        "8",
        "--embedding",
        "8",
        "--threads",
        "1",
        "--min-tag-examples",
        "5",
        "--logistic",
        "false",
        "--seed",
        "3",
    ]);

    let report = evaluate_json(&model, &data);
    // The tag metrics keep their keys.
    for key in [
        "micro_f1",
        "macro_f1",
        "precision_at_1",
        "examples",
        "per_tag",
    ] {
        assert!(report.get(key).is_some(), "{key} missing: {report}");
    }
    let quality = &report["quality"];
    assert_eq!(quality["examples"], 48, "{report}");
    assert_eq!(quality["positives"], 32, "{report}");
    let base_rate = quality["base_rate"].as_f64().unwrap();
    approx::assert_abs_diff_eq!(base_rate, 2.0 / 3.0, epsilon = 1e-9);
    let auc = quality["roc_auc"].as_f64().expect("both classes: an AUC");
    assert!((0.0..=1.0).contains(&auc), "{report}");
    assert!(quality["log_loss"].as_f64().unwrap() > 0.0, "{report}");
    // −(⅔ ln ⅔ + ⅓ ln ⅓) = 0.636514
    approx::assert_abs_diff_eq!(
        quality["base_rate_log_loss"].as_f64().unwrap(),
        0.636_514,
        epsilon = 1e-5
    );

    // Data without scores or answer counts: no quality to measure, said as null.
    let report = evaluate_json(&model, &unlabelled);
    assert!(report["micro_f1"].is_number(), "{report}");
    assert!(report["quality"].is_null(), "{report}");

    // The table says the same in words.
    let table = run(&[
        "evaluate",
        "--model",
        model.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
    ]);
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(
        table.contains("ROC-AUC") && table.contains("base rate 0.667"),
        "{table}"
    );
}
