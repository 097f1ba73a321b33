//! The training loop: bucketed batches, data-parallel shards, Adam, early stopping, thresholds.
use super::blend::{self, LogisticReport, Scored, Split};
use super::calibration;
use super::classifier::{Classifier, HeldOut, infer, infer_logits};
use super::corpus::{Corpus, Role};
use super::layers::bow;
use super::logistic::Logistic;
use super::metrics::Metrics;
use super::network::{Architecture, Network};
use super::params::{ClassifierParams, Selection, ValidParams};
use super::trainer::{Item, Trainer};
use super::vocab::Vocabulary;
use super::warm::{self, Start};
use super::{Example, ModelError};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Progress reported to the caller after every batch, and after every epoch with a report.
#[derive(Debug, Clone)]
pub struct TrainProgress {
    /// Current epoch, from 1.
    pub epoch: usize,
    /// Maximum epochs.
    pub epochs: usize,
    /// Batches done in this epoch.
    pub batch: usize,
    /// Batches per epoch.
    pub batches: usize,
    /// Mean training loss so far in this epoch.
    pub loss: f64,
    /// Real (non-padding) tokens processed per second in this epoch.
    pub tokens_per_s: f64,
    /// Set once per epoch, after validation.
    pub epoch_report: Option<EpochReport>,
    /// Whether this is the refit on all the training data (no validation, no reports).
    pub refit: bool,
    /// Set once per `C` of the bag-of-words logistic regression (before the epochs) and once
    /// for its blend into the network (after them); the other fields are then zero.
    pub logistic: Option<LogisticReport>,
}

impl TrainProgress {
    fn of_logistic(report: LogisticReport) -> Self {
        TrainProgress {
            epoch: 0,
            epochs: 0,
            batch: 0,
            batches: 0,
            loss: 0.0,
            tokens_per_s: 0.0,
            epoch_report: None,
            refit: false,
            logistic: Some(report),
        }
    }
}

/// The validation result of one epoch.
#[derive(Debug, Clone)]
pub struct EpochReport {
    /// Mean training loss of the epoch.
    pub train_loss: f64,
    /// Validation metrics with thresholds tuned on the validation set.
    pub valid: Metrics,
    /// Whether this epoch is the best so far (the one that will be kept).
    pub improved: bool,
    /// Seconds the epoch took, validation included.
    pub seconds: f64,
}

/// Examples as the training loop reads them (built by [`Corpus::encoded`]).
pub(crate) struct Encoded {
    pub(crate) seqs: Vec<Vec<u32>>,
    pub(crate) gold: Vec<Vec<usize>>,
    /// Rejected tag indices (confirmed negatives) per example.
    pub(crate) rejected: Vec<Vec<usize>>,
    pub(crate) quality: Vec<Option<bool>>,
}

impl Encoded {
    /// The examples at `indices`, in that order.
    fn select(&self, indices: &[usize]) -> Encoded {
        Encoded {
            seqs: indices.iter().map(|&i| self.seqs[i].clone()).collect(),
            gold: indices.iter().map(|&i| self.gold[i].clone()).collect(),
            rejected: indices.iter().map(|&i| self.rejected[i].clone()).collect(),
            quality: indices.iter().map(|&i| self.quality[i]).collect(),
        }
    }
}

/// Shuffled batches of similar length: shuffle, cut into pools of 32 batches, sort each pool by
/// length, cut into batches, shuffle the batches. Padding stays small and order stays random.
fn bucketed_batches(seqs: &[Vec<u32>], batch_size: usize, rng: &mut impl Rng) -> Vec<Vec<usize>> {
    let mut idx: Vec<usize> = (0..seqs.len()).collect();
    idx.shuffle(rng);
    let mut batches = Vec::new();
    for pool in idx.chunks_mut(batch_size * 32) {
        pool.sort_by_key(|&i| seqs[i].len());
        batches.extend(pool.chunks(batch_size).map(<[usize]>::to_vec));
    }
    batches.shuffle(rng);
    batches
}

/// The kept epoch of the held-out run: its (averaged) weights, tuned thresholds, metrics, mean
/// held-out loss, and its number.
struct Best {
    network: Network<f32>,
    thresholds: Vec<f32>,
    metrics: Metrics,
    loss: f64,
    epoch: usize,
}

impl Best {
    /// Whether an epoch with these held-out results beats this one under `select_by`. By micro-F1,
    /// a tie (common on small validation sets, where F1 saturates early) goes to the lower loss,
    /// so training does not stop at a barely-separating epoch.
    fn beaten_by(&self, micro_f1: f64, loss: f64, select_by: Selection) -> bool {
        match select_by {
            Selection::MicroF1 => {
                micro_f1 > self.metrics.micro_f1 + 1e-9
                    || ((micro_f1 - self.metrics.micro_f1).abs() <= 1e-9 && loss < self.loss)
            }
            Selection::Loss => loss < self.loss,
        }
    }
}

/// Tunes `thresholds` on `scores` by `p`'s final rule (keeps them when it has none) and measures
/// `metrics` on the same scores.
fn retune(
    (thresholds, metrics): (&mut Vec<f32>, &mut Metrics),
    scores: &HeldOut,
    tags: &[String],
    p: &ClassifierParams,
) {
    if let Some(rule) = &p.final_thresholds {
        *thresholds = super::metrics::tune_thresholds_by(scores.probs.view(), &scores.gold, rule);
    }
    *metrics = super::metrics::evaluate(scores.probs.view(), &scores.gold, thresholds, tags);
}

/// The vocabulary of the text of `corpus`' examples in `roles`, those examples encoded, and a
/// network for them (with the bag-of-words idf of their tokens): fresh, or started from
/// `champion` when it has the same architecture (its vocabulary extended, its tag head mapped to
/// `tags`), and how it started.
fn prepare(
    p: &ClassifierParams,
    corpus: &Corpus,
    roles: &[Role],
    tags: &[String],
    champion: Option<&Classifier>,
    rng: &mut impl Rng,
) -> Result<(Vocabulary, Encoded, Network<f32>, Start), ModelError> {
    let fresh = corpus.vocabulary(roles, p.max_vocab, p.min_token_count);
    let mut arch = architecture(p, fresh.len(), tags.len());
    let warm = champion.map(|c| match warm::incompatibility(c, &arch) {
        None => Ok(c),
        Some(reason) => Err(reason),
    });
    let (vocab, start) = match warm {
        Some(Ok(c)) => {
            let (vocab, new_tokens) = c.vocab.extended_with(&fresh);
            let map = warm::tag_map(c, tags);
            let kept = map.iter().flatten().count();
            let start = Start::Warm {
                new_tokens,
                new_tags: tags.len() - kept,
                dropped_tags: c.tags.len() - kept,
            };
            (vocab, start)
        }
        Some(Err(reason)) => (
            fresh,
            Start::Cold {
                reason: Some(reason),
            },
        ),
        None => (fresh, Start::Cold { reason: None }),
    };
    arch.vocab = vocab.len();
    let encoded = corpus.encoded(roles, &vocab, tags, p.max_len)?;
    let mut net = fresh_network(p, arch, &encoded.seqs, rng);
    if let (Some(c), true) = (champion, start.is_warm()) {
        warm::transplant(c, &mut net, &warm::tag_map(c, tags));
    }
    Ok((vocab, encoded, net, start))
}

/// A randomly initialised network of `arch`, with the bag-of-words idf of `seqs` (the
/// sequences it will train on) when `p` asks for it.
fn fresh_network(
    p: &ClassifierParams,
    arch: Architecture,
    seqs: &[Vec<u32>],
    rng: &mut impl Rng,
) -> Network<f32> {
    let mut net = Network::<f32>::init(arch, rng);
    if p.wide && p.wide_idf {
        net.wide_idf = bow::idf(seqs, arch.vocab, net.wide.nrows()).into();
    }
    net
}

/// The network `p` describes for a vocabulary of `vocab` ids and `tags` tags.
fn architecture(p: &ClassifierParams, vocab: usize, tags: usize) -> Architecture {
    Architecture {
        vocab,
        embedding: p.embedding,
        hidden: p.hidden,
        layers: p.layers,
        tags,
        wide: p.wide,
        wide_buckets: p.wide_buckets_for(tags),
    }
}

/// Wall-clock budget of one `fit`, shared by the held-out run and the refit.
struct Clock {
    started: Instant,
    budget: Option<std::time::Duration>,
}

impl Clock {
    fn spent(&self) -> bool {
        self.budget.is_some_and(|b| self.started.elapsed() > b)
    }
}

/// The optimiser-step counters and the learning-rate state of one run.
struct Schedule {
    epochs: usize,
    planned_steps: usize,
    step: usize,
    plateau_scale: f32,
}

impl Schedule {
    /// A run of `epochs` epochs of `batches` batches each, from its first step.
    fn new(epochs: usize, batches: usize) -> Self {
        Schedule {
            epochs,
            planned_steps: epochs * batches,
            step: 0,
            plateau_scale: 1.0,
        }
    }
}

/// One epoch's training result.
struct EpochRun {
    loss: f64,
    batches: usize,
    tokens_per_s: f64,
    out_of_time: bool,
}

/// What every epoch of one `fit` shares: its parameters, its random stream, its time budget, the
/// stop flag and the progress callback.
struct Run<'a, 'f> {
    p: &'a ClassifierParams,
    rng: ChaCha8Rng,
    clock: Clock,
    stop: &'a AtomicBool,
    progress: &'a mut (dyn FnMut(&TrainProgress) + 'f),
}

impl Run<'_, '_> {
    /// One pass over `tr` in shuffled length buckets, reporting progress after every batch
    /// (`refit` marks the reports of a refit); it ends early, with `out_of_time`, once the budget
    /// is spent.
    fn epoch(
        &mut self,
        trainer: &mut Trainer,
        tr: &Encoded,
        epoch: usize,
        sched: &mut Schedule,
        refit: bool,
    ) -> Result<EpochRun, ModelError> {
        let p = self.p;
        let start = Instant::now();
        let batches = bucketed_batches(&tr.seqs, p.batch_size, &mut self.rng);
        let (mut loss_sum, mut tokens) = (0.0, 0usize);
        let mut out_of_time = false;
        let mut done = 0;
        for (bi, ids) in batches.iter().enumerate() {
            if self.stop.load(Ordering::Relaxed) {
                return Err(ModelError::Stopped);
            }
            // Over the time budget: end this epoch here (after at least one step, so there is
            // always a model), validate what we have, and stop.
            if bi > 0 && self.clock.spent() {
                out_of_time = true;
                break;
            }
            trainer.set_lr_scale(
                sched.plateau_scale * lr_schedule(p, sched.step, sched.planned_steps),
            );
            sched.step += 1;
            let dropout_seed: u64 = self.rng.r#gen();
            let items: Vec<Item> = ids
                .iter()
                .map(|&i| Item {
                    ids: &tr.seqs[i],
                    tags: &tr.gold[i],
                    rejected: &tr.rejected[i],
                    quality: tr.quality[i],
                })
                .collect();
            loss_sum += trainer.step(&items, dropout_seed);
            tokens += items.iter().map(|it| it.ids.len().max(1)).sum::<usize>();
            done = bi + 1;
            (self.progress)(&TrainProgress {
                epoch,
                epochs: sched.epochs,
                batch: bi + 1,
                batches: batches.len(),
                loss: loss_sum / (bi + 1) as f64,
                tokens_per_s: tokens as f64 / start.elapsed().as_secs_f64().max(1e-9),
                epoch_report: None,
                refit,
                logistic: None,
            });
        }
        Ok(EpochRun {
            loss: loss_sum / done.max(1) as f64,
            batches: batches.len(),
            tokens_per_s: tokens as f64 / start.elapsed().as_secs_f64().max(1e-9),
            out_of_time,
        })
    }

    /// Trains on `tr`, validating on `va` after every epoch, until patience, the epoch count or
    /// the budget runs out; returns the best epoch's network and whether time ran out.
    fn held_out(
        &mut self,
        mut trainer: Trainer,
        tr: &Encoded,
        va: &Encoded,
        tags: &[String],
        warm: bool,
    ) -> Result<(Best, bool), ModelError> {
        let p = self.p;
        let mut best: Option<Best> = None;
        let mut since_best = 0;
        let batches = tr.seqs.len().div_ceil(p.batch_size);
        // A warm start gets `warm_epochs`, and the small-data step minimum in proportion.
        let (epochs, patience) = if warm {
            let min_steps = p.min_steps * p.warm_epochs / p.epochs.max(1);
            let (e, pat) = schedule(p.warm_epochs, p.patience, min_steps, batches);
            (e, pat.min(e))
        } else {
            schedule(p.epochs, p.patience, p.min_steps, batches)
        };
        let mut sched = Schedule::new(epochs, batches);
        let mut out_of_time = false;
        for epoch in 1..=epochs {
            let start = Instant::now();
            let run = self.epoch(&mut trainer, tr, epoch, &mut sched, false)?;
            out_of_time = run.out_of_time;
            let (probs, _) = infer(trainer.averaged(), &va.seqs, p.threads);
            let Scored {
                thresholds,
                metrics: valid_metrics,
                loss: valid_loss,
            } = Scored::of(probs.view(), &va.gold, tags, p.threshold_prior);
            let improved = best
                .as_ref()
                .is_none_or(|b| b.beaten_by(valid_metrics.micro_f1, valid_loss, p.select_by));
            let report = EpochReport {
                train_loss: run.loss,
                valid: valid_metrics.clone(),
                improved,
                seconds: start.elapsed().as_secs_f64(),
            };
            (self.progress)(&TrainProgress {
                epoch,
                epochs,
                batch: run.batches,
                batches: run.batches,
                loss: report.train_loss,
                tokens_per_s: run.tokens_per_s,
                epoch_report: Some(report),
                refit: false,
                logistic: None,
            });
            if improved {
                best = Some(Best {
                    network: trainer.averaged().clone(),
                    thresholds,
                    metrics: valid_metrics,
                    loss: valid_loss,
                    epoch,
                });
                since_best = 0;
            } else {
                since_best += 1;
                sched.plateau_scale *= p.plateau_decay;
                if since_best >= patience {
                    break;
                }
            }
            if out_of_time {
                break;
            }
        }
        Ok((best.ok_or(ModelError::Stopped)?, out_of_time))
    }

    /// A fresh network trained on every example for the held-out run's `epochs`, with the same
    /// blend (the regression refit on every example too); `None` when time ran out part-way.
    fn refit(
        &mut self,
        corpus: &Corpus,
        all: &[Role],
        tags: &[String],
        epochs: usize,
        blended: Option<(f32, f64)>,
    ) -> Result<Option<(Vocabulary, Network<f32>)>, ModelError> {
        let (vocab, tr, net, _) = prepare(self.p, corpus, all, tags, None, &mut self.rng)?;
        let trained = self.train_fresh(net, &tr, tags, epochs, blended)?;
        Ok(trained.map(|net| (vocab, net)))
    }

    /// Trains `net` on `tr` for `epochs` epochs and blends the regression fit on `tr` with
    /// `blended`'s share and `C`; `None` when time ran out part-way.
    fn train_fresh(
        &mut self,
        net: Network<f32>,
        tr: &Encoded,
        tags: &[String],
        epochs: usize,
        blended: Option<(f32, f64)>,
    ) -> Result<Option<Network<f32>>, ModelError> {
        let p = self.p;
        let mut trainer = Trainer::new(net, p);
        let mut sched = Schedule::new(epochs, tr.seqs.len().div_ceil(p.batch_size));
        for epoch in 1..=epochs {
            if self
                .epoch(&mut trainer, tr, epoch, &mut sched, true)?
                .out_of_time
            {
                return Ok(None);
            }
        }
        let mut net = trainer.averaged().clone();
        if let Some((share, c)) = blended {
            let mut logistic = Logistic::prior(net.wide.nrows(), tags.len(), &tr.gold);
            let x = bow::Bags::of_sequences(
                &tr.seqs,
                net.embedding.nrows(),
                net.wide_idf.as_slice().expect("idf"),
            );
            logistic.fit_weighted(
                &x,
                &tr.gold,
                blend::negatives(p, &tr.rejected),
                c,
                blend::stopping(p),
            );
            blend::fold(&mut net, &logistic, share);
        }
        Ok(Some(net))
    }
}

impl Run<'_, '_> {
    /// Every example in `roles` scored by a model that did not see it: `folds` fresh models, each
    /// trained like the refit (`epochs` epochs, the same blend) on all the other folds and
    /// scoring its own; `None` when time ran out part-way. The folds share the vocabulary of
    /// all of `roles` (which tokens exist says nothing about tags).
    fn cross_fit(
        &mut self,
        corpus: &Corpus,
        roles: &[Role],
        tags: &[String],
        epochs: usize,
        blended: Option<(f32, f64)>,
        folds: usize,
    ) -> Result<Option<HeldOut>, ModelError> {
        let p = self.p;
        let vocab = corpus.vocabulary(roles, p.max_vocab, p.min_token_count);
        let all = corpus.encoded(roles, &vocab, tags, p.max_len)?;
        let n = all.seqs.len();
        let mut order: Vec<usize> = (0..n).collect();
        order.shuffle(&mut self.rng);
        let mut fold_of = vec![0; n];
        for (rank, &i) in order.iter().enumerate() {
            fold_of[i] = rank % folds;
        }
        let arch = architecture(p, vocab.len(), tags.len());
        let mut probs = ndarray::Array2::zeros((n, tags.len()));
        for fold in 0..folds {
            let (inside, outside): (Vec<usize>, Vec<usize>) =
                (0..n).partition(|&i| fold_of[i] == fold);
            let others = all.select(&outside);
            let net = fresh_network(p, arch, &others.seqs, &mut self.rng);
            let Some(net) = self.train_fresh(net, &others, tags, epochs, blended)? else {
                return Ok(None);
            };
            let scored: Vec<Vec<u32>> = inside.iter().map(|&i| all.seqs[i].clone()).collect();
            let (fold_probs, _) = infer(&net, &scored, p.threads);
            for (row, &i) in inside.iter().enumerate() {
                probs.row_mut(i).assign(&fold_probs.row(row));
            }
        }
        Ok(Some(HeldOut {
            probs,
            gold: all.gold,
        }))
    }
}

impl ValidParams {
    /// Trains a classifier. With an empty `valid`, `valid_fraction` of `train` is held out for
    /// early stopping and threshold tuning; with `refit` a second network is then trained from
    /// scratch on all of `train` for the chosen number of epochs and kept, with the thresholds
    /// and metrics of the held-out run. Size-dependent defaults are decided by
    /// [`ClassifierParams::resolved`] for the size of `train`. `progress` is called after every batch; `stop`
    /// is checked between batches and ends training with [`ModelError::Stopped`].
    ///
    /// The result is bit-identical for the same data, parameters and seed (thread count included:
    /// it decides how each batch is split into shards, and float addition is not associative).
    pub fn fit(
        &self,
        train: &[Example],
        valid: &[Example],
        progress: &mut dyn FnMut(&TrainProgress),
        stop: &AtomicBool,
    ) -> Result<Classifier, ModelError> {
        self.fit_with(None, train, valid, progress, stop)
    }

    /// [`ValidParams::fit`] starting from `champion` when it has the same architecture (a warm
    /// start, see [`crate::warm`]): at most `warm_epochs` epochs, the regression fit only for the
    /// champion's `C` and from its weights, and no refit (the champion has seen every example
    /// already). Otherwise, or with `None`, a cold start; [`Classifier::start`] says which.
    pub fn fit_with(
        &self,
        champion: Option<&Classifier>,
        train: &[Example],
        valid: &[Example],
        progress: &mut dyn FnMut(&TrainProgress),
        stop: &AtomicBool,
    ) -> Result<Classifier, ModelError> {
        let resolved = self.0.resolved(train.len());
        let p = &resolved;
        let mut rng = ChaCha8Rng::seed_from_u64(p.seed);
        let carved = valid.is_empty() && train.len() >= 2;
        let held = if carved {
            carve(train.len(), p.valid_fraction, &mut rng)
        } else {
            Vec::new()
        };
        let mut corpus = Corpus::new(p.max_len);
        for (i, e) in train.iter().enumerate() {
            let role = if held.binary_search(&i).is_ok() {
                Role::Valid
            } else {
                Role::Train
            };
            corpus.push(role, i as i64, e);
        }
        for (i, e) in valid.iter().enumerate() {
            corpus.push(Role::Valid, (train.len() + i) as i64, e);
        }
        fit_corpus(p, champion, &corpus, carved, rng, progress, stop)
    }

    /// Trains a classifier on the [`Role::Train`] examples of `corpus`, validating on its
    /// [`Role::Valid`] ones (on the training examples themselves when there are none), like
    /// [`ValidParams::fit_with`] with a validation set: no refit. Size-dependent defaults are
    /// decided for the number of training examples. The corpus must be cut at least at
    /// `max_len` ids.
    pub fn fit_corpus(
        &self,
        champion: Option<&Classifier>,
        corpus: &Corpus,
        progress: &mut dyn FnMut(&TrainProgress),
        stop: &AtomicBool,
    ) -> Result<Classifier, ModelError> {
        let resolved = self.0.resolved(corpus.count(Role::Train));
        let rng = ChaCha8Rng::seed_from_u64(resolved.seed);
        fit_corpus(&resolved, champion, corpus, false, rng, progress, stop)
    }
}

/// The one training path of [`ValidParams::fit_with`] and [`ValidParams::fit_corpus`]. With
/// `carved`, the validation examples were drawn from the training input: the tag space is
/// theirs and the training examples' together, and a refit may train on both.
fn fit_corpus(
    p: &ClassifierParams,
    champion: Option<&Classifier>,
    corpus: &Corpus,
    carved: bool,
    mut rng: ChaCha8Rng,
    progress: &mut dyn FnMut(&TrainProgress),
    stop: &AtomicBool,
) -> Result<Classifier, ModelError> {
    const TRAIN: &[Role] = &[Role::Train];
    const INPUT: &[Role] = &[Role::Train, Role::Valid];
    // The tag space comes from the whole training input (the evaluation protocol's), not from
    // what is left after holding out a validation share.
    let tags = corpus.learnable_tags(if carved { INPUT } else { TRAIN }, p.min_tag_examples)?;
    let valid_roles = if corpus.count(Role::Valid) > 0 {
        &[Role::Valid][..]
    } else {
        TRAIN
    };
    let (vocab, tr, net, start) = prepare(p, corpus, TRAIN, &tags, champion, &mut rng)?;
    let warm_from = champion.filter(|_| start.is_warm());
    let va = corpus.encoded(valid_roles, &vocab, &tags, p.max_len)?;
    let mut run = Run {
        p,
        rng,
        clock: Clock {
            started: Instant::now(),
            budget: p.max_seconds.map(std::time::Duration::from_secs_f64),
        },
        stop,
        progress,
    };
    let logistic = (p.wide && p.logistic).then(|| {
        let prior = Logistic::prior(net.wide.nrows(), tags.len(), &tr.gold);
        let (begin, cs) = match warm_from {
            Some(c) => (
                warm::logistic_start(c, &warm::tag_map(c, &tags), prior),
                c.logistic_c
                    .map_or_else(|| p.logistic_c.clone(), |c| vec![c]),
            ),
            None => (prior, p.logistic_c.clone()),
        };
        blend::fit_logistic(
            &net,
            begin,
            &cs,
            Split {
                seqs: &tr.seqs,
                gold: &tr.gold,
                rejected: &tr.rejected,
            },
            Split {
                seqs: &va.seqs,
                gold: &va.gold,
                rejected: &va.rejected,
            },
            &tags,
            p,
            &mut |r| (run.progress)(&TrainProgress::of_logistic(r)),
        )
    });
    let (mut best, out_of_time) =
        run.held_out(Trainer::new(net, p), &tr, &va, &tags, warm_from.is_some())?;
    let blended = logistic.map(|(logistic, c)| {
        let share = blend_in(&mut best, &logistic, &va, &tags, p);
        (run.progress)(&TrainProgress::of_logistic(LogisticReport::Blend {
            share,
            c,
            valid: best.metrics.clone(),
        }));
        (share, c)
    });
    let (final_logits, quality_logits) = infer_logits(&best.network, &va.seqs, p.threads);
    let mut held_out_scores = HeldOut {
        probs: final_logits.mapv(super::layers::loss::sigmoid),
        gold: va.gold.clone(),
    };
    if p.final_thresholds.is_some() {
        retune(
            (&mut best.thresholds, &mut best.metrics),
            &held_out_scores,
            &tags,
            p,
        );
    }
    let mut kept = (vocab, best.network);
    // The held-out share chose the epoch count (and the thresholds); now every example
    // trains. Out of time part-way, the held-out run's model is kept instead.
    if p.refit
        && warm_from.is_none()
        && carved
        && !out_of_time
        && let Some(refit) = run.refit(corpus, INPUT, &tags, best.epoch, blended)?
    {
        kept = refit;
    }
    // The quality head's probabilities, made honest on the held-out labels (the refit's head,
    // trained the same way on a little more data, gets the held-out run's scaling).
    if let Some(scaling) = calibration::platt(&quality_logits, &va.quality) {
        calibration::fold(&mut kept.1.quality, scaling);
    }
    let fit_epochs = warm_from.and_then(|c| c.fit_epochs).unwrap_or(best.epoch);
    // A small held-out share gives thresholds that rest on a handful of predictions: score
    // every input example by a model that did not see it instead, and tune on those. The
    // folds get a time budget of their own: on a busy machine the kept model may have used
    // most of it, and thresholds from a small held-out share are what this is here to fix.
    run.clock.started = Instant::now();
    if p.cross_fit_folds >= 2
        && va.seqs.len() < p.cross_fit_below
        && corpus.count_in(INPUT) >= 2 * p.cross_fit_folds
        && !out_of_time
        && let Some(cross) =
            run.cross_fit(corpus, INPUT, &tags, fit_epochs, blended, p.cross_fit_folds)?
    {
        retune((&mut best.thresholds, &mut best.metrics), &cross, &tags, p);
        held_out_scores = cross;
    }
    let (vocab, network) = kept;
    Ok(Classifier {
        vocab,
        tags,
        thresholds: best.thresholds,
        network,
        params: p.clone(),
        metrics: Some(best.metrics),
        quality_trained: tr.quality.iter().any(Option::is_some),
        held_out: Some(held_out_scores),
        logistic_c: blended.map(|(_, c)| c),
        start: Some(start),
        fit_epochs: Some(fit_epochs),
    })
}

/// The examples of `train` that [`ValidParams::fit`] holds out for early stopping and thresholds
/// when it is given no validation set: the same seeded draw, for experiments that re-tune the
/// thresholds of a saved model on its own held-out share.
pub fn held_out_share<'a>(train: &'a [Example], p: &ClassifierParams) -> Vec<&'a Example> {
    let resolved = p.resolved(train.len());
    let mut rng = ChaCha8Rng::seed_from_u64(resolved.seed);
    if train.len() < 2 {
        return train.iter().collect();
    }
    carve(train.len(), resolved.valid_fraction, &mut rng)
        .into_iter()
        .map(|i| &train[i])
        .collect()
}

/// The learning-rate multiplier at optimiser step `step` of `planned`: a linear warm-up over
/// `warmup_steps`, then a cosine from 1 down to `lr_min_fraction` (constant when that is 1). It
/// depends on the step count only, never on time, so training stays deterministic.
fn lr_schedule(p: &super::ClassifierParams, step: usize, planned: usize) -> f32 {
    let warm = if step < p.warmup_steps {
        (step + 1) as f32 / p.warmup_steps as f32
    } else {
        1.0
    };
    let progress = (step as f32 / planned.max(1) as f32).min(1.0);
    let cosine = 0.5 * (1.0 + (std::f32::consts::PI * progress).cos());
    warm * (p.lr_min_fraction + (1.0 - p.lr_min_fraction) * cosine)
}

/// Small data sets give few optimiser steps per epoch, so the epoch budget is raised until it
/// allows `min_steps` steps, and the patience grows in the same proportion (it is meant as a
/// share of training, not a count of tiny epochs).
fn schedule(epochs: usize, patience: usize, min_steps: usize, batches: usize) -> (usize, usize) {
    let needed = min_steps.div_ceil(batches.max(1));
    if needed <= epochs {
        return (epochs, patience);
    }
    (needed, (patience * needed).div_ceil(epochs))
}

/// The indices (sorted) of the seeded `fraction` of `n` training examples held out for
/// validation when no validation set is given (at least one, and at least one left to train).
fn carve(n: usize, fraction: f64, rng: &mut impl Rng) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    idx.shuffle(rng);
    let n_valid = ((n as f64 * fraction).round() as usize).clamp(1, n - 1);
    let mut v = idx[..n_valid].to_vec();
    v.sort_unstable();
    v
}

/// Blends the regression into the kept network with the share that scores best on the
/// validation set, and re-tunes its thresholds and metrics on the folded network's own output
/// (the fold changes the rounding of the logits, so the thresholds are tuned on what is saved).
/// Returns the share.
fn blend_in(
    best: &mut Best,
    logistic: &Logistic,
    va: &Encoded,
    tags: &[String],
    p: &ClassifierParams,
) -> f32 {
    let (network, _) = infer_logits(&best.network, &va.seqs, p.threads);
    let x = bow::Bags::of_sequences(
        &va.seqs,
        best.network.embedding.nrows(),
        best.network.wide_idf.as_slice().expect("idf"),
    );
    let share = blend::choose_share(
        &network,
        &logistic.logits(&x),
        &va.gold,
        tags,
        p.threshold_prior,
    );
    blend::fold(&mut best.network, logistic, share);
    let (probs, _) = infer(&best.network, &va.seqs, p.threads);
    let scored = Scored::of(probs.view(), &va.gold, tags, p.threshold_prior);
    best.thresholds = scored.thresholds;
    best.metrics = scored.metrics;
    best.loss = scored.loss;
    share
}

#[cfg(test)]
mod tests {
    use super::*;

    fn best(micro_f1: f64, loss: f64) -> Best {
        let arch = Architecture::smallest(4);
        Best {
            network: Network::zeros(arch),
            thresholds: vec![0.5],
            metrics: Metrics {
                micro_f1,
                macro_f1: 0.0,
                precision_at_1: 0.0,
                examples: 1,
                per_tag: Vec::new(),
            },
            loss,
            epoch: 1,
        }
    }

    #[test]
    fn the_kept_epoch_is_chosen_by_micro_f1_with_loss_on_ties_or_by_loss_alone() {
        let b = best(0.5, 0.2);
        assert!(b.beaten_by(0.6, 0.3, Selection::MicroF1));
        assert!(!b.beaten_by(0.4, 0.1, Selection::MicroF1));
        assert!(
            b.beaten_by(0.5, 0.1, Selection::MicroF1),
            "a tie goes to the lower loss"
        );
        assert!(!b.beaten_by(0.5, 0.3, Selection::MicroF1));
        assert!(b.beaten_by(0.4, 0.1, Selection::Loss));
        assert!(!b.beaten_by(0.6, 0.3, Selection::Loss));
    }

    #[test]
    fn small_sets_get_more_epochs_and_proportional_patience() {
        assert_eq!(schedule(15, 5, 3000, 454), (15, 5), "debtags: unchanged");
        // 32 batches an epoch: 94 epochs reach 3,000 steps, patience 5 · 94 / 15 rounded up.
        assert_eq!(schedule(15, 5, 3000, 32), (94, 32));
    }
}
