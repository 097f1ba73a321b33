//! Incomplete tagging and rejections, simulated on real data: drop a share of the gold tags from
//! TRAIN, train cold on what is left (or load BASE when the file exists), let that model suggest
//! tags for the training posts, turn a share of its wrong suggestions into rejections (a
//! moderator said no), and retrain warm from it with and without the negative weights. Every
//! model is scored on EVAL, whose tags are complete, under the data README's protocol.
//!
//! `cargo run --release -p threadwise-model --example incomplete_tags -- TRAIN EVAL BASE
//! [DROP=0.3] [REJECT=0.5] [THREADS=1]`
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::sync::atomic::AtomicBool;
use std::time::Instant;
use threadwise_model::{Classifier, ClassifierParams, Example, Metrics, read_jsonl};

/// `train` with each gold tag dropped with probability `share` (seeded).
fn drop_tags(train: &[Example], share: f64, rng: &mut impl Rng) -> Vec<Example> {
    train
        .iter()
        .map(|e| Example {
            tags: e
                .tags
                .iter()
                .filter(|_| !rng.gen_bool(share))
                .cloned()
                .collect(),
            ..e.clone()
        })
        .collect()
}

/// `incomplete` with `share` of `model`'s wrong suggestions (predicted, not in `complete`'s
/// tags) marked rejected; returns the data and the rejections (made, possible).
fn reject_wrong_suggestions(
    model: &Classifier,
    incomplete: &[Example],
    complete: &[Example],
    share: f64,
    rng: &mut impl Rng,
) -> (Vec<Example>, usize, usize) {
    let (mut made, mut wrong) = (0, 0);
    let data = incomplete
        .iter()
        .zip(complete)
        .map(|(e, gold)| {
            let rejected: Vec<String> = model
                .predict(&e.title, &e.body)
                .tags
                .into_iter()
                .map(|(tag, _)| tag)
                .filter(|tag| !gold.tags.contains(tag))
                .inspect(|_| wrong += 1)
                .filter(|_| rng.gen_bool(share))
                .collect();
            made += rejected.len();
            Example {
                rejected,
                ..e.clone()
            }
        })
        .collect();
    (data, made, wrong)
}

fn row(name: &str, m: &Metrics, seconds: f64) {
    println!(
        "| {name} | {:.4} | {:.4} | {:.4} | {seconds:.0} s |",
        m.micro_f1, m.macro_f1, m.precision_at_1
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        return Err("usage: incomplete_tags TRAIN EVAL BASE [DROP] [REJECT] [THREADS]".into());
    }
    let (train_path, eval_path, base_path) = (&args[1], &args[2], &args[3]);
    let drop: f64 = args.get(4).map_or(Ok(0.3), |s| s.parse())?;
    let reject: f64 = args.get(5).map_or(Ok(0.5), |s| s.parse())?;
    let threads: usize = args.get(6).map_or(Ok(1), |s| s.parse())?;
    let complete = read_jsonl(train_path)?;
    let eval = read_jsonl(eval_path)?;
    let mut rng = ChaCha8Rng::seed_from_u64(30);
    let incomplete = drop_tags(&complete, drop, &mut rng);
    let defaults = ClassifierParams::default().threads(threads);
    let stop = AtomicBool::new(false);
    println!(
        "{} training posts, {:.0} % of their tags dropped; {} evaluation posts",
        complete.len(),
        drop * 100.0,
        eval.len()
    );
    println!("| model | micro-F1 | macro-F1 | P@1 | train |\n|---|---:|---:|---:|---:|");
    let start = Instant::now();
    let base = if std::path::Path::new(base_path).exists() {
        Classifier::load(base_path)?
    } else {
        let model = defaults
            .clone()
            .check()?
            .fit(&incomplete, &[], &mut |_| {}, &stop)?;
        model.save(base_path)?;
        model
    };
    row(
        "cold, incomplete tags",
        &base.evaluate(&eval),
        start.elapsed().as_secs_f64(),
    );
    let (rejected, made, wrong) =
        reject_wrong_suggestions(&base, &incomplete, &complete, reject, &mut rng);
    println!("<!-- {made} rejections of {wrong} wrong suggestions -->");
    let runs = [
        ("warm, rejections weigh 1, absences 1", 1.0, 1.0),
        ("warm, rejections weigh 3, absences 1", 3.0, 1.0),
        ("warm, rejections weigh 3, absences 0.5", 3.0, 0.5),
        ("warm, rejections weigh 3, absences 0.25", 3.0, 0.25),
    ];
    for (name, rejected_weight, absent_weight) in runs {
        let params = defaults
            .clone()
            .rejected_weight(rejected_weight)
            .absent_weight(absent_weight)
            .check()?;
        let start = Instant::now();
        let model = params.fit_with(Some(&base), &rejected, &[], &mut |_| {}, &stop)?;
        row(name, &model.evaluate(&eval), start.elapsed().as_secs_f64());
    }
    Ok(())
}
