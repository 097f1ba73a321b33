//! `threadwise train | evaluate | suggest | bench-model`.
use crate::model::bench::{self, BenchShape};
use crate::model::blend::LogisticReport;
use crate::model::{
    Classifier, ClassifierParams, Metrics, QualityMetrics, Selection, Start, TrainProgress,
    read_jsonl,
};
use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

/// The model's commands.
#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Train a tag classifier from a JSON Lines file.
    Train(Box<TrainArgs>),
    /// Evaluate a saved model on a JSON Lines file (micro/macro F1, P@1, per-tag table, and the
    /// quality head's ROC-AUC and log-loss where the data has scores or answer counts).
    Evaluate(EvaluateArgs),
    /// Suggest tags for a text.
    Suggest(SuggestArgs),
    /// Time training steps and inference on random data.
    BenchModel(BenchArgs),
}

/// Options of `threadwise train`; unset ones take [`ClassifierParams::default`].
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Training data (JSON Lines: title, body, tags, score?, answer_count?).
    #[arg(long)]
    data: PathBuf,
    /// Where to write the model.
    #[arg(long)]
    out: PathBuf,
    /// Validation data for early stopping and thresholds (default: hold out --valid-fraction).
    #[arg(long)]
    valid: Option<PathBuf>,
    /// Retrain warm from this model (its weights, vocabulary and tags extended, at most
    /// --warm-epochs epochs); a cold start when its architecture differs, said on stderr.
    #[arg(long)]
    warm_from: Option<PathBuf>,
    /// Most epochs of a warm start (default 3).
    #[arg(long)]
    warm_epochs: Option<usize>,
    /// Folds of the cross-fitting that scores every example for the thresholds when the
    /// held-out share is small (default 5; 0 = off).
    #[arg(long)]
    cross_fit_folds: Option<usize>,
    /// Cross-fit only when fewer items are held out than this (default 1000).
    #[arg(long)]
    cross_fit_below: Option<usize>,
    /// Loss weight of a tag a post lacks (default 0.5: authors tag incompletely; 1 for a
    /// completely tagged file).
    #[arg(long)]
    absent_weight: Option<f64>,
    /// Loss weight of a rejected tag (default 3).
    #[arg(long)]
    rejected_weight: Option<f64>,
    /// Share of --data held out for validation when --valid is not given.
    #[arg(long)]
    valid_fraction: Option<f64>,
    #[arg(long)]
    epochs: Option<usize>,
    #[arg(long)]
    patience: Option<usize>,
    /// Wall-clock budget in seconds (default 540); 0 = no limit.
    #[arg(long)]
    max_seconds: Option<f64>,
    /// Least optimiser steps; small data gets more epochs to reach it.
    #[arg(long)]
    min_steps: Option<usize>,
    #[arg(long)]
    hidden: Option<usize>,
    #[arg(long)]
    embedding: Option<usize>,
    #[arg(long)]
    max_len: Option<usize>,
    /// Worker threads (default: all cores but one).
    #[arg(long)]
    threads: Option<usize>,
    #[arg(long)]
    seed: Option<u64>,
    #[arg(long)]
    batch_size: Option<usize>,
    #[arg(long)]
    dropout: Option<f64>,
    #[arg(long)]
    token_dropout: Option<f64>,
    #[arg(long)]
    learning_rate: Option<f32>,
    #[arg(long)]
    min_tag_examples: Option<usize>,
    #[arg(long)]
    max_vocab: Option<usize>,
    /// The linear bag-of-words path beside the LSTM (`--wide false` to leave it out).
    #[arg(long)]
    wide: Option<bool>,
    /// Hashed-bigram rows of the bag-of-words path; 0 = words only (default: 0 for small
    /// training sets, see --small-data, else 65536).
    #[arg(long)]
    wide_buckets: Option<usize>,
    /// Weigh the bag-of-words features by idf (`--wide-idf false`: all 1).
    #[arg(long)]
    wide_idf: Option<bool>,
    /// Decay of the moving average of the weights that is validated and kept; 0 = off.
    #[arg(long)]
    ema_decay: Option<f32>,
    /// Weight of a loss on the bag-of-words path alone; 0 = off (default: 1 for small training
    /// sets, see --small-data, else 0).
    #[arg(long)]
    wide_alone_weight: Option<f32>,
    /// Also fit the bag-of-words features as a logistic regression and blend it into the tag
    /// logits (default true; needs --wide).
    #[arg(long)]
    logistic: Option<bool>,
    /// Values of the logistic regression's C tried on the validation set (default 1,4,16,64).
    #[arg(long, value_delimiter = ',')]
    logistic_c: Option<Vec<f64>>,
    /// Most L-BFGS iterations per value of C.
    #[arg(long)]
    logistic_iterations: Option<usize>,
    /// Training files with fewer examples than this are small: they default to
    /// --wide-alone-weight 1 (default 5000).
    #[arg(long)]
    small_data: Option<usize>,
    /// After early stopping on the held-out share, train again on all of --data for the chosen
    /// number of epochs and keep that model (default false; never with --valid).
    #[arg(long)]
    refit: Option<bool>,
    /// What picks the kept epoch: held-out micro-F1 (ties: lower loss) or held-out loss.
    #[arg(long, value_enum)]
    select_by: Option<SelectBy>,
    /// Stacked LSTM layers.
    #[arg(long)]
    layers: Option<usize>,
    /// Decoupled (AdamW) weight decay; 0 = plain Adam.
    #[arg(long)]
    weight_decay: Option<f32>,
    /// Decoupled weight decay of the bag-of-words table alone (default: --weight-decay).
    #[arg(long)]
    wide_weight_decay: Option<f32>,
    /// Learning rate of the bag-of-words table as a share of --learning-rate.
    #[arg(long)]
    wide_lr_scale: Option<f32>,
    /// Steps of linear learning-rate warm-up.
    #[arg(long)]
    warmup_steps: Option<usize>,
    /// Cosine decay of the learning rate down to this share of it; 1 = constant.
    #[arg(long)]
    lr_min_fraction: Option<f32>,
    /// Learning-rate factor after an epoch without improvement; 1 = off.
    #[arg(long)]
    plateau_decay: Option<f32>,
    /// Pull of per-tag thresholds toward the global one, in validation positives; 0 = none.
    #[arg(long)]
    threshold_prior: Option<f64>,
}

/// `--select-by` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SelectBy {
    /// Held-out micro-F1, ties to the lower held-out loss.
    MicroF1,
    /// Held-out loss.
    Loss,
}

/// Options of `threadwise evaluate`.
#[derive(Debug, Args)]
pub struct EvaluateArgs {
    #[arg(long)]
    model: PathBuf,
    #[arg(long)]
    data: PathBuf,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

/// Options of `threadwise suggest`.
#[derive(Debug, Args)]
pub struct SuggestArgs {
    #[arg(long)]
    model: PathBuf,
    /// The title (or whole text) to tag.
    text: String,
    /// An optional body.
    #[arg(long, default_value = "")]
    body: String,
}

/// Which shape `bench-model` times.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ShapeName {
    /// The seed's reference shape (same as torch_lstm_bench.py).
    Seed,
    /// The default `train` network at 256 tokens.
    Default,
}

/// Options of `threadwise bench-model`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    #[arg(long, value_enum, default_value = "seed")]
    shape: ShapeName,
    /// Threads (default: all cores but one).
    #[arg(long)]
    threads: Option<usize>,
    /// Timed training steps.
    #[arg(long, default_value_t = 40)]
    steps: usize,
    #[arg(long)]
    json: bool,
}

/// `println!` that returns the write error instead of panicking on it.
macro_rules! out {
    ($($arg:tt)*) => {
        writeln!(std::io::stdout().lock(), $($arg)*)
    };
}

/// Runs one model command.
pub fn run(command: ModelCommand) -> anyhow::Result<()> {
    let result = match command {
        ModelCommand::Train(args) => train(*args),
        ModelCommand::Evaluate(args) => evaluate(args),
        ModelCommand::Suggest(args) => suggest(args),
        ModelCommand::BenchModel(args) => bench_model(args),
    };
    // `threadwise evaluate … | head` closes the pipe early: the reader wants no more, which is
    // not a failure.
    match result {
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            Ok(())
        }
        other => other,
    }
}

fn params(a: &TrainArgs) -> ClassifierParams {
    let mut p = ClassifierParams::default();
    macro_rules! set {
        ($($f:ident),*) => { $(if let Some(v) = a.$f { p = p.$f(v); })* };
    }
    set!(
        valid_fraction,
        epochs,
        patience,
        min_steps,
        hidden,
        embedding,
        max_len,
        threads,
        seed,
        batch_size,
        dropout,
        token_dropout,
        learning_rate,
        min_tag_examples,
        max_vocab,
        wide,
        wide_idf,
        ema_decay,
        logistic,
        logistic_iterations,
        small_data,
        layers,
        weight_decay,
        wide_lr_scale,
        warmup_steps,
        lr_min_fraction,
        plateau_decay,
        threshold_prior,
        warm_epochs,
        cross_fit_folds,
        cross_fit_below,
        absent_weight,
        rejected_weight
    );
    if let Some(w) = a.wide_alone_weight {
        p = p.wide_alone_weight(Some(w));
    }
    if let Some(b) = a.wide_buckets {
        p = p.wide_buckets(Some(b));
    }
    if let Some(c) = &a.logistic_c {
        p = p.logistic_c(c.clone());
    }
    if let Some(r) = a.refit {
        p = p.refit(r);
    }
    if let Some(s) = a.select_by {
        p = p.select_by(match s {
            SelectBy::MicroF1 => Selection::MicroF1,
            SelectBy::Loss => Selection::Loss,
        });
    }
    if let Some(d) = a.wide_weight_decay {
        p = p.wide_weight_decay(Some(d));
    }
    if let Some(s) = a.max_seconds {
        p = p.max_seconds((s > 0.0).then_some(s));
    }
    p
}

fn train(args: TrainArgs) -> anyhow::Result<()> {
    let params = params(&args).check()?;
    let train = read_jsonl(&args.data)?;
    let valid = match &args.valid {
        Some(path) => read_jsonl(path)?,
        None => Vec::new(),
    };
    let champion = args
        .warm_from
        .as_ref()
        .map(|path| Classifier::load(path).with_context(|| format!("loading {}", path.display())))
        .transpose()?;
    let p = &params.params().resolved(train.len());
    eprintln!(
        "training on {} examples ({}), embedding {}, hidden {}×{}, max_len {}, {} thread(s), seed {}",
        train.len(),
        args.valid.as_ref().map_or(
            format!("{:.0}% held out for validation", p.valid_fraction * 100.0),
            |v| format!("validating on {}", v.display())
        ),
        p.embedding,
        p.hidden,
        p.layers,
        p.max_len,
        p.threads,
        p.seed
    );
    if p.is_small(train.len()) {
        eprintln!(
            "small training set (under {} examples): bag-of-words loss weight {}, {} bigram rows",
            p.small_data,
            p.wide_alone_weight.unwrap_or(0.0),
            p.wide_buckets.unwrap_or(0),
        );
    }
    let start = Instant::now();
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("epoch {prefix} [{bar:30}] {pos}/{len} {msg} ETA {eta}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    let mut on_progress = |pr: &TrainProgress| {
        bar.set_prefix(format!("{}/{}", pr.epoch, pr.epochs));
        bar.set_length(pr.batches as u64);
        bar.set_position(pr.batch as u64);
        bar.set_message(format!("loss {:.4} {:.0} tok/s", pr.loss, pr.tokens_per_s));
        // Without a terminal the bar is hidden (and so is its println): log plain lines instead.
        if bar.is_hidden()
            && pr.epoch_report.is_none()
            && pr.batch.is_multiple_of((pr.batches / 10).max(1))
        {
            eprintln!(
                "epoch {}/{} batch {}/{} loss {:.4} {:.0} tok/s",
                pr.epoch, pr.epochs, pr.batch, pr.batches, pr.loss, pr.tokens_per_s
            );
        }
        if let Some(report) = &pr.logistic {
            let line = match report {
                LogisticReport::Fit {
                    c,
                    iterations,
                    valid,
                    seconds,
                } => format!(
                    "bag-of-words logistic regression C {c}: {iterations} iterations, valid micro-F1 {:.4} macro-F1 {:.4} P@1 {:.4}, {seconds:.0}s",
                    valid.micro_f1, valid.macro_f1, valid.precision_at_1
                ),
                LogisticReport::Blend { share, c, valid } => format!(
                    "blended with the regression (C {c}) at share {share:.1}: valid micro-F1 {:.4} macro-F1 {:.4} P@1 {:.4}",
                    valid.micro_f1, valid.macro_f1, valid.precision_at_1
                ),
            };
            if bar.is_hidden() {
                eprintln!("{line}");
            } else {
                bar.println(line);
            }
            return;
        }
        if pr.refit && pr.batch == pr.batches {
            let line = format!(
                "refit on all the data, epoch {}/{}: loss {:.4}",
                pr.epoch, pr.epochs, pr.loss
            );
            if bar.is_hidden() {
                eprintln!("{line}");
            } else {
                bar.println(line);
            }
        }
        if let Some(r) = &pr.epoch_report {
            let line = format!(
                "epoch {}: loss {:.4}, valid micro-F1 {:.4} macro-F1 {:.4} P@1 {:.4}, {:.0}s{}",
                pr.epoch,
                r.train_loss,
                r.valid.micro_f1,
                r.valid.macro_f1,
                r.valid.precision_at_1,
                r.seconds,
                if r.improved { " (best)" } else { "" }
            );
            if bar.is_hidden() {
                eprintln!("{line}");
            } else {
                bar.println(line);
            }
            bar.reset_eta();
        }
    };
    let model = params.fit_with(
        champion.as_ref(),
        &train,
        &valid,
        &mut on_progress,
        &AtomicBool::new(false),
    )?;
    bar.finish_and_clear();
    match model.start() {
        Some(Start::Warm {
            new_tokens,
            new_tags,
            dropped_tags,
        }) => eprintln!(
            "warm start: {new_tokens} new tokens, {new_tags} new tags, {dropped_tags} dropped"
        ),
        Some(Start::Cold {
            reason: Some(reason),
        }) => eprintln!("cold start: {reason}"),
        _ => {}
    }
    model.save(&args.out)?;
    let m = model.metrics().context("a trained model has metrics")?;
    eprintln!(
        "trained in {:.0}s: {} tags, vocabulary {}; validation micro-F1 {:.4}, macro-F1 {:.4}, P@1 {:.4}; saved to {}",
        start.elapsed().as_secs_f64(),
        model.tags().len(),
        model.vocab_size(),
        m.micro_f1,
        m.macro_f1,
        m.precision_at_1,
        args.out.display()
    );
    Ok(())
}

fn print_metrics(m: &Metrics) -> std::io::Result<()> {
    out!(
        "items {}  micro-F1 {:.4}  macro-F1 {:.4}  P@1 {:.4}",
        m.examples,
        m.micro_f1,
        m.macro_f1,
        m.precision_at_1
    )?;
    let width = m
        .per_tag
        .iter()
        .map(|t| t.tag.len())
        .max()
        .unwrap_or(3)
        .max(3);
    out!("{:width$}  precision  recall      f1  support", "tag")?;
    for t in &m.per_tag {
        out!(
            "{:width$}  {:9.3}  {:6.3}  {:6.3}  {:7}",
            t.tag,
            t.precision,
            t.recall,
            t.f1,
            t.support
        )?;
    }
    Ok(())
}

/// `evaluate --json`: the tag metrics' keys as before (so existing readers still parse it), plus
/// `quality`, null when the model's quality head was never trained or the data has no quality
/// labels.
#[derive(serde::Serialize)]
struct Evaluation<'a> {
    #[serde(flatten)]
    tags: &'a Metrics,
    quality: Option<&'a QualityMetrics>,
}

fn print_quality(q: Option<&QualityMetrics>, trained: bool) -> std::io::Result<()> {
    match q {
        Some(q) => out!(
            "quality  items {}  positives {} (base rate {:.3})  ROC-AUC {}  log-loss {:.4} (base rate {:.4})",
            q.examples,
            q.positives,
            q.base_rate,
            q.roc_auc
                .map_or_else(|| "– (one class)".to_owned(), |a| format!("{a:.4}")),
            q.log_loss,
            q.base_rate_log_loss
        ),
        None if trained => out!("quality  not measured: the data has no score or answer counts"),
        None => out!("quality  not measured: the model's quality head was not trained"),
    }
}

fn evaluate(args: EvaluateArgs) -> anyhow::Result<()> {
    let model = Classifier::load(&args.model)?;
    let data = read_jsonl(&args.data)?;
    let (m, quality) = model.evaluate_with_quality(&data);
    if args.json {
        let evaluation = Evaluation {
            tags: &m,
            quality: quality.as_ref(),
        };
        out!("{}", serde_json::to_string(&evaluation)?)?;
    } else {
        print_metrics(&m)?;
        print_quality(quality.as_ref(), model.quality_trained())?;
    }
    Ok(())
}

fn suggest(args: SuggestArgs) -> anyhow::Result<()> {
    let model = Classifier::load(&args.model)?;
    let prediction = model.predict(&args.text, &args.body);
    for (tag, p) in &prediction.tags {
        out!("{tag}\t{p:.3}")?;
    }
    if let Some(q) = prediction.quality {
        out!("(predicted quality {q:.3})")?;
    }
    Ok(())
}

fn bench_model(args: BenchArgs) -> anyhow::Result<()> {
    let shape = match args.shape {
        ShapeName::Seed => BenchShape::seed(),
        ShapeName::Default => BenchShape::default_shape(),
    };
    let threads = args
        .threads
        .unwrap_or_else(crate::model::params::default_threads)
        .max(1);
    let r = bench::run(shape, threads, args.steps.max(1));
    if args.json {
        out!("{}", serde_json::to_string(&r)?)?;
    } else {
        out!(
            "{:?} shape, {} thread(s): train_seq_per_s {:.0} ({:.2} ms/step), infer_seq_per_s {:.0}, single_latency_ms {:.3} ({} tokens), single_latency_256_ms {:.3}",
            args.shape,
            threads,
            r.train_seq_per_s,
            r.train_step_ms,
            r.infer_seq_per_s,
            r.single_latency_ms,
            shape.seq,
            r.single_latency_256_ms
        )?;
    }
    Ok(())
}
