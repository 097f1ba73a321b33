//! Our L-BFGS against argmin's on the logistic regression the tagger fits: the same objective
//! (`logistic::penalised_objective`), the same start (the prior), the same TF-IDF bags of a JSON
//! Lines training file, `C = 4` (the middle of the default grid). Prints, per solver, the wall
//! time, objective evaluations and the objective reached.
//!
//! ```sh
//! cargo run --release -p threadwise-model --example lbfgs_vs_argmin -- ../shared/data/debtags/train.jsonl
//! ```
use std::cell::{Cell, RefCell};
use std::time::Instant;

use argmin::core::{CostFunction, Executor, Gradient, State};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;
use threadwise_model::layers::bow::{self, Bags};
use threadwise_model::logistic::{Logistic, Negatives, Stopping, penalised_objective};
use threadwise_model::vocab::Vocabulary;

const C: f64 = 4.0;
const ITERATIONS: usize = 100;
/// Both solvers remember this many past steps (ours has it as a constant).
const MEMORY: usize = 5;

/// The regression as argmin sees it: f64 parameters, converted for our f32 objective. argmin asks
/// for the cost and the gradient separately; one evaluation computes both, so the last one is
/// remembered rather than computed twice.
struct Problem<'a> {
    x: &'a Bags<f32>,
    gold: &'a [Vec<usize>],
    tags: usize,
    last: RefCell<Option<Evaluated>>,
    evaluations: &'a Cell<u64>,
}

/// The objective's value and gradient at a point.
struct Evaluated {
    at: Vec<f64>,
    value: f64,
    grad: Vec<f64>,
}

impl Problem<'_> {
    fn evaluate(&self, theta: &[f64]) -> (f64, Vec<f64>) {
        if let Some(last) = &*self.last.borrow()
            && last.at.as_slice() == theta
        {
            return (last.value, last.grad.clone());
        }
        self.evaluations.set(self.evaluations.get() + 1);
        let narrow: Vec<f32> = theta.iter().map(|&v| v as f32).collect();
        let mut grad = vec![0.0f32; narrow.len()];
        let value = penalised_objective(
            &narrow,
            self.tags,
            self.x,
            (self.gold, Negatives::UNIFORM),
            C,
            &mut grad,
            1,
        );
        let grad: Vec<f64> = grad.into_iter().map(f64::from).collect();
        *self.last.borrow_mut() = Some(Evaluated {
            at: theta.to_vec(),
            value,
            grad: grad.clone(),
        });
        (value, grad)
    }
}

impl CostFunction for Problem<'_> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, theta: &Vec<f64>) -> Result<f64, argmin::core::Error> {
        Ok(self.evaluate(theta).0)
    }
}

impl Gradient for Problem<'_> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;

    fn gradient(&self, theta: &Vec<f64>) -> Result<Vec<f64>, argmin::core::Error> {
        Ok(self.evaluate(theta).1)
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: lbfgs_vs_argmin TRAIN.jsonl")?;
    let examples = threadwise_model::read_jsonl(&path)?;
    let texts: Vec<String> = examples
        .iter()
        .map(|e| format!("{} {}", e.title, e.body))
        .collect();
    let vocab = Vocabulary::build(texts.iter().map(String::as_str), 30_000, 2);
    let seqs: Vec<Vec<u32>> = examples
        .iter()
        .map(|e| vocab.encode(&e.title, &e.body, 256))
        .collect();
    let mut tag_names: Vec<&str> = examples
        .iter()
        .flat_map(|e| e.tags.iter().map(String::as_str))
        .collect();
    tag_names.sort_unstable();
    tag_names.dedup();
    let gold: Vec<Vec<usize>> = examples
        .iter()
        .map(|e| {
            e.tags
                .iter()
                .filter_map(|t| tag_names.binary_search(&t.as_str()).ok())
                .collect()
        })
        .collect();
    let rows = vocab.len();
    let idf: Vec<f32> = bow::idf(&seqs, rows, rows);
    let x = Bags::of_sequences(&seqs, rows, &idf);
    let tags = tag_names.len();
    println!(
        "{} examples, {rows} features, {tags} tags: {} parameters, C = {C}",
        x.len(),
        rows * tags + tags
    );
    let prior = Logistic::prior(rows, tags, &gold);
    let mut scratch = vec![0.0f32; rows * tags + tags];
    let start = penalised_objective(
        &prior.theta(),
        tags,
        &x,
        (&gold, Negatives::UNIFORM),
        C,
        &mut scratch,
        1,
    );
    println!("objective at the prior: {start:.6}");

    for threads in [1, 2] {
        let mut ours = prior.clone();
        let began = Instant::now();
        let iterations = ours.fit(
            &x,
            &gold,
            C,
            Stopping {
                iterations: ITERATIONS,
                relative_decrease: 1e-6,
                threads,
            },
        );
        let ours_time = began.elapsed().as_secs_f64();
        let ours_value = penalised_objective(
            &ours.theta(),
            tags,
            &x,
            (&gold, Negatives::UNIFORM),
            C,
            &mut scratch,
            1,
        );
        println!(
            "threadwise L-BFGS, {threads} thread(s): {ours_time:.1} s, {iterations} iterations, objective {ours_value:.6}"
        );
    }

    let evaluations = Cell::new(0);
    let problem = Problem {
        x: &x,
        gold: &gold,
        tags,
        last: RefCell::new(None),
        evaluations: &evaluations,
    };
    let initial: Vec<f64> = prior.theta().into_iter().map(f64::from).collect();
    let solver = LBFGS::new(MoreThuenteLineSearch::new(), MEMORY)
        .with_tolerance_cost(1e-6 * start)?
        .with_tolerance_grad(1e-8)?;
    let began = Instant::now();
    let result = Executor::new(problem, solver)
        .configure(|state| state.param(initial).max_iters(ITERATIONS as u64))
        .run()?;
    let argmin_time = began.elapsed().as_secs_f64();
    let state = result.state();
    println!(
        "argmin L-BFGS (More-Thuente): {argmin_time:.1} s, {} iterations, {} evaluations, objective {:.6}",
        state.get_iter(),
        evaluations.get(),
        state.get_best_cost()
    );
    Ok(())
}
