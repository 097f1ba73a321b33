//! The tag classifier: a from-scratch LSTM on `ndarray` (DESIGN.md §4).
//!
//! `tokenizer` → `vocab` → `network` (built from `layers`) trained by `train` with `optim`,
//! measured by `metrics`, wrapped for the forum by `classifier`, stored by `persist`.
//! Nothing here knows about the web or the database.
pub mod data;
pub mod error;
pub mod float;
pub mod layers;
pub mod network;
pub mod tokenizer;
pub mod vocab;

#[cfg(test)]
mod gradcheck_tests;

pub use data::{Example, read_jsonl};
pub use error::ModelError;
pub use float::Float;
pub mod bench;
pub mod classifier;
pub mod metrics;
pub mod optim;
pub mod params;
pub mod persist;
pub mod train;
pub mod trainer;

pub use classifier::{Classifier, Prediction};
pub use metrics::{Metrics, TagMetrics};
pub use params::{ClassifierParams, ValidParams};
pub use train::{EpochReport, TrainProgress};
