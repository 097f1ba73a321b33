//! Threshold rules compared on one trained model: train it (defaults, or load it when the model
//! file exists), re-tune its thresholds on its own held-out share of the training file with each
//! rule, and score each on the evaluation file under the data README's protocol.
//!
//! `cargo run --release -p threadwise-model --example thresholds -- TRAIN EVAL MODEL [SEED]
//! [MAX_SECONDS]` (MAX_SECONDS 0 = no time budget, for a busy machine)
use std::sync::atomic::AtomicBool;
use threadwise_model::metrics::{self, ThresholdRule};
use threadwise_model::{Classifier, ClassifierParams, Example, read_jsonl};

fn gold(examples: &[Example], tags: &[String]) -> Vec<Vec<usize>> {
    examples
        .iter()
        .map(|e| {
            let mut g: Vec<usize> = e
                .tags
                .iter()
                .filter_map(|t| tags.binary_search(t).ok())
                .collect();
            g.sort_unstable();
            g.dedup();
            g
        })
        .collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (train_path, eval_path, model_path) = (&args[1], &args[2], &args[3]);
    let seed: u64 = args.get(4).map_or(Ok(42), |s| s.parse())?;
    let train = read_jsonl(train_path)?;
    let eval = read_jsonl(eval_path)?;
    let params = match args.get(5).map(|s| s.parse::<f64>()).transpose()? {
        Some(s) => ClassifierParams::default().max_seconds((s > 0.0).then_some(s)),
        None => ClassifierParams::default(),
    }
    .seed(seed);
    let model = if std::path::Path::new(model_path).exists() {
        Classifier::from_bytes(&std::fs::read(model_path)?)?
    } else {
        let start = std::time::Instant::now();
        let model = params.check()?.fit(
            &train,
            &[],
            &mut |p| {
                if let Some(r) = &p.epoch_report {
                    eprintln!(
                        "epoch {} loss {:.4} valid micro {:.4} macro {:.4} ({:.0} s)",
                        p.epoch, r.train_loss, r.valid.micro_f1, r.valid.macro_f1, r.seconds
                    );
                }
                if let Some(l) = &p.logistic {
                    eprintln!("logistic {l:?}");
                }
            },
            &AtomicBool::new(false),
        )?;
        eprintln!("trained in {:.0} s", start.elapsed().as_secs_f64());
        std::fs::write(model_path, model.to_bytes()?)?;
        model
    };
    let tags = model.tags().to_vec();
    let held: Vec<Example> = threadwise_model::train::held_out_share(&train, &params)
        .into_iter()
        .cloned()
        .collect();
    let (held_probs, _) = model.probabilities_batch(&held);
    let held_gold = gold(&held, &tags);
    let (eval_probs, _) = model.probabilities_batch(&eval);
    let eval_gold = gold(&eval, &tags);
    let row = |name: &str, thr: &[f32]| {
        let m = metrics::evaluate(eval_probs.view(), &eval_gold, thr, &tags);
        let h = metrics::evaluate(held_probs.view(), &held_gold, thr, &tags);
        println!(
            "| {name} | {:.4} | {:.4} | {:.4} | {:.4} / {:.4} |",
            m.micro_f1, m.macro_f1, m.precision_at_1, h.micro_f1, h.macro_f1
        );
    };
    println!("| rule | micro-F1 | macro-F1 | P@1 | held-out micro / macro |");
    println!("|---|---|---|---|---|");
    row("saved", model.thresholds());
    let legacy = metrics::tune_thresholds(held_probs.view(), &held_gold, 5, 20.0);
    row("legacy (min 5, prior 20)", &legacy);
    row("fixed 0.5", &vec![0.5; tags.len()]);
    for &(objective_micro, prior, min_support, logit) in &[
        (false, 20.0, 5, false),
        (false, 10.0, 3, false),
        (false, 5.0, 2, false),
        (false, 2.0, 1, false),
        (false, 0.0, 1, false),
        (false, 20.0, 1, true),
        (false, 10.0, 1, true),
        (false, 5.0, 1, true),
        (false, 2.0, 1, true),
        (false, 3.0, 1, true),
        (false, 8.0, 1, true),
        (false, 5.0, 2, true),
        (true, 5.0, 1, true),
        (true, 10.0, 1, true),
    ] {
        let rule = ThresholdRule {
            min_support,
            prior,
            fine_grid: true,
            logit_shrink: logit,
            global_for_macro: !objective_micro,
        };
        let thr = metrics::tune_thresholds_by(held_probs.view(), &held_gold, &rule);
        row(&format!("{rule:?}"), &thr);
    }
    // Suggestions at precision targets: thresholds from the held-out share's scores by the kept
    // model, and from the scores saved with the model (cross-fitted over the whole training file
    // when its held-out share was small), each measured on the evaluation file (precision of all
    // suggestions, share of items with at least one).
    println!();
    println!(
        "| scores | target | estimated precision / coverage | eval precision | eval coverage | suggestions | tags suggested |"
    );
    println!("|---|---|---|---|---|---|---|");
    for target in [0.7, 0.8, 0.9] {
        let min = threadwise_model::classifier::MIN_SUGGEST_PREDICTED;
        let from_share = metrics::suggestion_thresholds(
            held_probs.view(),
            &held_gold,
            &tags,
            target,
            (min, 0.0),
        );
        let mut sources = vec![("held-out share, z 0".to_string(), Some(from_share))];
        for z in [0.0, 0.5, 1.0, 1.5] {
            let saved = model.suggestions_at(target, z);
            sources.push((format!("saved with the model, z {z}"), saved));
        }
        for (name, s) in sources {
            let Some(s) = s else { continue };
            let thr = s.thresholds();
            let (mut tp, mut n, mut covered) = (0usize, 0usize, 0usize);
            for (i, row) in eval_probs.rows().into_iter().enumerate() {
                let mut any = false;
                for (k, &p) in row.iter().enumerate() {
                    if p >= thr[k] {
                        any = true;
                        n += 1;
                        tp += usize::from(eval_gold[i].contains(&k));
                    }
                }
                covered += usize::from(any);
            }
            println!(
                "| {name} ({} items) | {target} | {:.3} / {:.3} | {:.3} | {:.3} | {n} | {} of {} |",
                if name == "held-out share" {
                    held.len()
                } else {
                    model.held_out_items()
                },
                s.precision,
                s.coverage,
                tp as f64 / n.max(1) as f64,
                covered as f64 / eval_probs.nrows().max(1) as f64,
                s.per_tag.iter().filter(|t| t.threshold.is_some()).count(),
                tags.len()
            );
        }
    }
    Ok(())
}
