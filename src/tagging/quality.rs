//! A model version's quality as the dashboards show it: read from the metrics JSON that
//! retraining stores with each version, so pages do not depend on the classifier's own types.
use serde::{Deserialize, Serialize};

/// One tag's held-out quality.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TagQuality {
    pub tag: String,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: usize,
}

/// How well a version's predicted quality (will the topic get a positive score or a reply?)
/// separates and estimates the held-out topics: what the needs-attention list ranks by.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PredictedQuality {
    /// Held-out topics measured.
    pub examples: usize,
    /// Of them, the ones with a positive score or a reply.
    pub positives: usize,
    pub base_rate: f64,
    /// `None` when the held-out topics are all one class.
    pub roc_auc: Option<f64>,
    pub log_loss: f64,
    /// The log-loss of predicting the base rate for every topic, to compare with.
    pub base_rate_log_loss: f64,
}

/// A version's held-out quality.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Quality {
    pub micro_f1: f64,
    pub macro_f1: f64,
    pub precision_at_1: f64,
    pub examples: usize,
    pub per_tag: Vec<TagQuality>,
    /// The quality head's metrics; absent in versions stored before they were measured.
    #[serde(default, rename = "quality")]
    pub predicted_quality: Option<PredictedQuality>,
    /// The same for a logistic regression on simple features (lengths, code, links, tags, a
    /// question mark) fit on the same training topics: the baseline the head should beat.
    #[serde(default)]
    pub simple_quality: Option<PredictedQuality>,
}

impl Quality {
    /// Reads a stored metrics document; `None` when it is not one (e.g. written by a future
    /// version with another shape), so a page shows no quality rather than an error.
    pub fn parse(stored: &str) -> Option<Self> {
        serde_json::from_str(stored).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Metrics, QualityMetrics, TagMetrics};

    #[test]
    fn reads_what_retraining_stores() {
        let metrics = Metrics {
            micro_f1: 0.5,
            macro_f1: 0.25,
            precision_at_1: 0.75,
            examples: 4,
            per_tag: vec![TagMetrics {
                tag: "rust".into(),
                precision: 1.0,
                recall: 0.5,
                f1: 2.0 / 3.0,
                support: 2,
            }],
        };
        let stored = serde_json::to_string(&metrics).expect("metrics serialise");
        let quality = Quality::parse(&stored).expect("the stored shape is read back");
        assert_eq!(quality.micro_f1, 0.5);
        assert_eq!(quality.per_tag[0].tag, "rust");
        assert_eq!(quality.per_tag[0].support, 2);
        assert!(Quality::parse("{\"unexpected\": 1}").is_none());
        assert!(
            quality.predicted_quality.is_none(),
            "versions stored before the quality head was measured still parse"
        );

        let mut with_quality = serde_json::to_value(&metrics).expect("metrics serialise");
        with_quality["quality"] = serde_json::to_value(QualityMetrics {
            examples: 4,
            positives: 3,
            base_rate: 0.75,
            roc_auc: Some(2.0 / 3.0),
            log_loss: 0.5,
            base_rate_log_loss: 0.56,
        })
        .expect("quality metrics serialise");
        let quality = Quality::parse(&with_quality.to_string()).expect("read back");
        let predicted = quality
            .predicted_quality
            .expect("the quality head's metrics");
        assert_eq!((predicted.examples, predicted.positives), (4, 3));
        assert_eq!(predicted.roc_auc, Some(2.0 / 3.0));
        assert_eq!(predicted.base_rate_log_loss, 0.56);
    }
}
