//! Cold training against a warm retrain from it: train cold with the defaults on TRAIN (or load
//! COLD when the file exists), then retrain warm from it on the same TRAIN, and score both on
//! EVAL under the data README's protocol, with each one's training time.
//!
//! `cargo run --release -p threadwise-model --example warm_retrain -- TRAIN EVAL COLD [THREADS]`
use std::sync::atomic::AtomicBool;
use std::time::Instant;
use threadwise_model::{Classifier, ClassifierParams, TrainProgress, read_jsonl};

fn log(p: &TrainProgress) {
    if let Some(r) = &p.epoch_report {
        eprintln!(
            "epoch {}/{}: loss {:.4}, held-out micro-F1 {:.4}, {:.0} s",
            p.epoch, p.epochs, r.train_loss, r.valid.micro_f1, r.seconds
        );
    }
    if let Some(l) = &p.logistic {
        eprintln!("regression: {l:?}");
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (train_path, eval_path, cold_path) = (&args[1], &args[2], &args[3]);
    let threads: usize = args.get(4).map_or(Ok(1), |s| s.parse())?;
    let train = read_jsonl(train_path)?;
    let eval = read_jsonl(eval_path)?;
    let params = ClassifierParams::default().threads(threads).check()?;
    let stop = AtomicBool::new(false);
    let cold = if std::path::Path::new(cold_path).exists() {
        Classifier::load(cold_path)?
    } else {
        let start = Instant::now();
        let model = params.fit(&train, &[], &mut log, &stop)?;
        println!("cold train: {:.1} s", start.elapsed().as_secs_f64());
        model.save(cold_path)?;
        model
    };
    let start = Instant::now();
    let warm = params.fit_with(Some(&cold), &train, &[], &mut log, &stop)?;
    println!(
        "warm retrain: {:.1} s ({:?})",
        start.elapsed().as_secs_f64(),
        warm.start()
    );
    for (name, model) in [("cold", &cold), ("warm", &warm)] {
        let m = model.evaluate(&eval);
        println!(
            "{name}: micro-F1 {:.4}, macro-F1 {:.4}, P@1 {:.4} on {} items",
            m.micro_f1, m.macro_f1, m.precision_at_1, m.examples
        );
    }
    Ok(())
}
