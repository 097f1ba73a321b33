//! Replays the needs-attention list on real Stack Exchange histories and measures it: does ranking
//! unanswered questions by predicted quality × freshness × views put the ones that do get an
//! answer within a week of being asked at the top?
//!
//! ```text
//! cargo run --release --example attention_eval -- --raw ../shared/data/stackexchange/raw \
//!     --model /tmp/se-early.model
//! ```
//!
//! Each site's questions are split by creation time: the network (and a small logistic model of
//! simple features beside it) learns from the earliest `--train-fraction`, and everything is
//! measured on the later ones. On those:
//!
//! - the quality head's ROC-AUC and log-loss for the forum's label (a positive score or an
//!   answer), and for "answered within a week", against the base rate and the simple features;
//! - every `--every-hours` a snapshot: the later questions at most `--window-days` old and not yet
//!   answered at that moment are ranked by several orders, and precision@k is the share of the
//!   top k that got an answer within 7 days of being asked. The sites' later periods are laid on
//!   one timeline (each starts at its first later question), so a snapshot holds the candidates
//!   of all four small sites, as one forum with four communities would.
//!
//! Views at a snapshot are not in the dumps (only the final count, which knows the future), so
//! every ranking here uses no views (`log10(10 + 0)` = 1): the forum's formula less its reach
//! term. Questions asked within a week of a dump's last post are left out of "answered within a
//! week", whose outcome the dump cannot know.
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use anyhow::Context;
use clap::Parser;
use threadwise::domain::ranking;
use threadwise::import::stackexchange::{DumpQuestion, read_questions};
use threadwise::model::simple::SimpleQuality;
use threadwise::model::{Classifier, ClassifierParams, Example, metrics};

const DAY: i64 = 86_400;
/// "Got an answer within a week" of being asked.
const ANSWER_WITHIN: i64 = 7 * DAY;

#[derive(Debug, Parser)]
struct Args {
    /// A directory with one Stack Exchange dump per site (`<site>/Posts.xml`).
    #[arg(long, default_value = "../shared/data/stackexchange/raw")]
    raw: PathBuf,
    /// Share of each site's questions, earliest first, that the models learn from.
    #[arg(long, default_value_t = 0.8)]
    train_fraction: f64,
    /// Candidates are unanswered and at most this many days old (the forum lists 7).
    #[arg(long, default_value_t = 7)]
    window_days: i64,
    /// The k of precision@k.
    #[arg(long, default_value_t = 20)]
    k: usize,
    /// Hours between snapshots.
    #[arg(long, default_value_t = 12)]
    every_hours: i64,
    /// Load the network from this file if it exists, else train it and save it here.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Training time budget of the network, in seconds.
    #[arg(long, default_value_t = 300.0)]
    max_seconds: f64,
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Training threads (default: all cores but one).
    #[arg(long)]
    threads: Option<usize>,
}

/// One question with what the evaluation needs to know about it.
struct Item {
    q: DumpQuestion,
    /// The site's index.
    site: usize,
    /// In the later share of its site (measured), not the earlier one (learned from).
    later: bool,
    /// A positive score or an answer: the forum's quality label.
    quality: bool,
    /// Answered within [`ANSWER_WITHIN`]; `None` when the dump ends before that could be known.
    answered_in_week: Option<bool>,
    /// Questions the same author asked on the site before this one.
    prior_questions: usize,
}

impl Item {
    fn first_answer(&self) -> Option<i64> {
        self.q.answered_at.first().copied()
    }
}

const FEATURES: [&str; 7] = [
    "ln(1 + body characters)",
    "ln(1 + title characters)",
    "has code",
    "tags",
    "ln(1 + author's earlier questions)",
    "title ends with ?",
    "ln(1 + links)",
];

/// The simple features, in [`FEATURES`] order.
fn features(item: &Item) -> [f64; 7] {
    let html = &item.q.body_html;
    [
        (1.0 + item.q.body.chars().count() as f64).ln(),
        (1.0 + item.q.title.chars().count() as f64).ln(),
        f64::from(u8::from(html.contains("<code") || html.contains("<pre"))),
        item.q.tags.len() as f64,
        (1.0 + item.prior_questions as f64).ln(),
        f64::from(u8::from(item.q.title.trim_end().ends_with('?'))),
        (1.0 + html.matches("<a ").count() as f64).ln(),
    ]
}

/// L2-regularised logistic regression on standardised features, by full-batch gradient
/// descent: a handful of features and a thousand rows need nothing cleverer.
struct Logistic {
    mean: Vec<f64>,
    sd: Vec<f64>,
    weights: Vec<f64>,
    bias: f64,
}

impl Logistic {
    fn fit(x: &[[f64; 7]], y: &[bool]) -> Self {
        let n = x.len().max(1) as f64;
        let d = FEATURES.len();
        let mean: Vec<f64> = (0..d)
            .map(|j| x.iter().map(|r| r[j]).sum::<f64>() / n)
            .collect();
        let sd: Vec<f64> = (0..d)
            .map(|j| {
                let v = x.iter().map(|r| (r[j] - mean[j]).powi(2)).sum::<f64>() / n;
                v.sqrt().max(1e-9)
            })
            .collect();
        let z: Vec<Vec<f64>> = x
            .iter()
            .map(|r| (0..d).map(|j| (r[j] - mean[j]) / sd[j]).collect())
            .collect();
        let mut model = Logistic {
            mean,
            sd,
            weights: vec![0.0; d],
            bias: 0.0,
        };
        let (rate, l2) = (0.5, 1e-3);
        for _ in 0..3000 {
            let mut grad = vec![0.0; d];
            let mut grad_bias = 0.0;
            for (row, &label) in z.iter().zip(y) {
                let err = model.score(row) - f64::from(u8::from(label));
                grad_bias += err;
                for (g, x) in grad.iter_mut().zip(row) {
                    *g += err * x;
                }
            }
            model.bias -= rate * grad_bias / n;
            for (w, g) in model.weights.iter_mut().zip(&grad) {
                *w -= rate * (g / n + l2 * *w);
            }
        }
        model
    }

    fn score(&self, standardised: &[f64]) -> f64 {
        let t: f64 = self.bias
            + self
                .weights
                .iter()
                .zip(standardised)
                .map(|(w, x)| w * x)
                .sum::<f64>();
        1.0 / (1.0 + (-t).exp())
    }

    fn predict(&self, x: &[f64; 7]) -> f64 {
        let z: Vec<f64> = (0..x.len())
            .map(|j| (x[j] - self.mean[j]) / self.sd[j])
            .collect();
        self.score(&z)
    }
}

fn load_items(args: &Args) -> anyhow::Result<(Vec<Item>, Vec<String>)> {
    let mut sites: Vec<PathBuf> = std::fs::read_dir(&args.raw)
        .with_context(|| format!("reading {}", args.raw.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("Posts.xml").is_file())
        .collect();
    sites.sort();
    anyhow::ensure!(
        !sites.is_empty(),
        "no <site>/Posts.xml under {}",
        args.raw.display()
    );
    let mut items = Vec::new();
    let mut names = Vec::new();
    for (site, dir) in sites.iter().enumerate() {
        let questions = read_questions(dir, None)?;
        let dump_end = questions
            .iter()
            .flat_map(|q| std::iter::once(q.created_at).chain(q.answered_at.iter().copied()))
            .max()
            .unwrap_or(0);
        let cut = ((questions.len() as f64) * args.train_fraction).round() as usize;
        let mut asked: HashMap<String, usize> = HashMap::new();
        for (i, q) in questions.into_iter().enumerate() {
            let prior = asked.entry(q.author_key.clone()).or_default();
            let prior_questions = *prior;
            *prior += 1;
            let first = q.answered_at.first().copied();
            items.push(Item {
                site,
                later: i >= cut,
                quality: q.score > 0 || first.is_some(),
                answered_in_week: (q.created_at + ANSWER_WITHIN <= dump_end)
                    .then(|| first.is_some_and(|a| a - q.created_at <= ANSWER_WITHIN)),
                prior_questions,
                q,
            });
        }
        names.push(
            dir.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        );
    }
    Ok((items, names))
}

fn example(item: &Item) -> Example {
    Example {
        title: item.q.title.clone(),
        body: item.q.body.clone(),
        tags: item.q.tags.clone(),
        quality: Some(item.quality),
        rejected: Vec::new(),
    }
}

fn network(args: &Args, earlier: &[&Item]) -> anyhow::Result<Classifier> {
    if let Some(path) = args.model.as_ref().filter(|p| p.is_file()) {
        eprintln!("loading the network from {}", path.display());
        return Ok(Classifier::load(path)?);
    }
    let train: Vec<Example> = earlier.iter().map(|i| example(i)).collect();
    let mut params = ClassifierParams::default()
        .seed(args.seed)
        .max_seconds(Some(args.max_seconds));
    if let Some(t) = args.threads {
        params = params.threads(t);
    }
    eprintln!("training the network on {} earlier questions", train.len());
    let model = params
        .check()?
        .fit(&train, &[], &mut |_| {}, &AtomicBool::new(false))?;
    if let Some(path) = &args.model {
        model.save(path)?;
        eprintln!("saved the network to {}", path.display());
    }
    Ok(model)
}

/// A predictor's ROC-AUC (and, for probabilities, log-loss and mean prediction against the
/// positive rate: calibration) on one target, as a table row.
fn row(name: &str, scores: &[f64], labels: &[Option<bool>], probability: bool) -> String {
    let (s, y): (Vec<f64>, Vec<bool>) = scores
        .iter()
        .zip(labels)
        .filter_map(|(&s, &y)| y.map(|y| (s, y)))
        .unzip();
    let auc = metrics::roc_auc(&s, &y).map_or_else(|| "–".to_owned(), |a| format!("{a:.3}"));
    let (loss, mean) = if probability {
        (
            metrics::log_loss(&s, &y).map_or_else(|| "–".to_owned(), |l| format!("{l:.3}")),
            format!("{:.3}", s.iter().sum::<f64>() / s.len().max(1) as f64),
        )
    } else {
        (String::new(), String::new())
    };
    format!("| {name} | {auc} | {loss} | {mean} |")
}

fn print_target(
    title: &str,
    labels: &[Option<bool>],
    predictors: &[(&str, Vec<f64>, bool)],
    train_rate: f64,
) {
    let known: Vec<bool> = labels.iter().filter_map(|&y| y).collect();
    let positives = known.iter().filter(|&&y| y).count();
    println!(
        "\n{title}: {} later questions, {positives} positive (rate {:.3}; {:.3} in the earlier ones)\n",
        known.len(),
        positives as f64 / known.len().max(1) as f64,
        train_rate
    );
    println!("| predictor | ROC-AUC | log-loss | mean prediction |\n|---|---|---|---|");
    let base = vec![train_rate; labels.len()];
    println!(
        "{}",
        row("base rate of the earlier questions", &base, labels, true)
    );
    for (name, scores, probability) in predictors {
        println!("{}", row(name, scores, labels, *probability));
    }
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let (items, sites) = load_items(&args)?;
    let earlier: Vec<&Item> = items.iter().filter(|i| !i.later).collect();
    let later: Vec<&Item> = items.iter().filter(|i| i.later).collect();
    eprintln!(
        "{} sites ({}), {} questions: {} earlier, {} later",
        sites.len(),
        sites.join(", "),
        items.len(),
        earlier.len(),
        later.len()
    );
    let model = network(&args, &earlier)?;
    anyhow::ensure!(
        model.quality_trained(),
        "the network's quality head was not trained"
    );
    let later_examples: Vec<Example> = later.iter().map(|i| example(i)).collect();
    let (_, net) = model.probabilities_batch(&later_examples);
    let net: Vec<f64> = net.into_iter().map(f64::from).collect();

    let x_earlier: Vec<[f64; 7]> = earlier.iter().map(|i| features(i)).collect();
    let x_later: Vec<[f64; 7]> = later.iter().map(|i| features(i)).collect();
    let quality_earlier: Vec<bool> = earlier.iter().map(|i| i.quality).collect();
    let simple_quality = Logistic::fit(&x_earlier, &quality_earlier);
    // The week model learns only from earlier questions whose outcome the dump knows.
    let (x_week, y_week): (Vec<[f64; 7]>, Vec<bool>) = earlier
        .iter()
        .zip(&x_earlier)
        .filter_map(|(i, x)| i.answered_in_week.map(|y| (*x, y)))
        .unzip();
    let simple_week = Logistic::fit(&x_week, &y_week);
    let sq: Vec<f64> = x_later.iter().map(|x| simple_quality.predict(x)).collect();
    let sw: Vec<f64> = x_later.iter().map(|x| simple_week.predict(x)).collect();

    // The forum's own baseline (`threadwise_model::simple`, no author history), as /mod/model
    // shows it.
    let earlier_examples: Vec<Example> = earlier.iter().map(|i| example(i)).collect();
    let forum_simple: Vec<f64> = SimpleQuality::fit(&earlier_examples)
        .map(|m| later_examples.iter().map(|e| m.predict(e)).collect())
        .context("the earlier questions have both quality classes")?;
    let mut predictors: Vec<(&str, Vec<f64>, bool)> = vec![
        ("network quality head", net.clone(), true),
        (
            "the forum's simple-feature baseline (quality label)",
            forum_simple,
            true,
        ),
        (
            "logistic on simple features (quality label)",
            sq.clone(),
            true,
        ),
        (
            "logistic on simple features (answered in a week)",
            sw.clone(),
            true,
        ),
    ];
    for (j, name) in FEATURES.iter().enumerate() {
        predictors.push((name, x_later.iter().map(|x| x[j]).collect(), false));
    }
    let rate = |y: &[bool]| y.iter().filter(|&&b| b).count() as f64 / y.len().max(1) as f64;
    let quality_labels: Vec<Option<bool>> = later.iter().map(|i| Some(i.quality)).collect();
    print_target(
        "Quality label (positive score or an answer)",
        &quality_labels,
        &predictors,
        rate(&quality_earlier),
    );
    let week_labels: Vec<Option<bool>> = later.iter().map(|i| i.answered_in_week).collect();
    print_target(
        "Answered within a week",
        &week_labels,
        &predictors,
        rate(&y_week),
    );
    println!(
        "\nsimple-feature weights (standardised; quality label / answered in a week): {}",
        FEATURES
            .iter()
            .enumerate()
            .map(|(j, f)| format!(
                "{f} {:+.2}/{:+.2}",
                simple_quality.weights[j], simple_week.weights[j]
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );

    snapshots(&args, &later, &net, &sq, &sw);
    Ok(())
}

/// The orders compared at each snapshot: higher first.
const ORDERS: [&str; 8] = [
    "needs attention, network quality (the forum)",
    "needs attention, simple-feature quality",
    "needs attention, simple-feature answered-in-a-week",
    "newest first (= needs attention without a model)",
    "network quality alone",
    "simple-feature answered-in-a-week alone",
    "longest body first",
    "oldest first",
];

/// Whole-history averages of precision@k over snapshots.
#[derive(Default, Clone)]
struct Precision {
    /// Per snapshot with a candidate: hits in the top min(k, n) / min(k, n).
    all: Vec<f64>,
    /// Only the snapshots with more than k candidates, where the order decides who is in.
    crowded: Vec<f64>,
}

fn mean(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

fn show(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_owned(), |x| format!("{x:.3}"))
}

fn snapshots(args: &Args, later: &[&Item], net: &[f64], sq: &[f64], sw: &[f64]) {
    let sites = later.iter().map(|i| i.site).max().map_or(0, |s| s + 1);
    let start: Vec<Option<i64>> = (0..sites)
        .map(|s| {
            later
                .iter()
                .filter(|i| i.site == s)
                .map(|i| i.q.created_at)
                .min()
        })
        .collect();
    let span = later
        .iter()
        .filter_map(|i| start[i.site].map(|s| i.q.created_at - s))
        .max()
        .unwrap_or(0);
    let window = args.window_days * DAY;
    let step = args.every_hours.max(1) * 3600;
    let mut ks = vec![args.k.max(1), 10, 5, 3, 1];
    ks.sort_unstable();
    ks.dedup();
    ks.reverse();
    // [order][k]; the last order is "any order" (the share of all candidates).
    let mut precision = vec![vec![Precision::default(); ks.len()]; ORDERS.len() + 1];
    let mut candidates_seen = Vec::new();
    let mut offset = step;
    while offset <= span + window {
        // (index into `later`, age in hours)
        let candidates: Vec<(usize, f64)> = later
            .iter()
            .enumerate()
            .filter_map(|(n, i)| {
                let now = start[i.site]? + offset;
                let age = now - i.q.created_at;
                let open = i.first_answer().is_none_or(|a| a > now);
                (i.answered_in_week.is_some() && (0..=window).contains(&age) && open)
                    .then_some((n, age as f64 / 3600.0))
            })
            .collect();
        offset += step;
        if candidates.is_empty() {
            continue;
        }
        candidates_seen.push(candidates.len() as f64);
        let hit = |n: usize| later[n].answered_in_week == Some(true);
        let share = candidates.iter().filter(|c| hit(c.0)).count() as f64 / candidates.len() as f64;
        for (o, per_k) in precision.iter_mut().enumerate() {
            let score = |&(n, age): &(usize, f64)| -> f64 {
                match o {
                    0 => ranking::unanswered_attention(Some(net[n]), age, 0),
                    1 => ranking::unanswered_attention(Some(sq[n]), age, 0),
                    2 => ranking::unanswered_attention(Some(sw[n]), age, 0),
                    3 => -age,
                    4 => net[n],
                    5 => sw[n],
                    6 => later[n].q.body.chars().count() as f64,
                    _ => age,
                }
            };
            let mut ranked: Vec<(f64, &str, usize)> = candidates
                .iter()
                .map(|c| (score(c), later[c.0].q.key.as_str(), c.0))
                .collect();
            ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
            for (p, &k) in per_k.iter_mut().zip(&ks) {
                let top = k.min(ranked.len());
                let value = if o == ORDERS.len() {
                    share
                } else {
                    ranked[..top].iter().filter(|r| hit(r.2)).count() as f64 / top as f64
                };
                p.all.push(value);
                if ranked.len() > k {
                    p.crowded.push(value);
                }
            }
        }
    }
    println!(
        "\nNeeds attention, precision@k for \"answered within a week\": {} snapshots every {} h, \
         candidates unanswered at the snapshot and at most {} days old, {:.1} per snapshot on \
         average (at most {}); snapshots with more than k candidates: {}\n",
        candidates_seen.len(),
        args.every_hours,
        args.window_days,
        mean(&candidates_seen).unwrap_or(0.0),
        candidates_seen.iter().copied().fold(0.0, f64::max),
        ks.iter()
            .zip(&precision[0])
            .map(|(k, p)| format!("{} for k = {k}", p.crowded.len()))
            .collect::<Vec<_>>()
            .join(", "),
    );
    let header: Vec<String> = ks
        .iter()
        .map(|k| format!("P@{k} (all / more than {k})"))
        .collect();
    println!(
        "| order | {} |\n|---|{}",
        header.join(" | "),
        "---|".repeat(ks.len())
    );
    for (o, per_k) in precision.iter().enumerate() {
        let name = ORDERS
            .get(o)
            .copied()
            .unwrap_or("any order (share of the candidates answered)");
        let cells: Vec<String> = per_k
            .iter()
            .map(|p| format!("{} / {}", show(mean(&p.all)), show(mean(&p.crowded))))
            .collect();
        println!("| {name} | {} |", cells.join(" | "));
    }
}
