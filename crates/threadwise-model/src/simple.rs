//! A baseline for the quality head: logistic regression on a few features anyone could compute
//! (lengths, code, links, tag count, a question mark in the title).
//!
//! It exists to be measured beside the network. On the Stack Exchange dumps split by creation
//! time (docs/classifier.md) this model's log-loss for "gets a positive score or an answer" was
//! below the base rate's (0.295 against 0.302) where the quality head's was about twice it
//! (0.613 / 0.530), though its ROC-AUC was lower (0.582 against 0.608 / 0.595); with the
//! author's history, and code and links read from the HTML, it beat the head on both (0.638).
//! So a forum should see both on its own held-out topics before trusting the head's ranking.
use super::Example;
use super::metrics::{self, QualityMetrics};

/// The features, in [`features`] order.
pub const FEATURES: [&str; 6] = [
    "ln(1 + body characters)",
    "ln(1 + title characters)",
    "has code",
    "tags",
    "title ends with ?",
    "ln(1 + links)",
];

const N: usize = FEATURES.len();

/// One example's [`features`] and its quality label.
pub type Row = ([f64; N], Option<bool>);

/// The simple features of one post (the body as Markdown or as plain text).
pub fn features(e: &Example) -> [f64; N] {
    let body = &e.body;
    let code = body.contains("```")
        || body.contains("<code")
        || body
            .lines()
            .any(|l| l.starts_with("    ") && !l.trim().is_empty());
    let links = body.matches("http://").count() + body.matches("https://").count();
    [
        (1.0 + body.chars().count() as f64).ln(),
        (1.0 + e.title.chars().count() as f64).ln(),
        f64::from(u8::from(code)),
        e.tags.len() as f64,
        f64::from(u8::from(e.title.trim_end().ends_with('?'))),
        (1.0 + links as f64).ln(),
    ]
}

/// L2-regularised logistic regression of the quality label on [`features`], standardised.
#[derive(Debug, Clone, PartialEq)]
pub struct SimpleQuality {
    mean: [f64; N],
    sd: [f64; N],
    /// Weights of the standardised features, in [`FEATURES`] order.
    pub weights: [f64; N],
    pub bias: f64,
}

/// Full-batch gradient descent: six features and thousands of rows need nothing cleverer, and
/// this many steps at this rate reach the optimum to three decimals on the Stack Exchange set.
const STEPS: usize = 2000;
const RATE: f64 = 0.5;
const L2: f64 = 1e-3;

impl SimpleQuality {
    /// Fits on the examples with a quality label; `None` unless both classes are present (one
    /// class has no boundary to learn).
    pub fn fit(examples: &[Example]) -> Option<Self> {
        let rows: Vec<Row> = examples.iter().map(|e| (features(e), e.quality)).collect();
        Self::fit_rows(&rows)
    }

    /// [`SimpleQuality::fit`] on features already read (a corpus keeps them, not the text).
    pub fn fit_rows(rows: &[Row]) -> Option<Self> {
        let (x, y): (Vec<[f64; N]>, Vec<f64>) = rows
            .iter()
            .filter_map(|&(x, q)| q.map(|q| (x, f64::from(u8::from(q)))))
            .unzip();
        let positives = y.iter().filter(|&&y| y > 0.5).count();
        if positives == 0 || positives == y.len() {
            return None;
        }
        let n = y.len() as f64;
        let mut mean = [0.0; N];
        let mut sd = [0.0; N];
        for j in 0..N {
            mean[j] = x.iter().map(|r| r[j]).sum::<f64>() / n;
            let var = x.iter().map(|r| (r[j] - mean[j]).powi(2)).sum::<f64>() / n;
            // A constant feature stays 0 after standardising.
            sd[j] = var.sqrt().max(1e-9);
        }
        let mut model = SimpleQuality {
            mean,
            sd,
            weights: [0.0; N],
            bias: 0.0,
        };
        let z: Vec<[f64; N]> = x.iter().map(|r| model.standardise(r)).collect();
        for _ in 0..STEPS {
            let mut grad = [0.0; N];
            let mut grad_bias = 0.0;
            for (row, &label) in z.iter().zip(&y) {
                let err = model.logistic(row) - label;
                grad_bias += err;
                for (g, x) in grad.iter_mut().zip(row) {
                    *g += err * x;
                }
            }
            model.bias -= RATE * grad_bias / n;
            for (w, g) in model.weights.iter_mut().zip(&grad) {
                *w -= RATE * (g / n + L2 * *w);
            }
        }
        Some(model)
    }

    fn standardise(&self, x: &[f64; N]) -> [f64; N] {
        let mut z = [0.0; N];
        for (j, z) in z.iter_mut().enumerate() {
            *z = (x[j] - self.mean[j]) / self.sd[j];
        }
        z
    }

    fn logistic(&self, z: &[f64; N]) -> f64 {
        let t = self.bias + self.weights.iter().zip(z).map(|(w, x)| w * x).sum::<f64>();
        1.0 / (1.0 + (-t).exp())
    }

    /// The probability that the post gets a positive score or an answer.
    pub fn predict(&self, e: &Example) -> f64 {
        self.logistic(&self.standardise(&features(e)))
    }

    /// Its ROC-AUC and log-loss on labelled examples, as the quality head's are measured.
    pub fn evaluate(&self, examples: &[Example]) -> Option<QualityMetrics> {
        let rows: Vec<Row> = examples.iter().map(|e| (features(e), e.quality)).collect();
        self.evaluate_rows(&rows)
    }

    /// [`SimpleQuality::evaluate`] on features already read.
    pub fn evaluate_rows(&self, rows: &[Row]) -> Option<QualityMetrics> {
        let probs: Vec<f32> = rows
            .iter()
            .map(|(x, _)| self.logistic(&self.standardise(x)) as f32)
            .collect();
        let labels: Vec<Option<bool>> = rows.iter().map(|r| r.1).collect();
        metrics::quality_metrics(&probs, &labels)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(title: &str, body: &str, quality: Option<bool>) -> Example {
        Example {
            title: title.into(),
            body: body.into(),
            tags: vec!["a".into()],
            quality,
            rejected: Vec::new(),
        }
    }

    #[test]
    fn features_see_code_links_and_a_question_mark() {
        let f = features(&post(
            "Why?",
            "See https://example.org\n\n    let x = 1;\n",
            None,
        ));
        assert_eq!(f[2], 1.0, "an indented code block");
        assert_eq!(f[3], 1.0);
        assert_eq!(f[4], 1.0);
        approx::assert_abs_diff_eq!(f[5], 2.0_f64.ln(), epsilon = 1e-12);
        let plain = features(&post("Help", "no code here", None));
        assert_eq!((plain[2], plain[4], plain[5]), (0.0, 0.0, 0.0));
    }

    #[test]
    fn learns_that_questions_with_a_question_mark_do_well() {
        let mut data = Vec::new();
        for i in 0..40 {
            data.push(post("How do I do it?", "body", Some(i % 8 != 0)));
            data.push(post("Do it for me", "body", Some(i % 8 == 0)));
        }
        data.push(post("unlabelled", "body", None));
        let model = SimpleQuality::fit(&data).expect("both classes");
        // The title's length says the same as its question mark here; together they separate.
        assert!(model.weights[4] > 0.0, "{model:?}");
        assert!(model.predict(&post("How do I do it?", "body", None)) > 0.7);
        assert!(model.predict(&post("Do it for me", "body", None)) < 0.3);
        // Each group's posts tie: 35·35 pairs won, 2·35·5 tied, 5·5 lost, of 40·40.
        let q = model.evaluate(&data).expect("labelled examples");
        assert_eq!(q.examples, 80);
        approx::assert_abs_diff_eq!(q.roc_auc.expect("both classes"), 0.875, epsilon = 1e-9);
        assert!(q.log_loss < q.base_rate_log_loss, "{q:?}");
    }

    #[test]
    fn one_class_or_no_labels_fit_nothing() {
        let all_good: Vec<Example> = (0..5).map(|_| post("t?", "b", Some(true))).collect();
        assert_eq!(SimpleQuality::fit(&all_good), None);
        assert_eq!(SimpleQuality::fit(&[post("t", "b", None)]), None);
    }
}
