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

/// A version's held-out quality.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Quality {
    pub micro_f1: f64,
    pub macro_f1: f64,
    pub precision_at_1: f64,
    pub examples: usize,
    pub per_tag: Vec<TagQuality>,
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
    use crate::model::{Metrics, TagMetrics};

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
    }
}
